import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { createLogger } from '../../src/logger.js';
import { DomainError } from '../../src/domain/errors.js';
import { defineSettings, settingsDefinition } from '../../src/settings/definition.js';
import type { SettingsForm } from '../../src/settings/definition.js';
import { SettingsRegistry } from '../../src/settings/registry.js';
import { SettingsStore } from '../../src/store/settings.js';
import { TEST_DIALECTS } from '../support/databases.js';
import { startTestApi } from '../support/api-server.js';
import type { ApiResponse, TestApi } from '../support/api-server.js';
import { z } from 'zod';
import { DEMO_API_KEY, OTHER_API_KEY, demoCrm, demoCrmSettings } from '../support/demo-crm.js';

interface SettingsBody {
  name: string;
  title: { ru: string; en: string };
  enabled: boolean;
  version: number;
  updatedBy: string | null;
  settings: Record<string, unknown>;
  secrets: Record<string, { hasValue: boolean; masked: string | null }>;
  secretFields: string[];
  schema: { properties: Record<string, Record<string, unknown>>; required?: string[] };
  capabilities: { testConnection: boolean; liveValidation: boolean; actions: Array<{ id: string; title: string; fills: string[] }> };
}

interface ErrorBody {
  code: string;
  message: string;
  details: Array<{ path: string; message: string }>;
}

const PATH = '/api/v1/integrations/demo-crm/settings';
const validSettings = { portalUrl: 'https://crm.example.ru', apiKey: DEMO_API_KEY, userId: 7, funnel: 'print' };

describe.each(TEST_DIALECTS)('integration settings API on %s', (dialect) => {
  let api: TestApi;
  /** Every response body this suite saw, to prove no secret ever left in plain text. */
  const seen: string[] = [];
  const request = async <T>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>> => {
    const response = await api.request<T>(method, path, body);
    seen.push(JSON.stringify(response.body));
    return response;
  };
  const latestVersion = async () => (await request<SettingsBody>('GET', PATH)).body.version;

  beforeAll(async () => {
    api = await startTestApi(dialect, { integrations: [demoCrm] });
  });
  afterAll(async () => {
    for (const body of seen) {
      expect(body).not.toContain(DEMO_API_KEY);
      expect(body).not.toContain(OTHER_API_KEY);
    }
    await api?.close();
  });

  it('lists the registered integration, never saved yet, and serves its form schema', async () => {
    const list = await request<{ items: Array<Record<string, unknown>> }>('GET', '/api/v1/integrations');
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([
      {
        name: 'demo-crm',
        title: { ru: 'Демо CRM', en: 'Demo CRM' },
        enabled: false,
        version: 0,
        updatedAt: null,
        updatedBy: null,
        capabilities: { testConnection: true, liveValidation: true, actions: [] },
        alert: null,
      },
    ]);

    const form = await request<SettingsBody>('GET', PATH);
    expect(form.status).toBe(200);
    expect(form.body.version).toBe(0);
    expect(form.body.settings).toEqual({ funnel: 'sales' });
    expect(form.body.secrets).toEqual({ apiKey: { hasValue: false, masked: null } });
    expect(form.body.schema.properties.portalUrl).toMatchObject({ type: 'string', format: 'uri' });
    expect(form.body.schema.properties.apiKey).toMatchObject({ type: 'string', 'x-secret': true });
    expect(form.body.schema.properties.funnel).toMatchObject({ enum: ['sales', 'print'] });
  });

  it('saves versions, masks the secret on the way out and keeps it when the mask comes back', async () => {
    const first = await request<SettingsBody>('PUT', PATH, { version: 0, enabled: true, settings: validSettings });
    expect(first.status).toBe(200);
    expect(first.body.version).toBe(1);
    expect(first.body.enabled).toBe(true);
    expect(first.body.updatedBy).toBe('test');
    expect(first.body.settings).toEqual({ ...validSettings, apiKey: '••••3210' });
    expect(first.body.secrets.apiKey).toEqual({ hasValue: true, masked: '••••3210' });

    // The form posts back what it got, the mask included, with one field changed.
    const second = await request<SettingsBody>('PUT', PATH, { version: 1, enabled: true, settings: { ...first.body.settings, userId: 8 } });
    expect(second.status).toBe(200);
    expect(second.body.version).toBe(2);
    // Leaving the secret out keeps it too.
    const { apiKey: _left, ...withoutKey } = second.body.settings;
    const third = await request<SettingsBody>('PUT', PATH, { version: 2, enabled: true, settings: withoutKey });
    expect(third.body.version).toBe(3);

    // What an integration reads: typed, validated, the secret in plain text.
    const current = await api.services.stores.settings.require(demoCrmSettings);
    expect(current.version).toBe(3);
    expect(current.settings).toEqual({ ...validSettings, userId: 8 });

    const read = await request<SettingsBody>('GET', PATH);
    expect(read.body.version).toBe(3);
    expect(read.body.settings.userId).toBe(8);

    const history = await request<{ items: Array<{ version: number; settings: Record<string, unknown>; createdBy: string }>; nextCursor: string | null }>(
      'GET',
      `${PATH}/history?limit=2`,
    );
    expect(history.body.items.map((v) => v.version)).toEqual([3, 2]);
    expect(history.body.items[0]?.settings.apiKey).toBe('••••3210');
    const older = await request<{ items: Array<{ version: number; settings: Record<string, unknown> }>; nextCursor: string | null }>(
      'GET',
      `${PATH}/history?limit=2&cursor=${history.body.nextCursor}`,
    );
    expect(older.body.items.map((v) => [v.version, v.settings.userId])).toEqual([[1, 7]]);
    expect(older.body.nextCursor).toBeNull();
  });

  it('refuses a stale version with 409 and changes nothing', async () => {
    const version = await latestVersion();
    const stale = await request<ErrorBody>('PUT', PATH, { version: version - 1, enabled: true, settings: { ...validSettings, userId: 99 } });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('version_conflict');
    const after = await request<SettingsBody>('GET', PATH);
    expect(after.body.version).toBe(version);
    expect(after.body.settings.userId).not.toBe(99);
  });

  it('rejects invalid settings naming body.settings.<field>, and the previous version stays', async () => {
    const version = await latestVersion();
    const bad = await request<ErrorBody>('PUT', PATH, {
      version,
      enabled: true,
      settings: { ...validSettings, portalUrl: 'not a url', userId: -1, colour: 'red' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('validation_failed');
    expect(bad.body.details.map((d) => d.path).sort()).toEqual(['body.settings', 'body.settings.portalUrl', 'body.settings.userId']);
    expect(bad.body.details.find((d) => d.path === 'body.settings')?.message).toContain('colour');

    const missing = await request<ErrorBody>('PUT', PATH, { version, enabled: true, settings: {} });
    expect(missing.status).toBe(400);
    // The stored apiKey fills in for the one left out; only fields with nothing stored are missing.
    expect(missing.body.details.map((d) => d.path).sort()).toEqual(['body.settings.portalUrl', 'body.settings.userId']);

    const badShape = await request<ErrorBody>('PUT', PATH, { version: 'one', enabled: true, settings: validSettings });
    expect(badShape.status).toBe(400);
    expect(badShape.body.details.map((d) => d.path)).toEqual(['body.version']);

    expect(await latestVersion()).toBe(version);
  });

  it('checks against the live system when enabled: a problem is a 400 on the field and nothing is saved', async () => {
    const version = await latestVersion();
    const refused = await request<ErrorBody>('PUT', PATH, { version, enabled: true, settings: { ...validSettings, userId: 404 } });
    expect(refused.status).toBe(400);
    expect(refused.body.details).toEqual([{ path: 'body.settings.userId', message: 'no such employee on the portal' }]);
    expect(await latestVersion()).toBe(version);

    // Switched off, the live system is not asked: the admin can park settings while the portal is down.
    const parked = await request<SettingsBody>('PUT', PATH, { version, enabled: false, settings: { ...validSettings, userId: 404 } });
    expect(parked.status).toBe(200);
    expect(parked.body.enabled).toBe(false);
    const list = await request<{ items: Array<{ enabled: boolean; version: number }> }>('GET', '/api/v1/integrations');
    expect(list.body.items[0]).toMatchObject({ enabled: false, version: version + 1 });

    const back = await request<SettingsBody>('PUT', PATH, { version: version + 1, enabled: true, settings: validSettings });
    expect(back.status).toBe(200);
    expect(back.body.enabled).toBe(true);
  });

  it('tests the connection with saved settings or with unsaved form values, secrets masked in the answer', async () => {
    const saved = await request<{ ok: boolean; message: string }>('POST', '/api/v1/integrations/demo-crm/test-connection');
    expect(saved.status).toBe(200);
    expect(saved.body).toEqual({ ok: true, message: 'connected to https://crm.example.ru as employee 7' });

    const form = await request<SettingsBody>('GET', PATH);
    const draft = await request<{ ok: boolean; message: string }>('POST', '/api/v1/integrations/demo-crm/test-connection', {
      settings: { ...form.body.settings, apiKey: OTHER_API_KEY },
    });
    expect(draft.status).toBe(200);
    expect(draft.body.ok).toBe(false);
    expect(draft.body.message).toContain('401 Unauthorized');
    expect(draft.body.message).toContain('***');

    const invalidDraft = await request<ErrorBody>('POST', '/api/v1/integrations/demo-crm/test-connection', {
      settings: { ...form.body.settings, portalUrl: 'nope' },
    });
    expect(invalidDraft.status).toBe(400);
    expect(invalidDraft.body.details.map((d) => d.path)).toEqual(['body.settings.portalUrl']);
  });

  it('«Проверить подключение» on saved settings tests what jobs read: defaults fill a field a newer release added', async () => {
    // The next release adds a required field with a default; nobody has saved the form since.
    const nextRelease = settingsDefinition(demoCrmSettings.integration, demoCrmSettings.title, {
      secretFields: ['apiKey'],
      schema: z.strictObject({
        portalUrl: z.url(),
        apiKey: z.string().min(8),
        userId: z.number().int().positive(),
        funnel: z.enum(['sales', 'print']).default('sales'),
        region: z.enum(['ru', 'kz']),
      }),
      defaults: { funnel: 'sales', region: 'ru' },
      testConnection: async (settings) => ({ ok: true, message: `connected as employee ${settings.userId} in ${settings.region}` }),
    } satisfies SettingsForm<{ portalUrl: string; apiKey: string; userId: number; funnel: 'sales' | 'print'; region: 'ru' | 'kz' }>);
    const store = new SettingsStore(api.services.database.db, new SettingsRegistry([nextRelease]));
    const saved = await store.require(nextRelease);
    expect(saved.settings.region).toBe('ru');
    expect(await store.testConnection('demo-crm', undefined)).toEqual({ ok: true, message: `connected as employee ${saved.settings.userId} in ru` });
  });

  it('restores a secret bound to an address only while that address (as the schema normalizes it) stays the same', async () => {
    const bound = settingsDefinition(
      'bound-crm',
      { ru: 'CRM с адресом', en: 'Bound CRM' },
      defineSettings({
        schema: z.strictObject({
          portalUrl: z.url().transform((url) => new URL(url).origin),
          apiKey: z.string().min(8),
          token: z.string().nullish().transform((value) => value ?? null),
        }),
        secretFields: ['apiKey', 'token'],
        secretAddresses: { apiKey: 'portalUrl' },
        defaults: { token: null },
      }),
    );
    const store = new SettingsStore(api.services.database.db, new SettingsRegistry([bound]));
    const save = (expectedVersion: number, settings: Record<string, unknown>) => store.save('bound-crm', { expectedVersion, enabled: true, settings }, { pathPrefix: 'body.settings' });
    await save(0, { portalUrl: 'https://crm.example.ru', apiKey: DEMO_API_KEY, token: 'unbound-token-123' });

    // The same origin written another way: the mask, or leaving the key out, keeps it.
    expect((await save(1, { portalUrl: 'https://CRM.example.ru/deals', apiKey: '••••3210' })).settings.apiKey).toBe(DEMO_API_KEY);
    expect((await save(2, { portalUrl: 'https://crm.example.ru/' })).settings).toMatchObject({ apiKey: DEMO_API_KEY, token: 'unbound-token-123' });

    // Another address: the bound key must be typed again (the unbound token is kept as before).
    for (const settings of [{ portalUrl: 'https://elsewhere.example', apiKey: '••••3210' }, { portalUrl: 'https://crm.example.ru:8443' }]) {
      const refused = await save(3, settings).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(DomainError);
      expect(refused).toMatchObject({
        code: 'validation_failed',
        details: [{ path: 'body.settings.apiKey', message: expect.stringContaining('Адрес изменился: введите ключ заново') }],
      });
    }
    expect((await store.latest('bound-crm'))?.version).toBe(3);
    const moved = await save(3, { portalUrl: 'https://elsewhere.example', apiKey: OTHER_API_KEY, token: '••••' });
    expect(moved.settings).toMatchObject({ portalUrl: 'https://elsewhere.example', apiKey: OTHER_API_KEY, token: 'unbound-token-123' });
  });

  it('defineSettings refuses secretAddresses that bind a field that is not a secret, or bind a secret to another secret', () => {
    const schema = z.strictObject({ url: z.string(), key: z.string(), other: z.string() });
    expect(() => defineSettings({ schema, secretFields: ['key'], secretAddresses: { url: 'key' }, defaults: {} })).toThrow(
      'secretAddresses names "url", which is not one of the secret fields',
    );
    expect(() => defineSettings({ schema, secretFields: ['key', 'other'], secretAddresses: { key: 'other' }, defaults: {} })).toThrow(
      'secretAddresses binds "key" to "other", a secret field, not an address',
    );
  });

  it('answers 404 for an integration that is not installed', async () => {
    for (const [method, path, body] of [
      ['GET', '/api/v1/integrations/nope/settings', undefined],
      ['PUT', '/api/v1/integrations/nope/settings', { version: 0, enabled: true, settings: {} }],
      ['GET', '/api/v1/integrations/nope/settings/history', undefined],
      ['POST', '/api/v1/integrations/nope/test-connection', undefined],
    ] as const) {
      const response = await request<ErrorBody>(method, path, body);
      expect(response.status, `${method} ${path}`).toBe(404);
    }
  });

  it('a change saved through one app instance is seen at once by another on the same database', async () => {
    const other = await createApp(api.services.config, { logger: createLogger('silent'), integrations: [demoCrm] });
    try {
      const before = await other.stores.settings.require(demoCrmSettings);
      const version = await latestVersion();
      expect(before.version).toBe(version);

      const saved = await request<SettingsBody>('PUT', PATH, { version, enabled: true, settings: { ...validSettings, funnel: 'sales' } });
      expect(saved.status).toBe(200);
      const seenByOther = await other.stores.settings.require(demoCrmSettings);
      expect(seenByOther.version).toBe(version + 1);
      expect(seenByOther.settings.funnel).toBe('sales');

      // And the other way round: a save by the second instance (say, a CLI) shows in the first's API.
      await other.stores.settings.save('demo-crm', {
        expectedVersion: version + 1,
        enabled: true,
        settings: { ...validSettings, funnel: 'print', userId: 12 },
        by: 'cli',
      });
      const read = await request<SettingsBody>('GET', PATH);
      expect(read.body).toMatchObject({ version: version + 2, updatedBy: 'cli', settings: { funnel: 'print', userId: 12 } });
    } finally {
      await other.close();
    }
  });

  it('two parallel saves from the same version: one wins, the other gets 409', async () => {
    const version = await latestVersion();
    const results = await Promise.all(
      [21, 22, 23].map((userId) => request<SettingsBody>('PUT', PATH, { version, enabled: true, settings: { ...validSettings, userId } })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409]);
    const winner = results.find((r) => r.status === 200)!;
    const read = await request<SettingsBody>('GET', PATH);
    expect(read.body.version).toBe(version + 1);
    expect(read.body.settings.userId).toBe(winner.body.settings.userId);
  });

  it('stores the secret itself in the settings row, since the integration needs it to call the system', async () => {
    const db = api.services.database.db;
    const settingsRows = await db.selectFrom('settings').select('data').execute();
    expect(settingsRows.some((row) => row.data.includes(DEMO_API_KEY))).toBe(true);
  });
});
