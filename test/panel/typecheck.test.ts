import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/**
 * The root `tsc --noEmit` covers the server; the panel has its own tsconfig (DOM, JSX, bundler
 * resolution), so `npm test` type-checks it here.
 */
describe('admin panel sources', () => {
  it('type-check with web/tsconfig.json', () => {
    const result = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'web', '--noEmit'], { encoding: 'utf8' });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  }, 120_000);
});
