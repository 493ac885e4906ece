/**
 * `npm run bench -- api [--seconds N] [--orders N]`
 *
 * 1. Orders created per second through the printsync API on SQLite with the outbox on (each
 *    create writes the order, its items, status history, a domain event and a job).
 * 2. In the same run, a bare Fastify route doing one SQLite insert, the ceiling for this machine.
 * 3. Their ratio (target ≥ 0.5).
 * 4. Memory: the API process's RSS after every 10% of N orders (default 100,000) — it should stay flat.
 *
 * Both servers run in their own processes; the load comes from this one over loopback.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? Number(args[index + 1]) : fallback;
};
const seconds = option('seconds', 10);
const totalOrders = option('orders', 100_000);
const connections = 16;

const orderBody = (personId: number) =>
  JSON.stringify({
    personId,
    site: 'print.example.ru',
    source: 'site',
    items: [
      { name: 'Визитки 90×50, 4+4', quantity: 500, unitPrice: 290, parameters: { Бумага: 'Мелованная 300 г/м²' } },
      { name: 'Листовки А5', quantity: 1000, unitPrice: 350 },
    ],
    delivery: { method: 'Курьер', address: 'Москва, ул. Печатников, 1', price: 45_000 },
    payment: { status: 'not_paid', method: 'Банковский перевод' },
  });

interface Target {
  child: ChildProcessWithoutNullStreams;
  info: { url: string; token?: string; personId?: number };
  nextLine(): Promise<string>;
  stop(): void;
}

async function startTarget(script: string): Promise<Target> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--expose-gc', fileURLToPath(new URL(script, import.meta.url))], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const nextLine = async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error(`${script} exited early`);
    return value as string;
  };
  const info = JSON.parse(await nextLine()) as Target['info'];
  return { child, info, nextLine, stop: () => child.stdin.end() };
}

async function load(url: string, body: string, headers: Record<string, string>, options: { duration?: number; amount?: number }) {
  const result = await autocannon({
    url,
    method: 'POST',
    connections,
    body,
    headers: { 'content-type': 'application/json', ...headers },
    ...options,
  });
  const failures = result.non2xx + result.errors + result.timeouts;
  if (failures > 0) throw new Error(`${failures} requests failed (non-2xx ${result.non2xx}, errors ${result.errors})`);
  return result;
}

const mb = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MB`;

const api = await startTarget('./targets/api-target.ts');
const bare = await startTarget('./targets/bare-target.ts');
try {
  const body = orderBody(api.info.personId!);
  const auth = { authorization: `Bearer ${api.info.token}` };
  // Warm both up so JIT and caches are alike before measuring.
  await load(`${api.info.url}/api/v1/orders`, body, auth, { amount: 2_000 });
  await load(`${bare.info.url}/orders`, body, {}, { amount: 2_000 });

  // The two are measured in alternating slices, so a machine that speeds up or slows down during
  // the run (a shared VM does) weighs on both alike.
  const slices = 4;
  const sliceSeconds = Math.max(1, Math.round(seconds / slices));
  const totals = { api: { requests: 0, seconds: 0, p99: 0 }, bare: { requests: 0, seconds: 0, p99: 0 } };
  for (let slice = 0; slice < slices; slice++) {
    const apiRun = await load(`${api.info.url}/api/v1/orders`, body, auth, { duration: sliceSeconds });
    const bareRun = await load(`${bare.info.url}/orders`, body, {}, { duration: sliceSeconds });
    for (const [side, run] of [['api', apiRun], ['bare', bareRun]] as const) {
      totals[side].requests += run.requests.total;
      totals[side].seconds += run.duration;
      totals[side].p99 = Math.max(totals[side].p99, run.latency.p99);
    }
  }
  const apiRate = totals.api.requests / totals.api.seconds;
  const bareRate = totals.bare.requests / totals.bare.seconds;
  console.log(`printsync API, POST /api/v1/orders (outbox on): ${apiRate.toFixed(0)} orders/s, p99 ${totals.api.p99} ms`);
  console.log(`bare Fastify + one SQLite insert:               ${bareRate.toFixed(0)} requests/s, p99 ${totals.bare.p99} ms`);
  console.log(`ratio: ${(apiRate / bareRate).toFixed(2)} (target ≥ 0.5; ${slices} alternating slices of ${sliceSeconds} s each)`);

  console.log(`\nmemory while creating ${totalOrders.toLocaleString('en')} orders (API process RSS after a forced GC):`);
  const chunk = Math.max(1, Math.floor(totalOrders / 10));
  const readings: number[] = [];
  for (let done = 0; done < totalOrders; done += chunk) {
    await load(`${api.info.url}/api/v1/orders`, body, auth, { amount: Math.min(chunk, totalOrders - done) });
    api.child.stdin.write('rss\n');
    const { rssBytes, heapUsedBytes } = JSON.parse(await api.nextLine()) as { rssBytes: number; heapUsedBytes: number };
    readings.push(rssBytes);
    console.log(`  ${(done + chunk).toLocaleString('en').padStart(9)} orders: RSS ${mb(rssBytes)}, heap used ${mb(heapUsedBytes)}`);
  }
  const growth = readings.at(-1)! - readings[0]!;
  console.log(`RSS change from the first to the last reading: ${growth >= 0 ? '+' : ''}${mb(growth)}`);
} finally {
  api.stop();
  bare.stop();
}
