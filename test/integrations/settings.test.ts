import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBitrix24Emulator } from '../../emulators/bitrix24/server.js';
import { webhookFields } from '../support/bitrix24-portal.js';
import type { Bitrix24Emulator } from '../../emulators/bitrix24/server.js';
import { appIntegrations } from '../../src/extensions.js';
import { startTestApi } from '../support/api-server.js';
import { closedPort } from '../support/ports.js';
import type { ApiResponse, TestApi } from '../support/api-server.js';

interface SettingsBody {
  name: string;
  enabled: boolean;
  version: number;
  settings: Record<string, unknown>;
  secrets: Record<string, { hasValue: boolean; masked: string | null }>;
  capabilities: { testConnection: boolean; liveValidation: boolean; actions: Array<{ id: string; title: string; fills: string[] }> };
}

interface ErrorBody {
  code: string;
  message: string;
  details: Array<{ path: string; message: string }>;
}

interface TestResult {
  ok: boolean;
  message: string;
}

/** A small HTTP server answering like an ERP under the assumed contract. */
async function startJsonServer(handle: (req: IncomingMessage) => { status: number; body: unknown }): Promise<{ url: string; server: Server }> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const { status, body } = handle(req);
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/html' : 'application/json' });
    res.end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/**
 * Where a changed address points: answers every request with a 404 and keeps what it was sent
 * (request line, headers, body), to show whether a stored secret ever got there.
 */
async function startRecorder(): Promise<{ url: string; server: Server; received: string[] }> {
  const received: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push(`${req.method} ${req.url}\n${JSON.stringify(req.headers)}\n${body}`);
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'not_found', message: 'nothing here' } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, received };
}

const MOVED = 'Адрес изменился: введите ключ заново — сохранённый ключ отправляется только на адрес, с которым он был сохранён';

describe('integration settings of the four systems over HTTP', () => {
  let api: TestApi;
  let b24: Bitrix24Emulator;
  let elsewhere: Awaited<ReturnType<typeof startRecorder>>;
  /** Every secret used below; none may appear in any response body. */
  const secrets: string[] = [];
  const seen: string[] = [];
  const request = async <T>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>> => {
    const response = await api.request<T>(method, path, body);
    seen.push(JSON.stringify(response.body));
    return response;
  };
  const version = async (name: string) => (await request<SettingsBody>('GET', `/api/v1/integrations/${name}/settings`)).body.version;

  beforeAll(async () => {
    api = await startTestApi('sqlite', { integrations: appIntegrations() });
    b24 = await startBitrix24Emulator({ rate: false });
    elsewhere = await startRecorder();
  });

  afterAll(async () => {
    for (const body of seen) for (const secret of secrets) expect(body).not.toContain(secret);
    await new Promise<void>((resolve) => (elsewhere ? elsewhere.server.close(() => resolve()) : resolve()));
    await b24?.stop();
    await api?.close();
  });

  it('lists Битрикс24, ASystem, Axiom and 1С:Полиграфия, in the seed order, with their titles', async () => {
    const list = await request<{ items: Array<{ name: string; title: { ru: string; en: string }; enabled: boolean; capabilities: object }> }>(
      'GET',
      '/api/v1/integrations',
    );
    expect(list.status).toBe(200);
    expect(list.body.items.map((i) => [i.name, i.title.ru, i.title.en, i.enabled])).toEqual([
      ['bitrix24', 'Битрикс24', 'Bitrix24', false],
      ['asystem', 'ASystem', 'ASystem', false],
      ['axiom', 'Axiom', 'Axiom', false],
      ['poly1c', '1С:Полиграфия', '1C:Poligrafiya', false],
    ]);
    expect(list.body.items[0]!.capabilities).toEqual({ testConnection: true, liveValidation: true, actions: [] });
    expect(list.body.items[3]!.capabilities).toEqual({ testConnection: false, liveValidation: false, actions: [] });
  });

  describe('Битрикс24 against the emulator', () => {
    const PATH = '/api/v1/integrations/bitrix24/settings';
    let good: ReturnType<typeof webhookFields>;

    beforeAll(() => {
      good = webhookFields(b24.webhookUrl);
      secrets.push(good.webhookCode, b24.applicationToken);
    });

    it('serves its form: Russian labels, secrets marked, order types labelled', async () => {
      const form = await request<SettingsBody & { schema: { properties: Record<string, Record<string, unknown>>; required: string[] } }>('GET', PATH);
      expect(form.status).toBe(200);
      const props = form.body.schema.properties;
      expect(props.portalUrl).toMatchObject({ title: 'URL портала:' });
      expect(props.webhookCode).toMatchObject({ title: 'Код входящего вебхука (batch):', 'x-secret': true });
      expect(props.applicationToken).toMatchObject({ title: 'Токен исходящего вебхука:', 'x-secret': true });
      expect(props.orderTypes).toMatchObject({ enum: ['all', 'persons', 'organizations'], 'x-labels': { all: 'Все заказы клиентов' } });
      expect(props.responsibleId).toMatchObject({ title: 'ID ответственного за сделку сотрудника:' });
      expect(props.leadsEnabled).toMatchObject({ type: 'boolean', title: 'Передача новых клиентов в Битрикс в качестве лидов' });
      expect(form.body.schema.required.sort()).toEqual(['portalUrl', 'userId', 'webhookCode']);
      expect(form.body.settings).toMatchObject({ orderTypes: 'all', leadsEnabled: false, telephonyEnabled: false });
    });

    it('says in Russian which fields are missing or malformed', async () => {
      const saved = await request<ErrorBody>('PUT', PATH, { version: 0, enabled: true, settings: { portalUrl: 'https://pxl.bitrix24.ru/rest/1/abc/', webhookCode: 'a b' } });
      expect(saved.status).toBe(400);
      const byPath = Object.fromEntries(saved.body.details.map((d) => [d.path, d.message]));
      expect(byPath['body.settings.portalUrl']).toMatch(/Только адрес портала/);
      expect(byPath['body.settings.userId']).toBe('Заполните поле');
      expect(byPath['body.settings.webhookCode']).toMatch(/латинские буквы и цифры/);
    });

    it('refuses a wrong webhook code on the code field, in Russian, and saves nothing', async () => {
      const wrongCode = 'zz' + good.webhookCode.slice(2);
      secrets.push(wrongCode);
      const saved = await request<ErrorBody>('PUT', PATH, { version: 0, enabled: true, settings: { ...good, webhookCode: wrongCode } });
      expect(saved.status).toBe(400);
      expect(saved.body.code).toBe('validation_failed');
      expect(saved.body.details).toHaveLength(1);
      expect(saved.body.details[0]!.path).toBe('body.settings.webhookCode');
      expect(saved.body.details[0]!.message).toMatch(/Битрикс24 не принял вебхук .*ID сотрудника/);
      expect(await version('bitrix24')).toBe(0);

      const tested = await request<TestResult>('POST', '/api/v1/integrations/bitrix24/test-connection', { settings: { ...good, webhookCode: wrongCode } });
      expect(tested.status).toBe(200);
      expect(tested.body.ok).toBe(false);
      expect(tested.body.message).toMatch(/INVALID_CREDENTIALS/);
    });

    it('refuses a webhook without the crm scope, naming the missing right', async () => {
      const noCrm = webhookFields(b24.addWebhook({ scopes: ['user', 'telephony'] }));
      secrets.push(noCrm.webhookCode);
      const saved = await request<ErrorBody>('PUT', PATH, { version: 0, enabled: true, settings: noCrm });
      expect(saved.status).toBe(400);
      expect(saved.body.details).toEqual([{ path: 'body.settings.webhookCode', message: expect.stringContaining('нет права «CRM (crm)»') }]);
      expect(saved.body.details[0]!.message).toContain('сейчас: user, telephony');
      expect(await version('bitrix24')).toBe(0);
    });

    it('names the portal address when nothing answers there, or something that is not Bitrix24', async () => {
      const port = await closedPort();
      const down = await request<ErrorBody>('PUT', PATH, { version: 0, enabled: true, settings: { ...good, portalUrl: `http://127.0.0.1:${port}` } });
      expect(down.status).toBe(400);
      expect(down.body.details).toEqual([
        { path: 'body.settings.portalUrl', message: `Портал Битрикс24 недоступен: http://127.0.0.1:${port} не отвечает: соединение отклонено (сервер выключен или порт закрыт)` },
      ]);
      const tested = await request<TestResult>('POST', '/api/v1/integrations/bitrix24/test-connection', { settings: { ...good, portalUrl: `http://127.0.0.1:${port}` } });
      expect(tested.body).toEqual({ ok: false, message: expect.stringContaining('не отвечает: соединение отклонено') });

      // printsync's own API is a web server, but not a Bitrix24 portal.
      const elsewhere = await request<ErrorBody>('PUT', PATH, { version: 0, enabled: true, settings: { ...good, portalUrl: api.baseUrl } });
      expect(elsewhere.status).toBe(400);
      expect(elsewhere.body.details[0]).toEqual({ path: 'body.settings.portalUrl', message: expect.stringMatching(/отвечает не Битрикс24 REST/) });
      expect(await version('bitrix24')).toBe(0);
    });

    it('checks the chosen funnel and responsible employee on the portal', async () => {
      const saved = await request<ErrorBody>('PUT', PATH, { version: 0, enabled: true, settings: { ...good, categoryId: 7, responsibleId: 4 } });
      expect(saved.status).toBe(400);
      const byPath = Object.fromEntries(saved.body.details.map((d) => [d.path, d.message]));
      expect(byPath['body.settings.categoryId']).toMatch(/нет направления сделок с ID 7; есть: .*1 «Печать»/);
      expect(byPath['body.settings.responsibleId']).toMatch(/Сотрудник с ID 4 уволен/);
    });

    it('saves a good webhook and the connection test names the employee', async () => {
      const settings = {
        ...good,
        applicationToken: b24.applicationToken,
        orderTypes: 'persons',
        categoryId: 1,
        responsibleId: 2,
        leadsEnabled: true,
        // Funnel 1's own stages: the default mapping names the general funnel's.
        stageToStatus: [{ stageId: 'C1:WON', status: 'Delivered', markPaid: true }],
        statusToStage: [{ status: 'Printing', stageId: 'C1:UC_8KQ2ZD' }],
      };
      const saved = await request<SettingsBody>('PUT', PATH, { version: 0, enabled: true, settings });
      expect(saved.status).toBe(200);
      expect(saved.body).toMatchObject({ enabled: true, version: 1, settings: { portalUrl: good.portalUrl, userId: 1, orderTypes: 'persons', categoryId: 1 } });
      expect(saved.body.secrets.webhookCode).toEqual({ hasValue: true, masked: '••••' + good.webhookCode.slice(-4) });
      const stored = await api.services.stores.settings.latest('bitrix24');
      expect(stored?.settings.webhookCode).toBe(good.webhookCode);

      // Saved settings, and the form's draft with the secrets sent back masked.
      const tested = await request<TestResult>('POST', '/api/v1/integrations/bitrix24/test-connection');
      expect(tested.body).toEqual({ ok: true, message: expect.stringContaining('вебхук сотрудника Иван Петров (ID 1)') });
      const draft = await request<TestResult>('POST', '/api/v1/integrations/bitrix24/test-connection', { settings: saved.body.settings });
      expect(draft.body.ok).toBe(true);
    });

    it('tells a CRM-only webhook (as the seed makes it) by its employee too', async () => {
      const crmOnly = webhookFields(b24.addWebhook({ userId: 2, scopes: ['crm'] }));
      secrets.push(crmOnly.webhookCode);
      const tested = await request<TestResult>('POST', '/api/v1/integrations/bitrix24/test-connection', { settings: crmOnly });
      expect(tested.body).toEqual({ ok: true, message: expect.stringContaining('вебхук сотрудника Мария Смирнова (ID 2), права: crm') });
    });

    it('sends the saved webhook code and token only to the portal they were saved with', async () => {
      const TEST = '/api/v1/integrations/bitrix24/test-connection';
      const typedCode = 'typedForTheNewPortal42';
      secrets.push(typedCode);
      const v = await version('bitrix24');
      const saved = await request<SettingsBody>('PUT', PATH, { version: v, enabled: true, settings: { ...good, applicationToken: b24.applicationToken } });
      expect(saved.status).toBe(200);
      const form = saved.body.settings;
      const moved: Record<string, unknown> = { ...form, portalUrl: elsewhere.url };
      const { webhookCode: _code, applicationToken: _token, ...movedWithoutSecrets } = moved;
      elsewhere.received.length = 0;

      // «Проверить подключение» with another address and the masks (or the secrets left out): refused before any call.
      for (const settings of [moved, movedWithoutSecrets]) {
        const tested = await request<ErrorBody>('POST', TEST, { settings });
        expect(tested.status).toBe(400);
        expect(tested.body.code).toBe('validation_failed');
        expect(tested.body.details).toEqual([
          { path: 'body.settings.webhookCode', message: `${MOVED} (${good.portalUrl})` },
          { path: 'body.settings.applicationToken', message: `${MOVED} (${good.portalUrl})` },
        ]);
      }
      // The same rule on save, switched on or off.
      for (const enabled of [true, false]) {
        const put = await request<ErrorBody>('PUT', PATH, { version: v + 1, enabled, settings: moved });
        expect(put.status).toBe(400);
        expect(put.body.details.map((d) => d.path)).toEqual(['body.settings.webhookCode', 'body.settings.applicationToken']);
      }
      expect(elsewhere.received).toEqual([]);
      expect(await version('bitrix24')).toBe(v + 1);

      // The same portal written another way is the same address: the masks keep working.
      for (const portalUrl of [good.portalUrl, `${good.portalUrl}/`, `${good.portalUrl}/crm/deal/`]) {
        const same = await request<TestResult>('POST', TEST, { settings: { ...form, portalUrl } });
        expect(same.body, portalUrl).toMatchObject({ ok: true });
      }
      const kept = await request<SettingsBody>('PUT', PATH, { version: v + 1, enabled: true, settings: { ...form, portalUrl: `${good.portalUrl}/` } });
      expect(kept.status).toBe(200);

      // Typed again, the new code goes to the new address; nothing saved goes with it.
      const typed = await request<TestResult>('POST', TEST, { settings: { ...moved, webhookCode: typedCode, applicationToken: null } });
      expect(typed.status).toBe(200);
      expect(typed.body.ok).toBe(false);
      const movedSave = await request<SettingsBody>('PUT', PATH, { version: v + 2, enabled: false, settings: { ...moved, webhookCode: typedCode, applicationToken: null } });
      expect(movedSave.status).toBe(200);
      expect(elsewhere.received.length).toBeGreaterThan(0);
      expect(elsewhere.received[0]).toContain(`POST /rest/1/${typedCode}/scope.json`);
      for (const received of elsewhere.received) {
        expect(received).not.toContain(good.webhookCode);
        expect(received).not.toContain(b24.applicationToken);
      }
      expect((await api.services.stores.settings.latest('bitrix24'))?.settings).toMatchObject({ portalUrl: elsewhere.url, webhookCode: typedCode, applicationToken: null });
    });
  });

  describe('ASystem (assumed contract, a local server)', () => {
    const KEY = 'as-key-0123456789abcdef';
    const MASK = '••••' + KEY.slice(-4);
    let erp: { url: string; server: Server };
    /** The keys the server was sent, in order. */
    const keysSeen: unknown[] = [];

    beforeAll(async () => {
      secrets.push(KEY);
      erp = await startJsonServer((req) => {
        keysSeen.push(req.headers['x-api-key']);
        if (req.url !== '/api/v1/ping') return { status: 404, body: '<html>not here</html>' };
        if (req.headers['x-api-key'] !== KEY) return { status: 401, body: { error: { code: 'unauthorized', message: 'invalid api key' } } };
        return { status: 200, body: { ok: true, version: '3.2' } };
      });
    });
    afterAll(() => new Promise<void>((resolve) => erp.server.close(() => resolve())));

    it('adds https:// and port 3000 to a bare host', async () => {
      const saved = await request<SettingsBody>('PUT', '/api/v1/integrations/asystem/settings', {
        version: 0,
        enabled: false,
        settings: { apiHost: ' erp.print.example/ ', apiKey: KEY },
      });
      expect(saved.status).toBe(200);
      expect(saved.body.settings.apiHost).toBe('https://erp.print.example:3000');
    });

    it('keeps the saved key for its address however that is written, and asks for it again for another one', async () => {
      for (const apiHost of ['https://erp.print.example:3000', 'erp.print.example', 'HTTPS://ERP.print.example/']) {
        const kept = await request<SettingsBody>('PUT', '/api/v1/integrations/asystem/settings', {
          version: await version('asystem'),
          enabled: false,
          settings: { apiHost, apiKey: MASK },
        });
        expect(kept.status, apiHost).toBe(200);
      }
      const moved = await request<ErrorBody>('PUT', '/api/v1/integrations/asystem/settings', {
        version: await version('asystem'),
        enabled: false,
        settings: { apiHost: 'erp.print.example:3001', apiKey: MASK },
      });
      expect(moved.status).toBe(400);
      expect(moved.body.details).toEqual([{ path: 'body.settings.apiKey', message: `${MOVED} (https://erp.print.example:3000)` }]);
    });

    it('tests the connection and saves with a good key; a wrong key lands on «Api Key»', async () => {
      // Saved for erp.print.example: the mask does not carry the key to this server.
      const masked = await request<ErrorBody>('POST', '/api/v1/integrations/asystem/test-connection', { settings: { apiHost: erp.url, apiKey: MASK } });
      expect(masked.status).toBe(400);
      expect(masked.body.details).toEqual([{ path: 'body.settings.apiKey', message: `${MOVED} (https://erp.print.example:3000)` }]);
      expect(keysSeen).toEqual([]);

      const ok = await request<TestResult>('POST', '/api/v1/integrations/asystem/test-connection', { settings: { apiHost: erp.url, apiKey: KEY } });
      expect(ok.body).toEqual({ ok: true, message: `сервер ASystem ${erp.url} отвечает, версия 3.2` });
      expect(keysSeen).toEqual([KEY]);

      const version1 = await version('asystem');
      const wrong = await request<ErrorBody>('PUT', '/api/v1/integrations/asystem/settings', {
        version: version1,
        enabled: true,
        settings: { apiHost: erp.url, apiKey: 'as-key-wrong-000000' },
      });
      expect(wrong.status).toBe(400);
      expect(wrong.body.details).toEqual([{ path: 'body.settings.apiKey', message: 'ASystem не принял Api Key (HTTP 401 — invalid api key): проверьте ключ' }]);

      const saved = await request<SettingsBody>('PUT', '/api/v1/integrations/asystem/settings', {
        version: version1,
        enabled: true,
        settings: { apiHost: erp.url, apiKey: KEY },
      });
      expect(saved.status).toBe(200);
      expect(saved.body).toMatchObject({ version: version1 + 1, enabled: true, settings: { apiHost: `${erp.url}` } });

      // Now saved for this server: the mask is enough.
      const again = await request<SettingsBody>('PUT', '/api/v1/integrations/asystem/settings', {
        version: version1 + 1,
        enabled: true,
        settings: { apiHost: erp.url, apiKey: MASK },
      });
      expect(again.status).toBe(200);
    });

    it('names the host when something else answers there', async () => {
      const tested = await request<TestResult>('POST', '/api/v1/integrations/asystem/test-connection', { settings: { apiHost: api.baseUrl, apiKey: KEY } });
      expect(tested.body.ok).toBe(false);
      expect(tested.body.message).toMatch(/не API ASystem/);
    });
  });

  describe('Axiom (assumed contract, a local server)', () => {
    const KEY = 'ax-key-fedcba9876543210';
    let erp: { url: string; server: Server };

    beforeAll(async () => {
      secrets.push(KEY);
      erp = await startJsonServer((req) => {
        if (req.url !== '/api/v1/templates') return { status: 404, body: { error: { code: 'not_found', message: 'no such path' } } };
        if (req.headers['x-api-key'] !== KEY || req.headers['x-api-domain'] !== 'print-shop') {
          return { status: 403, body: { error: { code: 'forbidden', message: 'unknown key or domain' } } };
        }
        return { status: 200, body: [{ id: 't-1', name: 'Блокнот с твердой обложкой' }, { id: 't-2', name: 'Визитки' }] };
      });
    });
    afterAll(() => new Promise<void>((resolve) => erp.server.close(() => resolve())));

    const settings = (overrides: Record<string, unknown> = {}) => ({ apiDomain: 'print-shop', apiKey: KEY, apiUrl: `${erp.url}/`, apiVersion: 'v1', ...overrides });

    it('tests the connection by listing the templates, and saves', async () => {
      const ok = await request<TestResult>('POST', '/api/v1/integrations/axiom/test-connection', { settings: settings() });
      expect(ok.body).toEqual({ ok: true, message: `Axiom ${erp.url} отвечает, шаблонов: 2` });
      const saved = await request<SettingsBody>('PUT', '/api/v1/integrations/axiom/settings', { version: 0, enabled: true, settings: settings() });
      expect(saved.status).toBe(200);
      expect(saved.body.settings).toMatchObject({ apiUrl: erp.url, apiVersion: 'v1' });
    });

    it('puts a refused key on «Api Key» and a wrong version on «Api URL»', async () => {
      const wrongDomain = await request<ErrorBody>('PUT', '/api/v1/integrations/axiom/settings', { version: 1, enabled: true, settings: settings({ apiDomain: 'other' }) });
      expect(wrongDomain.body.details).toEqual([{ path: 'body.settings.apiKey', message: expect.stringContaining('Axiom не принял Api Key или Api Domain (HTTP 403') }]);
      const wrongVersion = await request<ErrorBody>('PUT', '/api/v1/integrations/axiom/settings', { version: 1, enabled: true, settings: settings({ apiVersion: 'v2' }) });
      // This server answers an unknown path with an error envelope, as an ERP answers an unknown object: still the address.
      expect(wrongVersion.body.details).toEqual([{ path: 'body.settings.apiUrl', message: expect.stringContaining('(HTTP 404') }]);
      expect(await version('axiom')).toBe(1);
    });

    it('sends the saved key only to the saved «Api URL»', async () => {
      const TEST = '/api/v1/integrations/axiom/test-connection';
      const MASK = '••••' + KEY.slice(-4);
      const typedKey = 'ax-key-typed-for-another-host';
      secrets.push(typedKey);
      elsewhere.received.length = 0;

      const moved = await request<ErrorBody>('POST', TEST, { settings: settings({ apiUrl: elsewhere.url, apiKey: MASK }) });
      expect(moved.status).toBe(400);
      expect(moved.body.details).toEqual([{ path: 'body.settings.apiKey', message: `${MOVED} (${erp.url})` }]);
      const movedSave = await request<ErrorBody>('PUT', '/api/v1/integrations/axiom/settings', { version: 1, enabled: false, settings: settings({ apiUrl: elsewhere.url, apiKey: MASK }) });
      expect(movedSave.status).toBe(400);
      expect(elsewhere.received).toEqual([]);

      // The saved address with a trailing slash is the same address.
      const same = await request<TestResult>('POST', TEST, { settings: settings({ apiKey: MASK }) });
      expect(same.body).toEqual({ ok: true, message: `Axiom ${erp.url} отвечает, шаблонов: 2` });

      const typed = await request<TestResult>('POST', TEST, { settings: settings({ apiUrl: elsewhere.url, apiKey: typedKey }) });
      expect(typed.body.ok).toBe(false);
      expect(elsewhere.received).toHaveLength(1);
      expect(elsewhere.received[0]).toContain(`"x-api-key":"${typedKey}"`);
      expect(elsewhere.received[0]).not.toContain(KEY);
    });
  });

  it('1С:Полиграфия is just switched on; the exchange login and password are optional, the password a secret', async () => {
    const saved = await request<SettingsBody>('PUT', '/api/v1/integrations/poly1c/settings', { version: 0, enabled: true, settings: {} });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ enabled: true, version: 1, settings: { exchangeLogin: null, exchangePassword: null, schemaVersion: '2.08', encoding: 'utf-8' } });
    const withLogin = await request<SettingsBody>('PUT', '/api/v1/integrations/poly1c/settings', {
      version: 1,
      enabled: true,
      settings: { exchangeLogin: 'obmen', exchangePassword: 'секрет-обмена-1С', encoding: 'windows-1251' },
    });
    expect(withLogin.status).toBe(200);
    expect(JSON.stringify(withLogin.body)).not.toContain('секрет-обмена-1С');
    expect(withLogin.body).toMatchObject({ version: 2, settings: { exchangeLogin: 'obmen', encoding: 'windows-1251' } });
    secrets.push('секрет-обмена-1С');
    const form = await request<{ schema: { properties: Record<string, { title: string; 'x-secret'?: boolean }> } }>('GET', '/api/v1/integrations/poly1c/settings');
    expect(form.body.schema.properties.exchangePassword).toMatchObject({ 'x-secret': true });
    expect(Object.values(form.body.schema.properties).map((field) => field.title)).toEqual([
      'Логин для обмена с 1С:',
      'Пароль для обмена с 1С:',
      'Версия схемы CommerceML:',
      'Кодировка выгрузки заказов:',
    ]);
  });
});
