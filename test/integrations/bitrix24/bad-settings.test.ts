import { createServer, connect as connectTcp } from 'node:net';
import type { Server, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookFields } from '../../support/bitrix24-portal.js';
import type { Harness, SyncLogEntry } from './harness.js';
import { admin, expectEventually, portalCall, portalList, startHarness } from './harness.js';

interface PanelItem {
  name: string;
  alert: { kind: string; message: string } | null;
}

/** A TCP hop in front of the portal that can be closed and reopened on the same port: «the host is unreachable». */
async function tcpHop(targetPort: number): Promise<{ port: number; close(): Promise<void>; open(): Promise<void> }> {
  let server: Server | null = null;
  const sockets = new Set<Socket>();
  let port = 0;
  const open = () =>
    new Promise<void>((resolve, reject) => {
      server = createServer((client) => {
        const upstream = connectTcp(targetPort, '127.0.0.1');
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          socket.on('error', () => socket.destroy());
        }
        client.pipe(upstream).pipe(client);
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as { port: number }).port;
        resolve();
      });
    });
  await open();
  return {
    get port() {
      return port;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      server = null;
    },
    open,
  };
}

describe('Bitrix24 export with bad settings', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  const alertOf = async () => {
    const panel = await h.api.request<{ items: PanelItem[] }>('GET', '/api/v1/integrations/panel');
    return panel.body.items.find((item) => item.name === 'bitrix24')?.alert ?? null;
  };
  const linkedDeal = async (orderId: number) => (await h.externalIds(`/api/v1/orders/${orderId}`)).bitrix24?.deal;

  it('a webhook refused at job time (its employee deactivated) parks the integration; nothing is lost, and after the fix the orders arrive', async () => {
    const personId = await h.person({ firstName: 'Парковка', phones: ['+7 925 000-00-01'] });
    const webhookUser = webhookFields(h.b24.webhookUrl).userId;
    await admin(h.b24, 'PATCH', `/users/${webhookUser}`, { ACTIVE: false });
    const first = await h.order({ personId });
    const alert = await expectEventually(async () => {
      const current = await alertOf();
      expect(current).not.toBeNull();
      return current!;
    }, { timeoutMs: 15_000, intervalMs: 100 });
    expect(alert.message).toContain('INVALID_CREDENTIALS');
    const second = await h.order({ personId });
    // Both wait: neither dead nor sent.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await h.api.request<unknown[]>('GET', '/api/v1/jobs?state=dead')).body).toEqual([]);
    expect(await linkedDeal(first.id)).toBeUndefined();
    expect(await linkedDeal(second.id)).toBeUndefined();

    await admin(h.b24, 'PATCH', `/users/${webhookUser}`, { ACTIVE: true });
    const resumed = await h.api.request<{ resumed: boolean }>('POST', '/api/v1/integrations/bitrix24/resume');
    expect(resumed.body.resumed).toBe(true);
    await h.dealOf(first.id, 20_000);
    await h.dealOf(second.id, 20_000);
    expect(await alertOf()).toBeNull();
    expect(await h.contactsWith({ ORIGIN_ID: `person-${personId}` })).toHaveLength(1);
  }, 40_000);

  it('a webhook that lost its CRM right parks the integration with a message saying so; with the right back, the order arrives', async () => {
    const personId = await h.person({ firstName: 'Права', phones: ['+7 925 000-00-05'] });
    // In Bitrix24 the admin unticks CRM in the webhook's «Настройка прав».
    const { userId, webhookCode } = webhookFields(h.b24.webhookUrl);
    const webhook = h.b24.state.findWebhook(String(userId), webhookCode)!;
    const scopes = webhook.scopes;
    webhook.scopes = scopes.filter((scope) => scope !== 'crm');
    const order = await h.order({ personId });
    const alert = await expectEventually(async () => {
      const found = await alertOf();
      expect(found).not.toBeNull();
      return found!;
    }, { timeoutMs: 15_000, intervalMs: 100 });
    expect(alert.kind).toBe('permission');
    expect(alert.message).toMatch(/insufficient_scope/);
    expect(await linkedDeal(order.id)).toBeUndefined();
    // The right is back; saving the settings resumes the integration.
    webhook.scopes = scopes;
    await h.connect();
    await h.dealOf(order.id, 20_000);
    expect(await alertOf()).toBeNull();
  }, 40_000);

  it('a stage removed in the portal: a clear error naming it, the other orders unaffected', async () => {
    const personId = await h.person({ firstName: 'Стадия', phones: ['+7 925 000-00-02'] });
    const statusToStage = [
      { status: 'NotProcessed', stageId: 'NEW' },
      { status: 'Printed', stageId: 'PREPARATION' },
      { status: 'Cancelled', stageId: 'LOSE' },
    ];
    await h.connect({ statusToStage });
    try {
      const doomed = await h.order({ personId });
      const fine = await h.order({ personId });
      await h.dealOf(doomed.id);
      await h.dealOf(fine.id);
      const [stage] = await portalList<{ ID: string }>(h.b24, 'crm.status.list', { filter: { ENTITY_ID: 'DEAL_STAGE', STATUS_ID: 'PREPARATION' } });
      await portalCall(h.b24, 'crm.status.delete', { id: stage!.ID, params: { FORCED: 'Y' } });

      expect((await h.api.request('POST', `/api/v1/orders/${doomed.id}/status`, { status: 'Printed' })).status).toBe(200);
      const entry = await h.exported(doomed.id, 'error');
      expect(entry.error).toContain('PREPARATION');
      const [deal] = await h.dealsOf(doomed.id);
      expect(deal!.STAGE_ID).toBe('NEW');

      expect((await h.api.request('POST', `/api/v1/orders/${fine.id}/status`, { status: 'Cancelled' })).status).toBe(200);
      await expectEventually(async () => expect((await h.dealsOf(fine.id))[0]!.STAGE_ID).toBe('LOSE'), { intervalMs: 100 });
      const other = await h.order({ personId });
      await h.dealOf(other.id);
      expect(await alertOf()).toBeNull();
    } finally {
      await h.api.request('POST', '/api/v1/integrations/bitrix24/resume');
    }
  });

  it('an unreachable portal: the export is retried, not lost', async () => {
    const hop = await tcpHop(Number(new URL(h.b24.url).port));
    const fields = webhookFields(h.b24.webhookUrl);
    const current = await h.api.request<{ version: number }>('GET', '/api/v1/integrations/bitrix24/settings');
    const saved = await h.api.request('PUT', '/api/v1/integrations/bitrix24/settings', {
      version: current.body.version,
      enabled: true,
      settings: { ...fields, portalUrl: `http://127.0.0.1:${hop.port}`, applicationToken: h.b24.applicationToken },
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    try {
      await hop.close();
      const personId = await h.person({ firstName: 'Недоступный', phones: ['+7 925 000-00-03'] });
      const order = await h.order({ personId });
      const failed = await h.exported(order.id, 'error');
      expect(failed.error).toMatch(/недоступен/);
      expect(await alertOf()).toBeNull();
      await hop.open();
      await h.dealOf(order.id, 30_000);
      expect(await h.contactsWith({ ORIGIN_ID: `person-${personId}` })).toHaveLength(1);
    } finally {
      await hop.open().catch(() => undefined);
      await h.connect();
      await hop.close();
    }
  }, 40_000);

  it('the webhook code never appears in the sync log', async () => {
    const { webhookCode } = webhookFields(h.b24.webhookUrl);
    const response = await h.api.request<{ items: SyncLogEntry[] }>('GET', '/api/v1/sync-log?system=bitrix24&limit=200');
    expect(response.body.items.length).toBeGreaterThan(3);
    expect(response.body.items.some((e) => e.outcome === 'error')).toBe(true);
    expect(JSON.stringify(response.body)).not.toContain(webhookCode);
    for (const entry of response.body.items.slice(0, 20)) {
      const one = await h.api.request('GET', `/api/v1/sync-log/${entry.id}`);
      expect(JSON.stringify(one.body)).not.toContain(webhookCode);
    }
  });
});
