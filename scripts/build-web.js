#!/usr/bin/env node
// Builds the admin panel (web/ → web/dist) and the storefront calculator widget
// (web/widget → web/dist/widget/calculator.js) when it is missing or older than its sources, so a
// fresh clone works however it is started: `npm install` runs this (postinstall), and so do
// `printsync serve`, `npm start`, `npm run demo` and the browser tests.
//   --force        build even when up to date
//   --out DIR      build into DIR instead of web/dist (printsync's PANEL_DIR)
//   --if-possible  when vite is not installed (a production install without dev dependencies),
//                  say so and exit 0 instead of failing
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const web = join(root, 'web');
const args = process.argv.slice(2);
const outIndex = args.indexOf('--out');
const outDir = outIndex >= 0 && args[outIndex + 1] ? resolve(args[outIndex + 1]) : join(web, 'dist');
const marker = join(outDir, 'index.html');
const widgetFile = join(outDir, 'widget', 'calculator.js');

function newestMtime(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

const sources = [join(web, 'src'), join(web, 'widget'), join(web, 'index.html'), join(web, 'vite.config.ts'), join(root, 'package-lock.json')].filter(existsSync);
const newestSource = Math.max(...sources.map(newestMtime));
const upToDate = [marker, widgetFile].every((file) => existsSync(file) && statSync(file).mtimeMs >= newestSource);

if (upToDate && !args.includes('--force')) {
  process.exit(0);
}

const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
if (!existsSync(vite)) {
  if (args.includes('--if-possible')) {
    process.stderr.write(`printsync: the admin panel is not built (${outDir}) and vite is not installed; install with dev dependencies (npm install) to build it\n`);
    process.exit(0);
  }
  process.stderr.write('printsync: vite is not installed; run `npm install` (with dev dependencies) first\n');
  process.exit(1);
}
process.stderr.write(`printsync: building the admin panel (${outDir})…\n`);
const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn', '--config', join(web, 'vite.config.ts'), '--outDir', outDir], {
  cwd: web,
  stdio: 'inherit',
  // Called from Vitest, NODE_ENV is `test`, which would bundle React's development build.
  env: { ...process.env, NODE_ENV: 'production' },
});
if (result.status !== 0) process.exit(result.status ?? 1);
// The widget after the panel: the panel's build empties the folder.
const widget = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn', '--config', join(web, 'widget', 'vite.config.ts'), '--outDir', join(outDir, 'widget')], {
  cwd: join(web, 'widget'),
  stdio: 'inherit',
  env: { ...process.env, NODE_ENV: 'production' },
});
process.exit(widget.status ?? 1);
