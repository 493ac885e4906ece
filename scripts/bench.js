#!/usr/bin/env node
// `npm run bench -- <name>` runs bench/<name>.bench.ts; with no name, lists the benchmarks.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const benchDir = join(root, 'bench');
const available = existsSync(benchDir)
  ? readdirSync(benchDir).filter((f) => f.endsWith('.bench.ts')).map((f) => f.replace(/\.bench\.ts$/, ''))
  : [];
const [name, ...rest] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  process.stderr.write(`usage: npm run bench -- <name> [options]\navailable: ${available.join(', ') || '(none)'}\n`);
  process.exit(name ? 1 : 0);
}
const result = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', join(benchDir, `${name}.bench.ts`), ...rest], {
  stdio: 'inherit',
  cwd: root,
});
process.exit(result.status ?? 1);
