import { Agent } from 'node:https';
import { ApiVersion, B24Hook } from '@bitrix24/b24jssdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startBitrix24Emulator, type Bitrix24Emulator } from '../../../emulators/bitrix24/server.js';

/**
 * The official SDK against the emulator, over HTTPS as it insists. Trust is scoped to this
 * client: its axios instance gets an https.Agent whose only extra CA is the emulator's
 * self-signed certificate (no NODE_TLS_REJECT_UNAUTHORIZED, nothing process-wide).
 */
let emu: Bitrix24Emulator;
let agent: Agent;

function sdk(webhookUrl = emu.webhookUrl): B24Hook {
  const b24 = B24Hook.fromWebhookUrl(webhookUrl, {
    // One attempt, and the client-side limiter out of the way, so the server's answers show.
    restrictionParams: { maxRetries: 1, rateLimit: { burstLimit: 10_000, drainRate: 10_000, adaptiveEnabled: false } },
  });
  b24.getHttpClient(ApiVersion.v2).ajaxClient.defaults.httpsAgent = agent;
  return b24;
}

beforeAll(async () => {
  emu = await startBitrix24Emulator({ tls: true, rate: false });
  agent = new Agent({ ca: emu.caCert, keepAlive: true });
});
beforeEach(() => emu.reset());
afterAll(async () => {
  agent.destroy();
  await emu.stop();
});

describe('official b24jssdk against the emulator', () => {
  it('makes a single call', async () => {
    const response = await sdk().actions.v2.call.make<{ ID: string; NAME: string; UF_PHONE_INNER: string }>({ method: 'user.current', params: {} });
    expect(response.isSuccess).toBe(true);
    expect(response.getData()?.result).toMatchObject({ ID: '1', NAME: 'Иван', UF_PHONE_INNER: '101' });
  });

  it('runs a batch with $result references', async () => {
    const response = await sdk().actions.v2.batch.make({
      calls: {
        contact: { method: 'crm.contact.add', params: { fields: { NAME: 'Ольга', PHONE: [{ VALUE: '+79001234567', VALUE_TYPE: 'MOBILE' }] } } },
        deal: { method: 'crm.deal.add', params: { fields: { TITLE: 'Заказ №7', CONTACT_ID: '$result[contact]', SOURCE_ID: 'STORE' } } },
        read: { method: 'crm.deal.get', params: { id: '$result[deal]' } },
      },
      options: { isHaltOnError: true },
    });
    expect(response.isSuccess).toBe(true);
    const data = response.getData() as { contact: number; deal: number; read: Record<string, unknown> };
    expect(data.read).toMatchObject({ ID: String(data.deal), TITLE: 'Заказ №7', CONTACT_ID: String(data.contact), SOURCE_ID: 'STORE' });
  });

  it('fetches a whole list with its list helper (start=-1 and an >ID cursor)', async () => {
    const b24 = sdk();
    const calls = Array.from({ length: 50 }, (_, i) => ({ method: 'crm.deal.add', params: { fields: { TITLE: `Deal ${i}` } } }));
    for (let round = 0; round < 3; round++) expect((await b24.actions.v2.batch.make({ calls })).isSuccess).toBe(true);
    await b24.actions.v2.call.make({ method: 'crm.deal.add', params: { fields: { TITLE: 'one more' } } });
    const list = await b24.actions.v2.callList.make<{ ID: string; TITLE: string }>({ method: 'crm.deal.list', params: { select: ['ID', 'TITLE'] }, idKey: 'ID' });
    expect(list.isSuccess).toBe(true);
    const rows = list.getData() ?? [];
    expect(rows).toHaveLength(151);
    expect(new Set(rows.map((r) => r.ID)).size).toBe(151);
  });

  it('fetches crm.item.list through the list helper with idKey id and items', async () => {
    const b24 = sdk();
    expect((await b24.actions.v2.batchByChunk.make({ calls: Array.from({ length: 60 }, (_, i) => ({ method: 'crm.contact.add', params: { fields: { NAME: `C${i}` } } })) })).isSuccess).toBe(true);
    const list = await b24.actions.v2.callList.make<{ id: number }>({ method: 'crm.item.list', params: { entityTypeId: 3, select: ['id', 'name'] }, idKey: 'id', customKeyForResult: 'items' });
    expect(list.isSuccess).toBe(true);
    expect((list.getData() ?? []).map((r) => r.id)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
  });

  it('surfaces errors: a coded one by its code, the old empty-code 400 by status only', async () => {
    const b24 = sdk();
    await expect(b24.actions.v2.call.make({ method: 'crm.item.get', params: { entityTypeId: 2, id: 999 } })).rejects.toMatchObject({ code: 'NOT_FOUND', status: 400 });
    // The SDK skips an empty `error` and falls back to axios' own code: printsync must not rely on it.
    await expect(b24.actions.v2.call.make({ method: 'crm.deal.get', params: { id: 999 } })).rejects.toMatchObject({ status: 400 });
    const scoped = sdk(emu.addWebhook({ scopes: ['user'] }));
    await expect(scoped.actions.v2.call.make({ method: 'crm.deal.list', params: {} })).rejects.toMatchObject({ code: 'insufficient_scope' });
  });

  it('gets 503 QUERY_LIMIT_EXCEEDED once the portal bucket is full', async () => {
    emu.limits.rate.settings = { enabled: true, burst: 3, drainPerSecond: 0.01 };
    try {
      const b24 = sdk();
      for (let i = 0; i < 3; i++) expect((await b24.actions.v2.call.make({ method: 'crm.settings.mode.get', params: {} })).isSuccess).toBe(true);
      await expect(b24.actions.v2.call.make({ method: 'crm.settings.mode.get', params: {} })).rejects.toMatchObject({ code: 'QUERY_LIMIT_EXCEEDED', status: 503 });
    } finally {
      emu.limits.rate.settings = { enabled: false, burst: 50, drainPerSecond: 2 };
    }
  });
});
