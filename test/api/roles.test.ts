import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob } from '../../src/jobs/catalog.js';
import { defineIntegration } from '../../src/platform/integration.js';
import { PermanentJobError } from '../../src/jobs/errors.js';
import { startTestApi } from '../support/api-server.js';
import type { ApiResponse, TestApi } from '../support/api-server.js';
import { TEST_DIALECTS } from '../support/databases.js';
import { DEMO_API_KEY, demoCrm } from '../support/demo-crm.js';
import { expectEventually } from '../support/eventually.js';

/** A job that dies on its first run: something for the health page to replay. */
const doomedJob = defineJob({
  name: 'doomed.exportOrder',
  payload: z.object({ orderId: z.number() }),
  maxAttempts: 1,
  handler: async () => {
    throw new PermanentJobError('portal answered 403');
  },
});
const doomed = defineIntegration({ name: 'doomed', title: { ru: 'Обречённая', en: 'Doomed' }, setup: () => ({ jobs: [doomedJob] }) });

const SETTINGS = '/api/v1/integrations/demo-crm/settings';
const FORBIDDEN = { code: 'forbidden', message: 'для этого действия нужна роль администратора', details: [] };

/**
 * Staff roles over HTTP: a manager works orders and clients and reads everything, an
 * administrator also changes integration settings, replays dead jobs and edits the catalog.
 * (Every admin-only route is listed and swept in route-auth.test.ts; these are the cases as a
 * print shop meets them, with what is stored afterwards.)
 */
describe.each(TEST_DIALECTS)('staff roles on %s', (dialect) => {
  let api: TestApi;
  let manager: StaffClient;
  let admin: StaffClient;
  let orderId: number;
  let personId: number;

  beforeAll(async () => {
    api = await startTestApi(dialect, { integrations: [demoCrm, doomed] });
    await api.services.stores.users.create({ login: 'maria', password: 'secret-pass', displayName: 'Мария', role: 'manager' });
    await api.services.stores.users.create({ login: 'oleg', password: 'secret-pass', displayName: 'Олег', role: 'admin' });
    manager = await logIn(api, 'maria');
    admin = await logIn(api, 'oleg');
    personId = (await api.request<{ id: number }>('POST', '/api/v1/persons', { lastName: 'Иванова' })).body.id;
    orderId = (await api.request<{ id: number }>('POST', '/api/v1/orders', { personId, items: [{ name: 'Визитки', quantity: 100, unitPrice: 590 }] })).body.id;
    // Switched on by the API token (which keeps full access), so orders can be resent to it.
    const saved = await api.request('PUT', SETTINGS, { version: 0, enabled: true, settings: { portalUrl: 'https://crm.example.ru', apiKey: DEMO_API_KEY, userId: 7 } });
    expect(saved.status).toBe(200);
  });
  afterAll(async () => api?.close());

  it('tells the panel the role of the logged-in staff member', async () => {
    expect((await manager('GET', '/api/v1/session')).body).toMatchObject({ user: { login: 'maria', role: 'manager' } });
    expect((await admin('GET', '/api/v1/session')).body).toMatchObject({ user: { login: 'oleg', role: 'admin' } });
  });

  it('lets a manager work an order and a client, and resend them', async () => {
    expect((await manager('POST', `/api/v1/orders/${orderId}/status`, { status: 'Printing', changedBy: 'Мария' })).status).toBe(200);
    expect((await manager('POST', `/api/v1/orders/${orderId}/comments`, { author: 'Мария', text: 'Макет принят' })).status).toBe(201);
    const edited = await manager<{ externalIds: unknown }>('PATCH', `/api/v1/persons/${personId}`, { externalIds: { bitrix24: { contact: '417' } } });
    expect(edited.status).toBe(200);
    expect(edited.body.externalIds).toEqual({ bitrix24: { contact: '417' } });
    expect((await manager('POST', `/api/v1/orders/${orderId}/sync/demo-crm/resend`)).status).toBe(202);
  });

  it('shows a manager the integration settings (secrets masked) but refuses to change or test them', async () => {
    const read = await manager<{ version: number; enabled: boolean }>('GET', SETTINGS);
    expect(read.status).toBe(200);
    expect(read.body.enabled).toBe(true);
    expect(JSON.stringify(read.body)).not.toContain(DEMO_API_KEY);
    expect((await manager('GET', '/api/v1/integrations')).status).toBe(200);

    const change = { version: read.body.version, enabled: false, settings: { portalUrl: 'https://other.example.ru', apiKey: DEMO_API_KEY, userId: 7 } };
    const refused = await manager('PUT', SETTINGS, change);
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual(FORBIDDEN);
    expect((await manager('POST', '/api/v1/integrations/demo-crm/test-connection', { settings: change.settings })).status).toBe(403);
    const stored = await api.services.stores.settings.latest('demo-crm');
    expect(stored).toMatchObject({ version: read.body.version, enabled: true, settings: { portalUrl: 'https://crm.example.ru' } });

    const accepted = await admin<{ version: number; updatedBy: string }>('PUT', SETTINGS, change);
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ version: read.body.version + 1, updatedBy: 'Олег' });
  });

  it('shows a manager the dead jobs but leaves replaying them to an administrator', async () => {
    await api.services.database.db.transaction().execute((trx) => api.services.queue.enqueue(trx, doomedJob.request({ orderId })));
    await api.services.queue.start({ pollIntervalMs: 20 });
    const [dead] = await expectEventually(async () => {
      const jobs = await api.services.queue.list({ state: 'dead', name: doomedJob.name });
      expect(jobs).toHaveLength(1);
      return jobs;
    });
    // Without a worker a replayed job stays pending, where the test can see it.
    await api.services.queue.stop();

    const list = await manager<Array<{ id: string }>>('GET', '/api/v1/jobs?state=dead');
    expect(list.body.map((job) => job.id)).toContain(dead!.id);
    const refused = await manager('POST', `/api/v1/jobs/${dead!.id}/replay`);
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual(FORBIDDEN);
    expect((await api.services.queue.get(dead!.id))?.state).toBe('dead');

    expect((await admin('POST', `/api/v1/jobs/${dead!.id}/replay`)).status).toBe(200);
    expect((await api.services.queue.get(dead!.id))?.state).toBe('pending');
  });

  it('lets a manager read and quote the catalog but not change it', async () => {
    const category = await admin<{ id: number; version: number }>('POST', '/api/v1/categories', { name: 'Визитки' });
    expect(category.status).toBe(201);
    const product = await admin<{ id: number }>('POST', '/api/v1/products', {
      name: 'Визитки 90x50',
      categoryId: category.body.id,
      tiers: { mode: 'presets', presets: [{ quantity: 100, price: 59_000 }] },
    });
    expect(product.status).toBe(201);

    expect((await manager('GET', `/api/v1/products?categoryId=${category.body.id}`)).status).toBe(200);
    expect((await manager('POST', `/api/v1/products/${product.body.id}/quote`, { quantity: 100 })).status).toBe(200);
    expect((await manager('PATCH', `/api/v1/categories/${category.body.id}`, { name: 'Листовки' })).status).toBe(403);
    expect((await manager('PATCH', `/api/v1/products/${product.body.id}`, { name: 'Даром' })).status).toBe(403);
    expect((await manager('POST', '/api/v1/products', { name: 'Новый', categoryId: category.body.id })).status).toBe(403);
    expect((await manager('DELETE', `/api/v1/products/${product.body.id}`)).status).toBe(403);
    expect((await api.request('GET', `/api/v1/products/${product.body.id}`)).body).toMatchObject({ name: 'Визитки 90x50' });
    expect((await api.request('GET', `/api/v1/categories/${category.body.id}`)).body).toMatchObject({ name: 'Визитки', version: category.body.version });
  });
});

/** Requests as one staff member: the session cookie, plus its CSRF token on every change. */
type StaffClient = <T = unknown>(method: string, path: string, body?: unknown) => Promise<ApiResponse<T>>;

async function logIn(api: TestApi, login: string): Promise<StaffClient> {
  const response = await fetch(`${api.baseUrl}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login, password: 'secret-pass' }),
  });
  expect(response.status).toBe(200);
  const { csrfToken } = (await response.json()) as { csrfToken: string };
  const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0]!;
  return async <T>(method: string, path: string, body?: unknown) => {
    const headers: Record<string, string> = { cookie, 'x-csrf-token': csrfToken };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const reply = await fetch(api.baseUrl + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await reply.text();
    return { status: reply.status, headers: reply.headers, body: (text ? JSON.parse(text) : null) as T };
  };
}
