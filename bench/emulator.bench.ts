/**
 * `npm run bench -- emulator [--requests N] [--connections N]`
 *
 * Requests per second the Bitrix24 emulator serves with its limits off, so that it is never
 * the bottleneck of printsync's own benchmarks:
 *   1. `crm.deal.get` (one deal, JSON POST, as printsync's client sends it);
 *   2. `batch` of 50 `crm.deal.get` commands (also shown as commands per second).
 * The emulator runs in its own process (the real CLI); the load comes from this one over
 * 127.0.0.1, with a bounded number of requests.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? Number(args[index + 1]) : fallback;
};
const requests = option('requests', 20_000);
const connections = option('connections', 16);
const root = fileURLToPath(new URL('..', import.meta.url));

const child = spawn(process.execPath, ['bin/printsync.js', 'emulate', 'bitrix24', '--port', '0', '--no-rate-limit', '--no-operating-budget'], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
});
const line = await new Promise<string>((resolve, reject) => {
  createInterface({ input: child.stdout }).once('line', resolve);
  child.once('exit', (code) => reject(new Error(`emulator exited with ${String(code)}`)));
});
const { webhookUrl } = JSON.parse(line) as { webhookUrl: string };

async function rest(method: string, params: unknown): Promise<unknown> {
  const response = await fetch(`${webhookUrl}${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(params) });
  const body = (await response.json()) as { result?: unknown; error?: string };
  if ('error' in body) throw new Error(`${method}: ${JSON.stringify(body)}`);
  return body.result;
}

try {
  const contact = await rest('crm.contact.add', { fields: { NAME: 'Bench', PHONE: [{ VALUE: '+79001234567', VALUE_TYPE: 'MOBILE' }] } });
  const seed: Record<string, string> = {};
  for (let i = 0; i < 50; i++) seed[`d${i}`] = `crm.deal.add?fields[TITLE]=Order ${i}&fields[OPPORTUNITY]=${1000 + i}&fields[CONTACT_ID]=${String(contact)}&fields[SOURCE_ID]=STORE`;
  await rest('batch', { cmd: seed });

  const run = async (title: string, path: string, body: string, amount: number): Promise<number> => {
    const result = await autocannon({
      url: `${webhookUrl}${path}`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      connections,
      amount,
    });
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`${title}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
    const perSecond = result.requests.total / result.duration;
    process.stdout.write(`${title.padEnd(34)} ${perSecond.toFixed(0).padStart(8)} req/s   p99 ${String(result.latency.p99).padStart(4)} ms   (${result.requests.total} requests)\n`);
    return perSecond;
  };

  // A short warm-up so JIT compilation is not measured.
  await run('warm-up crm.deal.get', 'crm.deal.get', JSON.stringify({ id: 1 }), 2_000);
  await run('crm.deal.get', 'crm.deal.get', JSON.stringify({ id: 1 }), requests);
  const cmd = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`g${i}`, `crm.deal.get?id=${i + 1}`]));
  const batchPerSecond = await run('batch of 50 crm.deal.get', 'batch', JSON.stringify({ halt: 0, cmd }), Math.max(200, Math.floor(requests / 10)));
  process.stdout.write(`${'  = commands inside batches'.padEnd(34)} ${(batchPerSecond * 50).toFixed(0).padStart(8)} cmd/s\n`);
} finally {
  child.kill('SIGTERM');
}
