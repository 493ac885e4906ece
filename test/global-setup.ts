import { spawnSync } from 'node:child_process';

/**
 * Runs once before any test file. The admin panel is built here, not in each browser test
 * file: test files run in parallel workers, and two Vite builds of the same `web/dist` empty it
 * under each other's feet.
 */
export default function setup(): void {
  const result = spawnSync(process.execPath, ['scripts/build-web.js'], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error('scripts/build-web.js failed: the admin panel could not be built');
}
