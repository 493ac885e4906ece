/**
 * `npm run bench -- widget [--seconds 5] [--connections 16] [--rounds 2]`
 *
 * Issue 15's benchmark, in one run:
 * - the widget bundle (web/dist/widget/calculator.js, built by scripts/build-web.js): bytes and
 *   gzipped bytes (target ≤ 30 KB gzipped);
 * - the public quote API (`POST /api/v1/widget/products/{id}/quote?key=…` with an allowed
 *   `Origin`, as the widget calls it) with its answer cache warm (20 choices asked over and over)
 *   and cold (every request a quantity not asked before), against a bare route on the same server
 *   (`POST /bench/bare`: reads the JSON body, answers 200) and the staff quote API for the same
 *   product, in alternating slices. printsync runs in its own process (SQLite); the load comes
 *   from this one over loopback.
 *
 * The last line is one JSON object with the figures.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { benchOption, loadSlice, SliceTotals } from './support/load.js';

const seconds = Number(benchOption('seconds', '5'));
const connections = Number(benchOption('connections', '16'));
const rounds = Number(benchOption('rounds', '2'));
const log = (text: string) => process.stdout.write(`${text}\n`);
const root = fileURLToPath(new URL('..', import.meta.url));

// 1. The bundle, as a fresh clone's install builds it.
const build = spawnSync(process.execPath, [`${root}scripts/build-web.js`], { stdio: 'inherit', cwd: root });
if (build.status !== 0) throw new Error('scripts/build-web.js failed');
const bundle = readFileSync(`${root}web/dist/widget/calculator.js`);
const gzipped = gzipSync(bundle, { level: 9 }).length;

// 2. The API.
const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./targets/widget-target.ts', import.meta.url))], {
  env: { ...process.env, LOG_LEVEL: 'silent' },
  stdio: ['pipe', 'pipe', 'pipe'],
});
let stderr = '';
child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
const line = await new Promise<string>((resolve, reject) => {
  createInterface({ input: child.stdout }).once('line', resolve);
  child.once('exit', (code) => reject(new Error(`widget target exited with ${code}: ${stderr}`)));
});
const { url, key, productId, token } = JSON.parse(line) as { url: string; key: string; productId: number; token: string };

let fresh = 1_000;
const warm = Array.from({ length: 20 }, (_, i) => JSON.stringify({ quantity: 50 * (i + 1), parameters: {} }));
let warmIndex = 0;

const load = (label: string, url: string, headers: Record<string, string>, body: () => string) => loadSlice({ label, url, headers, body, connections, seconds });

type Name = 'bare' | 'warm' | 'cold' | 'staff';
const totals = new SliceTotals<Name>();
const add = (name: Name, run: Awaited<ReturnType<typeof loadSlice>>) => totals.add(name, run);

try {
  log(`widget: bundle ${bundle.length} bytes, ${gzipped} gzipped (target ≤ 30720)`);
  log(`widget: ${rounds} rounds of ${seconds} s slices, ${connections} connections; printsync (SQLite) in its own process`);
  const publicUrl = `${url}/api/v1/widget/products/${productId}/quote?key=${key}`;
  const origin = { origin: 'http://shop.bench' };
  const check = await fetch(publicUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...origin }, body: warm[0] });
  if (check.status !== 200) throw new Error(`public quote: ${check.status} ${await check.text()}`);
  for (let round = 0; round < rounds; round++) {
    add('bare', await load('bare', `${url}/bench/bare`, {}, () => warm[0]!));
    add('warm', await load('public warm', publicUrl, origin, () => warm[warmIndex++ % warm.length]!));
    add('cold', await load('public cold', publicUrl, origin, () => JSON.stringify({ quantity: fresh++, parameters: {} })));
    add('staff', await load('staff', `${url}/api/v1/products/${productId}/quote`, { authorization: `Bearer ${token}` }, () => JSON.stringify({ quantity: fresh++, parameters: {} })));
  }
  const rate = (name: Name) => totals.perSecond(name);
  log(`  ${'calls'.padEnd(40)} ${'per s'.padStart(8)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)}`);
  for (const [name, label] of [
    ['bare', 'bare route (same server)'],
    ['warm', 'public quote, answer cache warm'],
    ['cold', 'public quote, every quantity new'],
    ['staff', 'staff quote (token), every quantity new'],
  ] as const) {
    log(`  ${label.padEnd(40)} ${rate(name).toFixed(0).padStart(8)} ${String(totals.p50(name)).padStart(7)} ${String(totals.p99(name)).padStart(7)}`);
  }
  const figures = {
    benchmark: 'widget',
    bundleBytes: bundle.length,
    bundleGzipBytes: gzipped,
    bundleWithinTarget: gzipped <= 30 * 1024,
    barePerSecond: Math.round(rate('bare')),
    warmPerSecond: Math.round(rate('warm')),
    coldPerSecond: Math.round(rate('cold')),
    staffPerSecond: Math.round(rate('staff')),
    warmRatio: Number((rate('warm') / rate('bare')).toFixed(3)),
    coldRatio: Number((rate('cold') / rate('bare')).toFixed(3)),
    bareP99Ms: totals.p99('bare'),
    warmP99Ms: totals.p99('warm'),
    coldP99Ms: totals.p99('cold'),
    staffP99Ms: totals.p99('staff'),
  };
  log(JSON.stringify(figures));
} finally {
  child.stdin.end();
}
