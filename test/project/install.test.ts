import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string }; scripts: Record<string, string> };
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string; engines?: { node?: string } | string[]; optional?: boolean; os?: string[]; cpu?: string[] }>;
};

/**
 * Issue 6, "A new user's start": an install on the Node.js version printsync supports is clean
 * (npm warned EBADENGINE for two packages pulled in that want Node 22), and installing builds
 * the admin panel, so `npx printsync serve` right after `npm install` shows it.
 */
describe('installing printsync', () => {
  it('pulls in no package whose engines exclude the Node.js versions printsync supports', () => {
    const supported = semver.minVersion(manifest.engines.node)!;
    const refusing = Object.entries(lock.packages)
      .filter(([path]) => path !== '')
      .flatMap(([path, entry]) => {
        const range = !Array.isArray(entry.engines) ? entry.engines?.node : undefined;
        if (!range) return [];
        const unhappy = [supported.version, process.versions.node].filter((version) => !semver.satisfies(version, range));
        return unhappy.length ? [`${path.replace(/^node_modules\//, '')}@${entry.version} wants node ${range}, not ${unhappy.join(', ')}`] : [];
      });
    expect(refusing).toEqual([]);
  });

  it('builds the admin panel on install (and skips the build quietly where dev dependencies are left out)', () => {
    expect(manifest.scripts.postinstall).toBe('node scripts/build-web.js --if-possible');
  });
});
