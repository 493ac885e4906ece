/**
 * `npm run bench -- erp-quote [--seconds 5] [--connections 16] [--rounds 2]`
 *
 * Issue 13's benchmark: quotes per second and p99 latency through printsync's quote API
 * (`POST /api/v1/products/{id}/quote`, a product whose category prices with ASystem) with the
 * cache cold (every request a choice not asked before: the ERP is called) and warm (20 choices
 * asked over and over: served from the cache), against the emulator's own calculate endpoint
 * (`POST /api/v1/templates/t-12/calculate`) called directly, in alternating slices of the same
 * run. The emulator (`printsync emulate asystem`) and printsync each run in their own process;
 * the load comes from this one over loopback.
 *
 *   cold ratio   printsync cold quotes/s ÷ direct calculate/s (what printsync's own work costs
 *                on top of the ERP's)
 *   warm p99     p99 of a cached quote (what a shopper waits for a price seen before)
 *
 * The last line is one JSON object with the figures.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { benchOption, loadSlice, SliceTotals } from './support/load.js';

const seconds = Number(benchOption('seconds', '5'));
const connections = Number(benchOption('connections', '16'));
const rounds = Number(benchOption('rounds', '2'));
const log = (text: string) => process.stdout.write(`${text}\n`);

interface Child {
  process: ChildProcessWithoutNullStreams;
  info: Record<string, unknown>;
}

/** Starts a process and waits for its first line, a JSON object. */
async function start(argv: string[], env: Record<string, string> = {}): Promise<Child> {
  const child = spawn(process.execPath, argv, { env: { ...process.env, LOG_LEVEL: 'silent', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`${argv.join(' ')} exited with ${code}: ${stderr}`)));
  });
  return { process: child, info: JSON.parse(line) as Record<string, unknown> };
}

const root = fileURLToPath(new URL('..', import.meta.url));
const emulator = await start([`${root}bin/printsync.js`, 'emulate', 'asystem', '--port', '0']);
const { apiHost, apiKey } = emulator.info as { apiHost: string; apiKey: string };
const target = await start([...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []), '--import', 'tsx', fileURLToPath(new URL('./targets/erp-quote-target.ts', import.meta.url))], { ERP_URL: apiHost, ERP_KEY: apiKey });
const { url, token, productId } = target.info as { url: string; token: string; productId: number };

const PAPERS = ['coated-300', 'coated-350', 'designer-300'];
const COLORS = ['4+0', '4+4'];
const LAMINATION = ['none', 'matte', 'gloss'];
let counter = 0;
/** A choice not asked before: 200 quantities × 18 options × 951 pack sizes (50–1000 per pack). */
function freshChoice() {
  const n = counter++;
  return {
    quantity: 50 * (1 + (n % 200)),
    paper: PAPERS[Math.floor(n / 200) % 3]!,
    colors: COLORS[Math.floor(n / 600) % 2]!,
    lamination: LAMINATION[Math.floor(n / 1200) % 3]!,
    pack: 50 + (Math.floor(n / 3600) % 951),
  };
}
const warmChoices = Array.from({ length: 20 }, (_, i) => ({ quantity: 100 * (i + 1), paper: 'coated-300', colors: '4+0', lamination: 'none', pack: 100 }));
let warmIndex = 0;

type Choice = ReturnType<typeof freshChoice>;
const quoteBody = (c: Choice) => JSON.stringify({ quantity: c.quantity, parameters: { 'p-paper': c.paper, 'p-colors': c.colors, 'p-lamination': c.lamination, 'op-pack/op-pack-1': c.pack } });
const calculateBody = (c: Choice) =>
  JSON.stringify({ quantity: c.quantity, orderParams: { Бумага: c.paper, Красочность: c.colors, Ламинация: c.lamination }, details: {}, operations: { Упаковка: { 'Изделий в упаковке': c.pack } } });

const load = (label: string, url: string, headers: Record<string, string>, body: () => string) => loadSlice({ label, url, headers, body, connections, seconds });

type Name = 'direct' | 'cold' | 'warm';
const totals = new SliceTotals<Name>();
const add = (name: Name, run: Awaited<ReturnType<typeof loadSlice>>) => totals.add(name, run);

try {
  log(`erp-quote: ${rounds} rounds of ${seconds} s slices, ${connections} connections; printsync (SQLite) and the ASystem emulator in their own processes`);
  const quoteUrl = `${url}/api/v1/products/${productId}/quote`;
  const auth = { authorization: `Bearer ${token}` };
  // Warm the cache with the 20 warm choices.
  for (const choice of warmChoices) await fetch(quoteUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: quoteBody(choice) });
  for (let round = 0; round < rounds; round++) {
    add('direct', await load('direct', `${apiHost}/api/v1/templates/t-12/calculate`, { 'x-api-key': apiKey }, () => calculateBody(freshChoice())));
    add('cold', await load('cold', quoteUrl, auth, () => quoteBody(freshChoice())));
    add('warm', await load('warm', quoteUrl, auth, () => quoteBody(warmChoices[warmIndex++ % warmChoices.length]!)));
  }
  const rate = (name: Name) => totals.perSecond(name);
  log(`  ${'calls'.padEnd(34)} ${'per s'.padStart(8)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)}`);
  for (const [name, label] of [['direct', 'ASystem calculate, direct'], ['cold', 'printsync quote, cache cold'], ['warm', 'printsync quote, cache warm']] as const) {
    log(`  ${label.padEnd(34)} ${rate(name).toFixed(0).padStart(8)} ${String(totals.p50(name)).padStart(7)} ${String(totals.p99(name)).padStart(7)}`);
  }
  const figures = {
    benchmark: 'erp-quote',
    directPerSecond: Math.round(rate('direct')),
    coldPerSecond: Math.round(rate('cold')),
    warmPerSecond: Math.round(rate('warm')),
    coldRatio: Number((rate('cold') / rate('direct')).toFixed(3)),
    warmRatio: Number((rate('warm') / rate('direct')).toFixed(3)),
    directP99Ms: totals.p99('direct'),
    coldP99Ms: totals.p99('cold'),
    warmP99Ms: totals.p99('warm'),
  };
  log(`  cold ratio ${figures.coldRatio} (printsync cold ÷ direct), warm p99 ${figures.warmP99Ms} ms`);
  log(JSON.stringify(figures));
} finally {
  target.process.stdin.end();
  emulator.process.kill('SIGTERM');
}
