import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from './harness.js';
import { TEST_DIALECTS } from '../../support/databases.js';
import { eventsSettled, expectEventually, startHarness } from './harness.js';

interface OrderBody {
  status: string;
  payment: { status: string };
  externalIds: Record<string, Record<string, string>>;
}

/** B24-10/11/16: the portal's events come back to printsync; a manager's move changes the order, printsync's own writes do not. */
describe.each(TEST_DIALECTS)('Bitrix24 back-sync: events on %s', (dialect) => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ events: true, dialect });
  });
  afterAll(async () => {
    await h?.close();
  });

  const order = async (id: number) => (await h.api.request<OrderBody>('GET', `/api/v1/orders/${id}`)).body;
  const counts = async () => h.api.services.integrations.find('bitrix24')!.context.inbox.counts();

  it('a deal moved to WON by a manager makes the order «Выполнен»; printsync’s own writes come back as echoes and change nothing', async () => {
    const personId = await h.person({ lastName: 'Обратная', firstName: 'Синхронизация', phones: ['+7 927 000-00-01'] });
    const created = await h.order({ personId });
    const deal = await h.dealOf(created.id);
    // The deal printsync made fired events; they were read and dropped as printsync's own.
    await eventsSettled(h);
    const before = await order(created.id);
    expect(before.status).toBe('NotProcessed');
    const afterExport = await counts();
    expect(afterExport.applied).toBe(0);

    h.b24.manager.moveDealStage(Number(deal.ID), 'WON');
    await expectEventually(async () => expect((await order(created.id)).status).toBe('Printed'), { timeoutMs: 10_000, intervalMs: 50 });
    const history = (await h.api.request<{ statusHistory: Array<{ to: string; changedBy: string | null }> }>('GET', `/api/v1/orders/${created.id}`)).body.statusHistory;
    expect(history.at(-1)).toMatchObject({ to: 'Printed', changedBy: 'Битрикс24' });
    // Not exported back: the deal stays where the manager put it, and no new export was logged.
    const exports = (await h.syncLog('order', created.id)).filter((e) => e.operation === 'deal.export');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await h.syncLog('order', created.id)).filter((e) => e.operation === 'deal.export')).toHaveLength(exports.length);
    expect((await h.dealOf(created.id)).STAGE_ID).toBe('WON');
    expect((await counts()).applied).toBe(1);
  });

  it('an order in a status the mapping does not name keeps it: its new deal lands in the first stage, and that stage coming back is an echo', async () => {
    const personId = await h.person({ lastName: 'Печатная', firstName: 'Пола', phones: ['+7 927 000-00-02'] });
    const created = await h.order({ personId, status: 'Printing' });
    const deal = await h.dealOf(created.id);
    expect(deal.STAGE_ID).toBe('NEW');
    // The deal's own events are read and settled…
    await eventsSettled(h);
    // …and the order is still «В печать», not moved back to «Новый».
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await order(created.id)).status).toBe('Printing');
  });

  it('a forged token is refused with 403 and nothing is stored', async () => {
    const before = await counts();
    const response = await fetch(`${h.api.baseUrl}/api/bitrix/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'event=ONCRMDEALUPDATE&data%5BFIELDS%5D%5BID%5D=1&ts=1&auth%5Bapplication_token%5D=forged',
    });
    expect(response.status).toBe(403);
    expect((await counts()).received).toBe(before.received);
  });

  it('a new outgoing-webhook token saved in the settings is accepted at once', async () => {
    const post = (token: string) =>
      fetch(`${h.api.baseUrl}/api/bitrix/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `event=ONCRMDEALUPDATE&data%5BFIELDS%5D%5BID%5D=999999&ts=${Date.now()}&auth%5Bapplication_token%5D=${encodeURIComponent(token)}`,
      });
    expect((await post(h.b24.applicationToken)).status).toBe(200);
    const renewed = 'renewedToken1234567890';
    await h.connect({ applicationToken: renewed });
    expect((await post(renewed)).status).toBe(200);
  });
});
