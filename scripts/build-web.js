#!/usr/bin/env node
// Builds the admin panel (web/ → web/dist) when it is missing or older than its sources, so a
// fresh clone works with `npm run demo` / `npm start` and the browser tests. `--force` always builds.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const web = join(root, 'web');
const marker = join(web, 'dist', 'index.html');

function newestMtime(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

const sources = [join(web, 'src'), join(web, 'index.html'), join(web, 'vite.config.ts'), join(root, 'package-lock.json')].filter(existsSync);
const upToDate = existsSync(marker) && statSync(marker).mtimeMs >= Math.max(...sources.map(newestMtime));

if (upToDate && !process.argv.includes('--force')) {
  process.exit(0);
}

process.stderr.write('printsync: building the admin panel (web/dist)…\n');
const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
if (!existsSync(vite)) {
  process.stderr.write('printsync: vite is not installed; run `npm install` (with dev dependencies) first\n');
  process.exit(1);
}
const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn', '--config', join(web, 'vite.config.ts')], {
  cwd: web,
  stdio: 'inherit',
  // Called from Vitest, NODE_ENV is `test`, which would bundle React's development build.
  env: { ...process.env, NODE_ENV: 'production' },
});
process.exit(result.status ?? 1);
