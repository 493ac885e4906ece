import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Origin } from '../../src/domain/origin.js';
import { domainEventJobPayload } from '../../src/events/domain-events.js';
import { defineJob } from '../../src/jobs/catalog.js';
import { defineIntegration } from '../../src/platform/integration.js';
import { startTestApi } from '../support/api-server.js';
import type { TestApi } from '../support/api-server.js';
import { TEST_DIALECTS } from '../support/databases.js';
import { expectEventually } from '../support/eventually.js';
import { exampleIntegration } from '../support/example-integration/index.js';
import { startExampleRemote } from '../support/example-remote.js';
import type { ExampleRemote } from '../support/example-remote.js';

const EVENT_TOKEN = 'evt-token-5f4e3d2c1b';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** Another integration listening to the same changes: it must hear what the example does. */
function listener() {
  const heard: Array<{ type: string; entityId: number; origin: Origin | null }> = [];
  const sync = defineJob({
    name: 'listener.sync',
    payload: domainEventJobPayload,
    handler: async (event) => void heard.push({ type: event.type, entityId: event.entityId, origin: event.origin }),
  });
  const integration = defineIntegration({
    name: 'listener',
    title: { ru: 'Слушатель', en: 'Listener' },
    setup: () => ({ jobs: [sync], subscriptions: [{ job: sync, events: ['order.status_changed'] }] }),
  });
  return { heard, integration };
}

/**
 * The integration platform end to end, through a small integration that exists only in the
 * tests (test/support/example-integration/) and its system (test/support/example-remote.ts):
 * a form post with bracket keys to its own route, a job whose steps survive a retry, its own
 * change not echoed back, a schedule, parking on refused credentials, and the panel's routes.
 */
describe.each(TEST_DIALECTS)('the example integration on %s', (dialect) => {
  let api: TestApi;
  let remote: ExampleRemote;
  const others = listener();
  let personId: number;
  let organizationId: number;

  const settingsBody = (version: number, overrides: Record<string, unknown> = {}) => ({
    version,
    enabled: true,
    settings: { remoteUrl: remote.url, apiKey: remote.apiKey, eventToken: EVENT_TOKEN, reconcileSeconds: 3_600, ...overrides },
  });
  const settingsVersion = async () => (await api.request<{ version: number }>('GET', '/api/v1/integrations/example/settings')).body.version;
  const jobsOf = async (name: string) => api.services.queue.list({ name, limit: 500 });

  beforeAll(async () => {
    remote = await startExampleRemote();
    api = await startTestApi(dialect, { integrations: [exampleIntegration, others.integration], startWorker: true, schedulerTickMs: 100 });
    const saved = await api.request('PUT', '/api/v1/integrations/example/settings', settingsBody(0));
    expect(saved.status).toBe(200);
    organizationId = (await api.request<{ id: number }>('POST', '/api/v1/organizations', { title: 'ООО «Типография»', inn: '7707083893' })).body.id;
    personId = (await api.request<{ id: number }>('POST', '/api/v1/persons', { firstName: 'Ольга', lastName: 'Печаткина', organizationId, phones: ['+7 912 345-67-89'] })).body.id;
  });
  afterAll(async () => {
    await api?.close();
    await remote?.stop();
  });

  const newOrder = async () =>
    (await api.request<{ id: number; version: number }>('POST', '/api/v1/orders', {
      personId,
      organizationId,
      items: [{ name: 'Визитки 90×50', quantity: 500, total: 149_000 }],
    })).body;

  const objectsFor = (type: string, origin: string) => remote.objects.filter((o) => o.type === type && o.origin === origin);

  it('exports an order as contact, company and deal; a retry after a failure continues and makes each object once', async () => {
    remote.faults.failNextCreate = 'deal';
    const before = { ...remote.createCalls };
    const order = await newOrder();
    await expectEventually(async () => {
      const stored = await api.request<{ externalIds: Record<string, Record<string, string>> }>('GET', `/api/v1/orders/${order.id}`);
      expect(stored.body.externalIds.example?.deal).toEqual(expect.any(String));
    });
    // The first attempt made the contact and the company, then the deal failed (500); the retry made the deal only.
    expect((remote.createCalls.contact ?? 0) - (before.contact ?? 0)).toBeLessThanOrEqual(1);
    expect((remote.createCalls.deal ?? 0) - (before.deal ?? 0)).toBe(2);
    expect(objectsFor('contact', `printsync:person:${personId}`)).toHaveLength(1);
    expect(objectsFor('company', `printsync:organization:${organizationId}`)).toHaveLength(1);
    const [deal] = objectsFor('deal', `printsync:order:${order.id}`);
    expect(objectsFor('deal', `printsync:order:${order.id}`)).toHaveLength(1);
    const person = await api.request<{ externalIds: Record<string, Record<string, string>> }>('GET', `/api/v1/persons/${personId}`);
    expect(deal?.fields).toMatchObject({ contactId: person.body.externalIds.example?.contact, title: expect.stringMatching(/^Заказ /) });
    // The link is committed by the step; the job completes just after.
    await expectEventually(async () => {
      const [job] = (await jobsOf('example.exportOrder')).filter((j) => j.key === `order:${order.id}`);
      expect(job).toMatchObject({ state: 'completed', attempts: 2 });
    });
  });

  it('finds a deal whose create was made but never answered, instead of making a second one', async () => {
    remote.faults.dropAfterNextCreate = 'deal';
    const before = remote.createCalls.deal ?? 0;
    const order = await newOrder();
    const linked = await expectEventually(async () => {
      const stored = await api.request<{ externalIds: Record<string, Record<string, string>> }>('GET', `/api/v1/orders/${order.id}`);
      expect(stored.body.externalIds.example?.deal).toEqual(expect.any(String));
      return stored.body.externalIds.example!.deal;
    });
    // One create, made but unanswered; the retry found it by its origin.
    expect(remote.createCalls.deal! - before).toBe(1);
    expect(objectsFor('deal', `printsync:order:${order.id}`).map((o) => o.id)).toEqual([linked]);
    // The link is committed by the step; the job completes just after.
    await expectEventually(async () => {
      const [job] = (await jobsOf('example.exportOrder')).filter((j) => j.key === `order:${order.id}`);
      expect(job).toMatchObject({ state: 'completed', attempts: 2 });
    });
  });

  it('receives a form-encoded event with bracket keys; its own change is not exported back, others hear it', async () => {
    const order = await newOrder();
    const dealId = await expectEventually(async () => {
      const stored = await api.request<{ externalIds: Record<string, Record<string, string>> }>('GET', `/api/v1/orders/${order.id}`);
      const id = stored.body.externalIds.example?.deal;
      expect(id).toEqual(expect.any(String));
      return id!;
    });
    await expectEventually(async () => expect((await jobsOf('example.exportOrder')).filter((j) => j.key === `order:${order.id}` && j.state !== 'completed')).toEqual([]));
    const exportsBefore = (await jobsOf('example.exportOrder')).filter((j) => j.key === `order:${order.id}`).length;

    const body = `event=ONCRMDEALUPDATE&data%5BFIELDS%5D%5BID%5D=${dealId}&data[FIELDS][STAGE_ID]=WON&ts=1733000000&auth[domain]=example.local&auth[application_token]=${EVENT_TOKEN}`;
    // No API token and no session: the route has its own authentication (the shared token).
    const response = await fetch(`${api.baseUrl}/api/example/events`, { method: 'POST', headers: FORM, body });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ accepted: true });

    const moved = await expectEventually(async () => {
      const stored = await api.request<{ status: string; statusHistory: Array<{ to: string; changedBy: string; origin: unknown }> }>('GET', `/api/v1/orders/${order.id}`);
      expect(stored.body.status).toBe('Printed');
      return stored.body;
    });
    expect(moved.statusHistory.at(-1)).toMatchObject({ to: 'Printed', changedBy: 'Пример', origin: { kind: 'integration', name: 'example' } });
    // The listener heard the change, with the example as its origin...
    await expectEventually(() => expect(others.heard.filter((h) => h.entityId === order.id)).toEqual([{ type: 'order.status_changed', entityId: order.id, origin: { kind: 'integration', name: 'example', title: 'Пример' } }]));
    // ...while the example's own subscription stayed silent: no export job for its own change.
    expect((await jobsOf('example.exportOrder')).filter((j) => j.key === `order:${order.id}`)).toHaveLength(exportsBefore);

    // A staff change of the same order is exported again and heard by both.
    const current = (await api.request<{ version: number }>('GET', `/api/v1/orders/${order.id}`)).body;
    await api.request('POST', `/api/v1/orders/${order.id}/status`, { status: 'Shipped', version: current.version });
    await expectEventually(async () => expect((await jobsOf('example.exportOrder')).filter((j) => j.key === `order:${order.id}`)).toHaveLength(exportsBefore + 1));
  });

  it('refuses an event with a wrong or missing token (403) and stores nothing; other bodies get 415', async () => {
    const before = (await jobsOf('example.applyDeal')).length;
    const event = (token: string | null) =>
      `event=ONCRMDEALUPDATE&data[FIELDS][ID]=1&data[FIELDS][STAGE_ID]=WON${token === null ? '' : `&auth[application_token]=${token}`}`;
    for (const body of [event('wrong-token'), event(null), event('')]) {
      const response = await fetch(`${api.baseUrl}/api/example/events`, { method: 'POST', headers: { ...FORM, authorization: `Bearer ${api.token}` }, body });
      expect(response.status).toBe(403);
      const text = await response.text();
      expect(JSON.parse(text)).toMatchObject({ code: 'forbidden', details: [] });
      expect(text).not.toContain(EVENT_TOKEN);
    }
    const xml = await fetch(`${api.baseUrl}/api/example/events`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: '<event/>' });
    expect(xml.status).toBe(415);
    expect(await xml.json()).toMatchObject({ code: 'unsupported_media_type', message: 'send the body as application/json or application/x-www-form-urlencoded' });
    const malformed = await fetch(`${api.baseUrl}/api/example/events`, { method: 'POST', headers: FORM, body: `event=X&auth[application_token]=${EVENT_TOKEN}` });
    expect(malformed.status).toBe(400);
    expect((await malformed.json()) as { details: Array<{ path: string }> }).toMatchObject({ code: 'validation_failed', details: [{ path: 'body.data' }] });
    expect((await jobsOf('example.applyDeal')).length).toBe(before);
  });

  it('reconciles on its schedule: a change whose event was lost is caught, once per interval', async () => {
    const order = await newOrder();
    const dealId = await expectEventually(async () => {
      const stored = await api.request<{ externalIds: Record<string, Record<string, string>> }>('GET', `/api/v1/orders/${order.id}`);
      return stored.body.externalIds.example!.deal!;
    });
    // The manager lost the deal; the event never came.
    remote.objects.find((o) => o.id === dealId)!.fields.stage = 'LOSE';
    const saved = await api.request('PUT', '/api/v1/integrations/example/settings', settingsBody(await settingsVersion(), { reconcileSeconds: 1 }));
    expect(saved.status).toBe(200);
    await expectEventually(async () => expect((await api.request<{ status: string }>('GET', `/api/v1/orders/${order.id}`)).body.status).toBe('Cancelled'), { timeoutMs: 8_000 });
    const runs = await expectEventually(async () => {
      const found = await api.services.stores.syncLog.list({ system: 'example', entityType: 'integration', limit: 100 });
      expect(found.items.length).toBeGreaterThanOrEqual(2);
      return found.items.map((entry) => Date.parse((entry.response as { scheduledAt: string }).scheduledAt)).sort((a, b) => a - b);
    }, { timeoutMs: 8_000 });
    for (let i = 1; i < runs.length; i++) expect(runs[i]! - runs[i - 1]!).toBeGreaterThanOrEqual(1_000);
    await api.request('PUT', '/api/v1/integrations/example/settings', settingsBody(await settingsVersion(), { reconcileSeconds: 3_600 }));
  });

  it('parks itself when its system refuses the key: its jobs wait, others run, and saving the settings resumes it', async () => {
    remote.faults.refuseKey = true;
    const order = await newOrder();
    const alert = await expectEventually(async () => {
      const list = await api.request<{ items: Array<{ name: string; alert: { kind: string; message: string; jobName: string } | null }> }>('GET', '/api/v1/integrations');
      const found = list.body.items.find((i) => i.name === 'example')?.alert;
      expect(found).toBeTruthy();
      return found!;
    });
    expect(alert).toMatchObject({ kind: 'credentials', jobName: 'example.exportOrder', message: 'система не приняла ключ API (HTTP 401)' });
    // The alert is raised inside the run; the run's failure is recorded just after it.
    const waiting = await expectEventually(async () => {
      const [job] = (await jobsOf('example.exportOrder')).filter((j) => j.key === `order:${order.id}`);
      expect(job).toMatchObject({ state: 'retrying', lastError: expect.stringContaining('приостановлено до исправления настроек') });
      return job!;
    });

    // While parked nothing of the example runs, whatever its backoff says; the listener still works.
    const current = (await api.request<{ version: number }>('GET', `/api/v1/orders/${order.id}`)).body;
    await api.request('POST', `/api/v1/orders/${order.id}/status`, { status: 'Printing', version: current.version });
    await expectEventually(() => expect(others.heard.some((h) => h.entityId === order.id)).toBe(true));
    // Its backoff (at most 200 ms) has long passed: only parking keeps it from running. Proving a
    // non-event takes waiting a while; twice the longest backoff is enough.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await api.services.queue.get(waiting.id)).toMatchObject({ state: 'retrying', attempts: 1 });

    remote.faults.refuseKey = false;
    const saved = await api.request('PUT', '/api/v1/integrations/example/settings', settingsBody(await settingsVersion()));
    expect(saved.status).toBe(200);
    await expectEventually(async () => expect((await api.services.queue.get(waiting.id))?.state).toBe('completed'), { timeoutMs: 10_000 });
    const list = await api.request<{ items: Array<{ name: string; alert: unknown }> }>('GET', '/api/v1/integrations');
    expect(list.body.items.find((i) => i.name === 'example')?.alert).toBeNull();
  });

  it('serves the panel: its card sections, a live list read from its system, and a card button', async () => {
    const panel = await api.request<{ items: Array<{ name: string; enabled: boolean; cards: Array<{ entityType: string; externalIds: Array<{ kind: string; link: string | null }>; actions: Array<{ route: string }> }>; settingsSections: unknown[] }> }>(
      'GET',
      '/api/v1/integrations/panel',
    );
    const example = panel.body.items.find((i) => i.name === 'example')!;
    expect(example).toMatchObject({ enabled: true, configured: true, alert: null });
    expect(example.cards.find((c) => c.entityType === 'order')).toMatchObject({
      externalIds: [{ kind: 'deal', link: `${remote.url}/deals/{id}` }],
      actions: [{ route: 'orders/{id}/send' }],
    });
    expect(example.settingsSections).toEqual([{ id: 'deals', title: { ru: 'Сделки', en: 'Deals' }, description: null, fields: ['dealStage'] }]);
    expect(panel.body.items.find((i) => i.name === 'listener')).toMatchObject({ enabled: true, configured: true, cards: [], settingsSections: [] });

    const form = await api.request<{ schema: { properties: Record<string, Record<string, unknown>> } }>('GET', '/api/v1/integrations/example/settings');
    expect(form.body.schema.properties.dealStage).toMatchObject({ 'x-options': { route: 'stages', params: {} } });
    const stages = await api.request<{ items: Array<{ value: string; label: string }> }>('GET', '/api/v1/integrations/example/stages');
    expect(stages.body.items.map((s) => s.value)).toEqual(['NEW', 'WON', 'LOSE']);
    expect((await fetch(`${api.baseUrl}/api/v1/integrations/example/stages`)).status).toBe(401);

    const order = await newOrder();
    const sent = await api.request<{ jobId: string | null; message: string }>('POST', `/api/v1/integrations/example/orders/${order.id}/send`);
    expect(sent.status).toBe(200);
    expect(sent.body.message).toBe('Заказ поставлен в очередь на отправку');
  });
});

describe('integration lifecycle', () => {
  it('gives every integration one context at start-up and calls close once when the app closes', async () => {
    const calls: string[] = [];
    const probe = defineIntegration({
      name: 'probe',
      title: { ru: 'Проба', en: 'Probe' },
      setup(context) {
        calls.push(`setup ${context.name} ${context.origin.kind}`);
        return { close: async () => void calls.push('close') };
      },
    });
    const api = await startTestApi('sqlite', { integrations: [probe] });
    expect(calls).toEqual(['setup probe integration']);
    await api.close();
    expect(calls).toEqual(['setup probe integration', 'close']);
  });
});
