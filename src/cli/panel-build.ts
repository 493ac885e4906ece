import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PANEL_DIST } from '../http/panel.js';

const BUILD_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'scripts', 'build-web.js');

/** Where the built admin panel is: `PANEL_DIR`, or web/dist of this checkout. */
export function panelDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.PANEL_DIR || PANEL_DIST;
}

/**
 * Builds the admin panel before the server starts when it is missing or older than its sources
 * (a fresh clone started with `npx printsync serve`, a `git pull`): every documented way to
 * start printsync serves a working panel. A no-op taking milliseconds when it is up to date;
 * without vite (a production install) the server starts and says how to build it.
 */
export function ensurePanelBuilt(dir: string): void {
  const result = spawnSync(process.execPath, [BUILD_SCRIPT, '--out', dir, '--if-possible'], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) throw new Error(`the admin panel could not be built into ${dir} (scripts/build-web.js exited with ${result.status})`);
}
