import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErpHarness } from './harness.js';
import { ASYSTEM, startErpHarness } from './harness.js';

interface ActionAnswer {
  ok: boolean;
  values: Record<string, string>;
  message: string;
}

/** AS-2: «Получить идентификаторы из ASystem» fills the manager and counterparty ids of the key's integration user. */
describe('«Получить идентификаторы из ASystem»', () => {
  let h: ErpHarness;
  const IDENTITY = '/api/v1/integrations/asystem/actions/identity';

  beforeAll(async () => {
    h = await startErpHarness(ASYSTEM, { startWorker: false });
  });
  afterAll(() => h.close());

  it('is offered on the form, and fills the two ids from the form as typed, before anything is saved', async () => {
    const form = await h.api.request<{ capabilities: { actions: unknown[] } }>('GET', '/api/v1/integrations/asystem/settings');
    expect(form.body.capabilities.actions).toEqual([{ id: 'identity', title: 'Получить идентификаторы из ASystem', fills: ['managerId', 'counterpartyId'] }]);

    const answer = await h.api.request<ActionAnswer>('POST', IDENTITY, { settings: ASYSTEM.settings(h.erp) });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ ok: true, values: { managerId: '17', counterpartyId: '2045' } });
    expect(h.erp.received({ path: '/integration/identity' })).toHaveLength(1);
  });

  it('says why when the key is refused, without the key', async () => {
    const wrong = await h.api.request<ActionAnswer>('POST', IDENTITY, { settings: { ...ASYSTEM.settings(h.erp), apiKey: 'not-the-key-0123456789' } });
    expect(wrong.body).toMatchObject({ ok: false, values: {} });
    expect(wrong.body.message).toContain('ASystem не принял Api Key');
    expect(wrong.body.message).not.toContain('not-the-key-0123456789');
  });

  it('reuses the saved key only with the saved address', async () => {
    await h.connect();
    const saved = await h.api.request<ActionAnswer>('POST', IDENTITY, {});
    expect(saved.body).toMatchObject({ ok: true, values: { managerId: '17' } });
    const moved = await h.api.request<{ details: Array<{ path: string }> }>('POST', IDENTITY, { settings: { apiHost: 'https://10.1.2.3:3000', apiKey: `••••${h.erp.apiKey.slice(-4)}` } });
    expect(moved.status).toBe(400);
    expect(moved.body.details[0]!.path).toBe('body.settings.apiKey');
  });
});
