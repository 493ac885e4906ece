import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { appIntegrations } from '../../src/extensions.js';
import type { IntegrationDefinition } from '../../src/platform/integration.js';

/**
 * Every integration folder is built from the same parts with the same names (issue 5,
 * "Conformance"): a reader who knows one knows them all. A part may be a file or, when it
 * grows, a folder of the same name. `common/` holds what integrations share and is not one.
 */
const REQUIRED = ['index.ts', 'settings.ts', 'README.md'];
const PARTS = ['index', 'settings', 'transport', 'mapping', 'export', 'inbound', 'panel'];
const SHARED = 'common';

const SOURCE_ROOT = join(process.cwd(), 'src', 'integrations');
const folders = [
  ...readdirSync(SOURCE_ROOT)
    .filter((name) => name !== SHARED && statSync(join(SOURCE_ROOT, name)).isDirectory())
    .map((name) => ({ name, path: join(SOURCE_ROOT, name), shipped: true })),
  // The tests' example integration is held to the same shape.
  { name: 'example', path: join(process.cwd(), 'test', 'support', 'example-integration'), shipped: false },
];

function filesUnder(path: string): string[] {
  return readdirSync(path).flatMap((entry) => {
    const full = join(path, entry);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

describe('integration folders', () => {
  it('finds the four shipped integrations', () => {
    expect(folders.filter((f) => f.shipped).map((f) => f.name).sort()).toEqual(['asystem', 'axiom', 'bitrix24', 'poly1c']);
  });

  describe.each(folders)('$name', ({ name, path, shipped }) => {
    it('has the required parts, and only parts of the shared vocabulary', () => {
      const entries = readdirSync(path);
      for (const required of REQUIRED) expect(entries, `${name}/ has no ${required}`).toContain(required);
      const strangers = entries.filter((entry) => entry !== 'README.md' && !PARTS.includes(entry.replace(/\.ts$/, '')));
      expect(strangers, `${name}/ has files outside the parts ${PARTS.join(', ')}`).toEqual([]);
    });

    it('defines one integration named after its folder in index.ts, and the build runs it', async () => {
      const module = (await import(pathToFileURL(join(path, 'index.ts')).href)) as Record<string, unknown>;
      const definitions = Object.values(module).filter((value): value is IntegrationDefinition =>
        typeof value === 'object' && value !== null && typeof (value as { setup?: unknown }).setup === 'function' && typeof (value as { name?: unknown }).name === 'string',
      );
      expect(definitions.map((d) => d.name)).toEqual([name]);
      if (shipped) expect(appIntegrations().map((d) => d.name)).toContain(name);
    });

    it('imports no other integration (shared code lives in integrations/common)', () => {
      const offenders: string[] = [];
      for (const file of filesUnder(path).filter((f) => f.endsWith('.ts'))) {
        for (const [, specifier] of readFileSync(file, 'utf8').matchAll(/from '([^']+)'/g)) {
          const target = specifier!.startsWith('.') ? join(file, '..', specifier!) : specifier!;
          const inIntegrations = relative(SOURCE_ROOT, target);
          const elsewhere = inIntegrations.startsWith('..');
          const shared = inIntegrations === SHARED || inIntegrations.startsWith(`${SHARED}/`);
          const own = shipped && (inIntegrations === name || inIntegrations.startsWith(`${name}/`));
          if (!elsewhere && !shared && !own) offenders.push(`${relative(process.cwd(), file)} → ${specifier}`);
        }
      }
      expect(offenders).toEqual([]);
    });

    it('says in its README what each part holds', () => {
      const readme = readFileSync(join(path, 'README.md'), 'utf8');
      const present = readdirSync(path).map((entry) => entry.replace(/\.ts$/, '')).filter((entry) => PARTS.includes(entry));
      for (const part of present) expect(readme, `${name}/README.md does not mention ${part}`).toMatch(new RegExp(`\`${part}(\\.ts|/)\``));
    });
  });

  it('leaves the admin panel knowing no integration by name: it draws what the server describes', () => {
    const names = appIntegrations().flatMap((i) => [i.name, i.title.ru, i.title.en]);
    const mentions = filesUnder(join(process.cwd(), 'web', 'src')).flatMap((file) => {
      const text = readFileSync(file, 'utf8').toLowerCase();
      return names.filter((name) => text.includes(name.toLowerCase())).map((name) => `${relative(process.cwd(), file)}: ${name}`);
    });
    expect(mentions).toEqual([]);
  });

  it('has nothing in integrations/common that names a specific integration', () => {
    const shared = filesUnder(join(SOURCE_ROOT, SHARED)).filter((f) => existsSync(f) && f.endsWith('.ts'));
    const named = shared.filter((file) => /from '\.\.\/(bitrix24|asystem|axiom|poly1c)\//.test(readFileSync(file, 'utf8')));
    expect(named).toEqual([]);
  });
});
