/**
 * `npm run bench -- bitrix24-export [--orders 2000] [--rate 20] [--burst 50] [--naive-orders 150] [--db sqlite|postgres]`
 *
 * Issue 11's benchmark: `printsync backfill bitrix24` (the real command, in its own process) on a
 * database of new orders — each by a new client, with 3 items and 2 comments — against the Bitrix24
 * emulator with its limits on. The cloud's rate (2/s, burst 50) is scaled up to save time; the
 * emulator and printsync's settings get the same figures, and every ratio below uses them.
 *
 *   orders/s            orders sent ÷ seconds from «N orders to send» to the command's exit
 *   requests/order      REST requests the emulator received ÷ orders (a batch is one)
 *   QUERY_LIMIT_EXCEEDED requests the emulator refused for its rate
 *   bucket efficiency   orders/s ÷ (allowed requests/s ÷ requests/order): 1 would use every
 *                       slot the portal allows from the first request to the last. The burst
 *                       is free at the start, so a short run can pass 1; `steadyEfficiency`
 *                       leaves the burst out: (requests − burst) ÷ rate ÷ seconds
 *
 * Then, in the same run, a naive exporter (bench/targets/naive-bitrix24.ts: one request per
 * command, the same pacing) on the first `--naive-orders` orders, for comparison — on all 2,000 it
 * would take ~12 minutes at 20/s. Targets: ≤ 0.25 requests/order, no limit errors, efficiency ≥ 0.8.
 * The last line is one JSON object with the figures.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startBitrix24Emulator } from '../emulators/bitrix24/server.js';
import { addOrders, switchOnBitrix24, withPrintsync } from '../test/support/backfill-shop.js';
import { createTestDatabase } from '../test/support/databases.js';
import type { TestDialect } from '../test/support/databases.js';
import { naiveExport } from './targets/naive-bitrix24.js';
import { benchOption } from './support/load.js';

const orders = Number(benchOption('orders', '2000'));
const rate = Number(benchOption('rate', '20'));
const burst = Number(benchOption('burst', '50'));
const naiveOrders = Math.min(orders, Number(benchOption('naive-orders', '150')));
const dialect = benchOption('db', 'sqlite') as TestDialect;
const root = fileURLToPath(new URL('..', import.meta.url));
const log = (text: string) => process.stdout.write(`${text}\n`);

const b24 = await startBitrix24Emulator({ rate: { drainPerSecond: rate, burst } });
const database = await createTestDatabase(dialect);
try {
  log(`bitrix24-export: ${orders} new orders (new clients, 3 items, 2 comments each) on ${dialect}; emulator and printsync at ${rate} requests/s, burst ${burst}`);
  const seeded = performance.now();
  const shop = await withPrintsync(database.url, async (services) => {
    const made = await addOrders(services, orders, { comments: 2 });
    await switchOnBitrix24(services, b24, { requestsPerSecond: rate, requestBurst: burst });
    return made;
  });
  log(`  seeded in ${((performance.now() - seeded) / 1000).toFixed(1)} s`);
  b24.limits.rate.reset();
  // When each REST request arrived (for «where the time went»).
  const arrivals: number[] = [];
  const admit = b24.limits.rate.admit.bind(b24.limits.rate);
  b24.limits.rate.admit = (source, nowMs) => {
    arrivals.push(performance.now());
    admit(source, nowMs);
  };

  // 1. printsync backfill bitrix24, the real command.
  const child = spawn(process.execPath, ['bin/printsync.js', 'backfill', 'bitrix24'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: database.url, ALLOW_PRIVATE_NETWORKS: '1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let startedAt = 0;
  const output: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      output.push(line);
      if (!startedAt && /orders to send/.test(line)) startedAt = performance.now();
      if (/orders to send|sent/.test(line)) log(`  | ${line}`);
    });
  }
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const exitedAt = performance.now();
  const seconds = (exitedAt - startedAt) / 1000;
  if (code !== 0 || !startedAt) throw new Error(`printsync backfill exited with ${code}:\n${output.join('\n')}`);
  const { requests, refused } = b24.limits.rate.counts;
  const deals = b24.state.store.table('deal').size;
  const contacts = b24.state.store.table('contact').size;
  const comments = b24.state.store.table('timeline_comment').size;
  if (deals !== orders || contacts !== orders || comments !== orders * 2) throw new Error(`the portal holds ${deals} deals, ${contacts} contacts, ${comments} comments for ${orders} orders`);
  const printsync = figures(orders, requests, refused, seconds);
  const at = (ms: number) => ((ms - startedAt) / 1000).toFixed(2);
  const span = (arrivals.at(-1)! - arrivals[0]!) / 1000;
  log(`  where the time went: first request at +${at(arrivals[0]!)} s, last at +${at(arrivals.at(-1)!)} s, exit at +${at(exitedAt)} s; ` +
    `past the burst they arrived at ${(Math.max(0, requests - burst) / span).toFixed(1)}/s of the ${rate}/s allowed`);

  // 2. The naive exporter on the first orders, on an empty portal.
  b24.reset();
  const naiveRun = await withPrintsync(database.url, (services) => naiveExport(services, b24.webhookUrl, shop.orderIds.slice(0, naiveOrders), { perSecond: rate, burst }));
  const naive = figures(naiveRun.orders, b24.limits.rate.counts.requests, b24.limits.rate.counts.refused, naiveRun.seconds);

  const row = (name: string, f: Figures) =>
    `  ${name.padEnd(22)} ${String(f.orders).padStart(6)} ${f.ordersPerSecond.toFixed(1).padStart(10)} ${f.requestsPerOrder.toFixed(3).padStart(14)} ${String(f.queryLimitExceeded).padStart(9)} ${f.bucketEfficiency.toFixed(2).padStart(11)} ${f.steadyEfficiency.toFixed(2).padStart(7)} ${f.seconds.toFixed(1).padStart(8)}`;
  log('');
  log(`  ${'exporter'.padEnd(22)} ${'orders'.padStart(6)} ${'orders/s'.padStart(10)} ${'requests/order'.padStart(14)} ${'refused'.padStart(9)} ${'efficiency'.padStart(11)} ${'steady'.padStart(7)} ${'seconds'.padStart(8)}`);
  log(row('printsync backfill', printsync));
  log(row('naive (1 req/command)', naive));
  const met = printsync.requestsPerOrder <= 0.25 && printsync.queryLimitExceeded === 0 && printsync.bucketEfficiency >= 0.8;
  log(`  targets (≤ 0.25 requests/order, 0 refused, efficiency ≥ 0.8): ${met ? 'met' : 'MISSED'}; batching is ${(printsync.ordersPerSecond / naive.ordersPerSecond).toFixed(0)}× the naive throughput`);
  log(JSON.stringify({ benchmark: 'bitrix24-export', database: dialect, rate, burst, ...printsync, naive, targetsMet: met }));
} finally {
  await b24.stop();
  await database.drop();
}

interface Figures {
  orders: number;
  seconds: number;
  ordersPerSecond: number;
  requestsPerOrder: number;
  queryLimitExceeded: number;
  bucketEfficiency: number;
  steadyEfficiency: number;
}

function figures(count: number, requests: number, refused: number, seconds: number): Figures {
  const ordersPerSecond = count / seconds;
  const requestsPerOrder = requests / count;
  const round = (value: number, digits: number) => Number(value.toFixed(digits));
  return {
    orders: count,
    seconds: round(seconds, 2),
    ordersPerSecond: round(ordersPerSecond, 2),
    requestsPerOrder: round(requestsPerOrder, 4),
    queryLimitExceeded: refused,
    bucketEfficiency: round(ordersPerSecond / (rate / requestsPerOrder), 3),
    steadyEfficiency: round((Math.max(0, requests - burst) / rate) / seconds, 3),
  };
}
