import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DIALECTS } from '../support/databases.js';
import { startTestApi } from '../support/api-server.js';
import type { TestApi } from '../support/api-server.js';
import { DEMO_API_KEY } from '../support/demo-crm.js';
import { demoCrm } from '../support/demo-crm.js';

interface Entry {
  id: number;
  entityType: string;
  entityId: number;
  system: string;
  operation: string;
  outcome: string;
  request: unknown;
  response: unknown;
  externalId: string | null;
  error: string | null;
  durationMs: number | null;
  jobId: string | null;
}

interface SystemState {
  system: string;
  state: string;
  attempts: number;
  lastOperation: string | null;
  lastError: string | null;
  lastSuccessAt: string | null;
  externalId: string | null;
  lastEntryId: number | null;
  canResend: boolean;
}

interface ErrorBody {
  code: string;
  message: string;
}

const WEBHOOK_CODE = 'q1w2e3r4t5y6u7i8';

describe.each(TEST_DIALECTS)('sync log API on %s', (dialect) => {
  let api: TestApi;

  const createPerson = async (lastName: string) => (await api.request<{ id: number }>('POST', '/api/v1/persons', { lastName })).body.id;
  const record = (attempt: Parameters<TestApi['services']['stores']['syncLog']['record']>[0]) => api.services.stores.syncLog.record(attempt);

  beforeAll(async () => {
    api = await startTestApi(dialect, { integrations: [demoCrm] });
    const saved = await api.request('PUT', '/api/v1/integrations/demo-crm/settings', {
      version: 0,
      enabled: true,
      settings: { portalUrl: 'https://crm.example.ru', apiKey: DEMO_API_KEY, userId: 7 },
    });
    expect(saved.status).toBe(200);
  });
  afterAll(async () => api?.close());

  it('stores a failed call with no trace of its secrets, whether read through the API or straight from the database', async () => {
    const personId = await createPerson('Секретов');
    const url = `https://portal.bitrix24.ru/rest/1/${WEBHOOK_CODE}/crm.contact.add`;
    const entry = await record({
      entityType: 'person',
      entityId: personId,
      system: 'demo-crm',
      operation: 'contact.add',
      outcome: 'error',
      // The integration forgot to mask anything: the store must still catch all of it.
      request: {
        url,
        headers: { Authorization: `Bearer ${DEMO_API_KEY}`, 'X-Api-Key': DEMO_API_KEY },
        body: { fields: { NAME: 'Секретов' }, comment: `key in free text: ${DEMO_API_KEY}` },
      },
      response: { status: 401, body: `{"error":"invalid_token","api_key":"${DEMO_API_KEY}"}` },
      error: new Error(`401 from ${url}?key=${DEMO_API_KEY}`),
      durationMs: 123.4,
      jobId: 'job-1',
    });
    expect(entry.outcome).toBe('error');

    const rows = await api.services.database.db.selectFrom('sync_log').selectAll().where('id', '=', entry.id).execute();
    expect(rows).toHaveLength(1);
    const stored = JSON.stringify(rows[0]);
    for (const secret of [DEMO_API_KEY, WEBHOOK_CODE]) expect(stored).not.toContain(secret);
    expect(rows[0]?.duration_ms).toBe(123);

    const read = await api.request<Entry>('GET', `/api/v1/sync-log/${entry.id}`);
    expect(read.status).toBe(200);
    const text = JSON.stringify(read.body);
    for (const secret of [DEMO_API_KEY, WEBHOOK_CODE]) expect(text).not.toContain(secret);
    expect(read.body.request).toEqual({
      url: 'https://portal.bitrix24.ru/rest/1/***/crm.contact.add',
      headers: { Authorization: '***', 'X-Api-Key': '***' },
      body: { fields: { NAME: 'Секретов' }, comment: 'key in free text: ***' },
    });
    expect(read.body.error).toBe('401 from https://portal.bitrix24.ru/rest/1/***/crm.contact.add?key=***');
    expect(read.body.jobId).toBe('job-1');
  });

  it('lists attempts newest first with filters and stable cursor pagination', async () => {
    const personId = await createPerson('Фильтров');
    const otherId = await createPerson('Другой');
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      const entry = await record({
        entityType: 'person',
        entityId: personId,
        system: i % 2 ? 'asystem' : 'demo-crm',
        operation: 'contact.update',
        outcome: i === 3 ? 'ok' : 'error',
        error: i === 3 ? null : `attempt ${i} failed`,
      });
      ids.push(entry.id);
    }
    await record({ entityType: 'person', entityId: otherId, system: 'demo-crm', operation: 'contact.add', outcome: 'ok', externalId: 5 });

    const all = await api.request<{ items: Entry[] }>('GET', `/api/v1/sync-log?entityType=person&entityId=${personId}`);
    expect(all.body.items.map((e) => e.id)).toEqual([...ids].reverse());

    const errors = await api.request<{ items: Entry[] }>('GET', `/api/v1/sync-log?entityType=person&entityId=${personId}&system=demo-crm&outcome=error`);
    expect(errors.body.items.map((e) => e.error)).toEqual(['attempt 4 failed', 'attempt 2 failed', 'attempt 0 failed']);

    const pages: number[][] = [];
    let cursor: string | null = null;
    do {
      const query: string = `/api/v1/sync-log?entityType=person&entityId=${personId}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page: { body: { items: Entry[]; nextCursor: string | null } } = await api.request('GET', query);
      pages.push(page.body.items.map((e) => e.id));
      // A row written between pages does not shift or repeat what follows.
      if (pages.length === 1) await record({ entityType: 'person', entityId: personId, system: 'demo-crm', operation: 'x', outcome: 'skipped' });
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(pages).toEqual([
      [ids[4], ids[3]],
      [ids[2], ids[1]],
      [ids[0]],
    ]);

    const bad = await api.request<{ code: string; details: Array<{ path: string }> }>('GET', '/api/v1/sync-log?outcome=maybe&cursor=nope');
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d) => d.path)).toContain('querystring.outcome');
  });

  it("shows where an order stands with each system, and resends through the integration's job", async () => {
    const personId = await createPerson('Заказчиков');
    const order = await api.request<{ id: number }>('POST', '/api/v1/orders', {
      personId,
      source: 'site',
      items: [{ name: 'Визитки 90×50', quantity: 100, unitPrice: 300 }],
    });
    expect(order.status).toBe(201);
    const orderId = order.body.id;

    // Nothing tried yet: every system that can send orders is listed as never attempted.
    const fresh = await api.request<{ systems: SystemState[] }>('GET', `/api/v1/orders/${orderId}/sync`);
    expect(fresh.status).toBe(200);
    expect(fresh.body.systems).toEqual([
      expect.objectContaining({ system: 'demo-crm', state: 'never', attempts: 0, externalId: null, canResend: true }),
    ]);

    await record({ entityType: 'order', entityId: orderId, system: 'demo-crm', operation: 'deal.add', outcome: 'ok', externalId: '901' });
    await record({ entityType: 'order', entityId: orderId, system: 'demo-crm', operation: 'deal.update', outcome: 'error', error: '503 Service Unavailable' });
    await record({ entityType: 'order', entityId: orderId, system: 'axiom', operation: 'order.export', outcome: 'skipped' });

    const state = await api.request<{ entityType: string; entityId: number; systems: SystemState[] }>('GET', `/api/v1/orders/${orderId}/sync`);
    expect(state.body.entityType).toBe('order');
    expect(state.body.systems.map((s) => [s.system, s.state, s.attempts, s.externalId, s.lastError, s.canResend])).toEqual([
      ['axiom', 'skipped', 1, null, null, false],
      ['demo-crm', 'error', 2, '901', '503 Service Unavailable', true],
    ]);
    expect(state.body.systems[1]?.lastOperation).toBe('deal.update');
    expect(state.body.systems[1]?.lastSuccessAt).not.toBeNull();

    const resent = await api.request<{ job: string; jobId: string | null; collapsed: boolean }>('POST', `/api/v1/orders/${orderId}/sync/demo-crm/resend`);
    expect(resent.status).toBe(202);
    expect(resent.body).toMatchObject({ job: 'demoCrm.exportOrder', collapsed: false });
    expect(resent.body.jobId).not.toBeNull();
    // A second click while the first job still waits adds nothing: that job sends the current order.
    const again = await api.request<{ jobId: string | null; collapsed: boolean }>('POST', `/api/v1/orders/${orderId}/sync/demo-crm/resend`);
    expect(again.body).toMatchObject({ jobId: null, collapsed: true });
    const jobs = await api.services.queue.list({ name: 'demoCrm.exportOrder' });
    expect(jobs.filter((j) => j.key === `order:${orderId}`)).toHaveLength(1);
    expect(jobs[0]?.payload).toMatchObject({ entityType: 'order', entityId: orderId, type: 'sync.resend', data: { requestedBy: 'test' } });

    const noSuchSystem = await api.request<ErrorBody>('POST', `/api/v1/orders/${orderId}/sync/axiom/resend`);
    expect(noSuchSystem.status).toBe(404);
    expect(noSuchSystem.body.message).toBe('no integration named "axiom" can resend a order (these can: demo-crm)');
    const noSuchOrder = await api.request<ErrorBody>('POST', '/api/v1/orders/999999/sync/demo-crm/resend');
    expect(noSuchOrder.status).toBe(404);
    expect((await api.request('GET', '/api/v1/orders/999999/sync')).status).toBe(404);
  });

  it('does not offer «Отправить повторно» for a switched-off integration, which would refuse it', async () => {
    const personId = await createPerson('Выключенов');
    const settings = async (enabled: boolean) => {
      const current = await api.request<{ version: number; settings: Record<string, unknown> }>('GET', '/api/v1/integrations/demo-crm/settings');
      const saved = await api.request('PUT', '/api/v1/integrations/demo-crm/settings', { version: current.body.version, enabled, settings: current.body.settings });
      expect(saved.status).toBe(200);
    };
    await settings(false);
    try {
      const state = await api.request<{ systems: SystemState[] }>('GET', `/api/v1/persons/${personId}/sync`);
      expect(state.body.systems).toEqual([expect.objectContaining({ system: 'demo-crm', state: 'never', canResend: false })]);
      expect((await api.request('POST', `/api/v1/persons/${personId}/sync/demo-crm/resend`)).status).toBe(409);
    } finally {
      await settings(true);
    }
    const again = await api.request<{ systems: SystemState[] }>('GET', `/api/v1/persons/${personId}/sync`);
    expect(again.body.systems).toEqual([expect.objectContaining({ system: 'demo-crm', canResend: true })]);
  });

  it('has the per-system panel for persons and organizations too', async () => {
    const personId = await createPerson('Панелев');
    await record({ entityType: 'person', entityId: personId, system: 'demo-crm', operation: 'contact.add', outcome: 'ok', externalId: 77 });
    const person = await api.request<{ systems: SystemState[] }>('GET', `/api/v1/persons/${personId}/sync`);
    expect(person.body.systems).toEqual([expect.objectContaining({ system: 'demo-crm', state: 'ok', externalId: '77', canResend: true })]);

    const org = await api.request<{ id: number }>('POST', '/api/v1/organizations', { title: 'ООО «Ромашка»' });
    const orgState = await api.request<{ systems: SystemState[] }>('GET', `/api/v1/organizations/${org.body.id}/sync`);
    expect(orgState.status).toBe(200);
    // No integration sends organizations here, and nothing was tried.
    expect(orgState.body.systems).toEqual([]);
    const resend = await api.request<ErrorBody>('POST', `/api/v1/organizations/${org.body.id}/sync/demo-crm/resend`);
    expect(resend.status).toBe(404);
    expect(resend.body.message).toContain('none is installed');
  });

  it('refuses to resend to a switched-off integration', async () => {
    const personId = await createPerson('Выключенов');
    const form = await api.request<{ version: number; settings: Record<string, unknown> }>('GET', '/api/v1/integrations/demo-crm/settings');
    const off = await api.request('PUT', '/api/v1/integrations/demo-crm/settings', { version: form.body.version, enabled: false, settings: form.body.settings });
    expect(off.status).toBe(200);
    try {
      const refused = await api.request<ErrorBody>('POST', `/api/v1/persons/${personId}/sync/demo-crm/resend`);
      expect(refused.status).toBe(409);
      expect(refused.body.message).toContain('switched off');
    } finally {
      await api.request('PUT', '/api/v1/integrations/demo-crm/settings', { version: form.body.version + 1, enabled: true, settings: form.body.settings });
    }
  });
});
