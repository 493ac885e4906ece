import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from './harness.js';
import { countRequests, expectEventually, portalCall, portalList, portalQuiet, startHarness } from './harness.js';

interface Row {
  PRODUCT_NAME: string;
  PRICE: number;
  QUANTITY: number;
}

/** B24-6: a changed order updates its deal — fields, full product rows, stage, new comments only. */
describe('Bitrix24 export: order changes update the deal', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  const rowsOf = async (dealId: string) => (await portalCall<Row[]>(h.b24, 'crm.deal.productrows.get', { id: dealId })).map((r) => r.PRODUCT_NAME);
  const commentsOf = async (dealId: string) => (await portalList<{ COMMENT: string }>(h.b24, 'crm.timeline.comment.list', { filter: { ENTITY_ID: dealId, ENTITY_TYPE: 'deal' } })).map((c) => c.COMMENT);
  const versionOf = async (orderId: number) => (await h.api.request<{ version: number }>('GET', `/api/v1/orders/${orderId}`)).body.version;
  const patch = async (orderId: number, body: Record<string, unknown>) => {
    const response = await h.api.request('PATCH', `/api/v1/orders/${orderId}`, { version: await versionOf(orderId), ...body });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
  };
  const setStatus = async (orderId: number, status: string) => {
    const response = await h.api.request('POST', `/api/v1/orders/${orderId}/status`, { status });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
  };

  it('a PATCH updates the deal\'s fields and replaces its product rows (a removed item is gone)', async () => {
    const personId = await h.person({ firstName: 'Правка', phones: ['+7 920 000-00-01'] });
    const order = await h.order({
      personId,
      items: [
        { name: 'Визитки', quantity: 100, unitPrice: 1_000 },
        { name: 'Календари', quantity: 10, unitPrice: 20_000 },
      ],
    });
    const deal = await h.dealOf(order.id);
    expect(await rowsOf(deal.ID)).toEqual(['Визитки', 'Календари']);
    await patch(order.id, { items: [{ name: 'Визитки', quantity: 200, unitPrice: 1_000 }], comment: 'Только визитки', readyAt: '2026-12-10T15:00:00+03:00' });
    await expectEventually(async () => {
      const [now] = await h.dealsOf(order.id);
      expect(Number(now!.OPPORTUNITY)).toBe(2000);
      expect(now!.COMMENTS).toContain('Только визитки');
      expect(now!.CLOSEDATE.slice(0, 10)).toBe('2026-12-10');
      expect(await rowsOf(deal.ID)).toEqual(['Визитки']);
    }, { timeoutMs: 15_000, intervalMs: 100 });
    const rows = await portalCall<Row[]>(h.b24, 'crm.deal.productrows.get', { id: deal.ID });
    expect(rows.map((r) => r.QUANTITY)).toEqual([200]);
    expect(await h.dealsOf(order.id)).toHaveLength(1);
  });

  it('a status change moves the stage along the default mapping (NotProcessed → NEW, Printed → WON, Cancelled → LOSE)', async () => {
    const personId = await h.person({ firstName: 'Стадия', phones: ['+7 920 000-00-02'] });
    const order = await h.order({ personId });
    expect((await h.dealOf(order.id)).STAGE_ID).toBe('NEW');
    await setStatus(order.id, 'Printed');
    await expectEventually(async () => expect((await h.dealsOf(order.id))[0]!.STAGE_ID).toBe('WON'), { timeoutMs: 15_000, intervalMs: 100 });
    const other = await h.order({ personId });
    await h.dealOf(other.id);
    await setStatus(other.id, 'Cancelled');
    await expectEventually(async () => expect((await h.dealsOf(other.id))[0]!.STAGE_ID).toBe('LOSE'), { timeoutMs: 15_000, intervalMs: 100 });
  });

  it('a new comment adds only itself to the timeline', async () => {
    const personId = await h.person({ firstName: 'Лента', phones: ['+7 920 000-00-03'] });
    const order = await h.order({ personId });
    const comment = (text: string) => h.api.request('POST', `/api/v1/orders/${order.id}/comments`, { author: 'Анна', text });
    await comment('Первый комментарий');
    const deal = await h.dealOf(order.id);
    await expectEventually(async () => expect((await commentsOf(deal.ID)).filter((c) => c.includes('Первый комментарий'))).toHaveLength(1), { intervalMs: 100 });
    await comment('Второй комментарий');
    await expectEventually(async () => expect((await commentsOf(deal.ID)).filter((c) => c.includes('Второй комментарий'))).toHaveLength(1), { intervalMs: 100 });
    await patch(order.id, { comment: 'правка заказа' });
    await h.exported(order.id);
    await expectEventually(async () => {
      const [now] = await h.dealsOf(order.id);
      expect(now!.COMMENTS).toContain('правка заказа');
    }, { intervalMs: 100 });
    const texts = await commentsOf(deal.ID);
    expect(texts.filter((c) => c.includes('Первый комментарий'))).toHaveLength(1);
    expect(texts.filter((c) => c.includes('Второй комментарий'))).toHaveLength(1);
    expect(texts).toHaveLength(2);
  });

  it('an unrelated edit does not move the stage back after a manager moved the deal in the portal', async () => {
    const personId = await h.person({ firstName: 'Менеджер', phones: ['+7 920 000-00-04'] });
    const order = await h.order({ personId });
    const deal = await h.dealOf(order.id);
    await h.exported(order.id);
    h.b24.manager.moveDealStage(Number(deal.ID), 'PREPARATION');
    await patch(order.id, { comment: 'уточнили адрес' });
    await expectEventually(async () => expect((await h.dealsOf(order.id))[0]!.COMMENTS).toContain('уточнили адрес'), { timeoutMs: 15_000, intervalMs: 100 });
    expect((await h.dealsOf(order.id))[0]!.STAGE_ID).toBe('PREPARATION');
    // A real status change still moves it.
    await setStatus(order.id, 'Cancelled');
    await expectEventually(async () => expect((await h.dealsOf(order.id))[0]!.STAGE_ID).toBe('LOSE'), { timeoutMs: 15_000, intervalMs: 100 });
  });

  it('a new order with a new client reaches the portal in at most two REST requests', async () => {
    const personId = await h.person({ lastName: 'Счётова', firstName: 'Нина', phones: ['+7 920 000-00-05'], emails: ['count@example.ru'] });
    // Nothing else talks to the portal while counting: the client's own jobs are done, and the
    // reconciliation has had its first run (its next is «Сверка с порталом» minutes away).
    await portalQuiet(h);
    const counter = countRequests(h.b24);
    try {
      const order = await h.order({ personId });
      await h.exported(order.id);
      await expectEventually(async () => expect((await h.externalIds(`/api/v1/orders/${order.id}`)).bitrix24?.deal).toBeTruthy());
      const requests = counter.count;
      counter.stop();
      expect(requests).toBeGreaterThan(0);
      expect(requests).toBeLessThanOrEqual(2);
      const deal = await h.dealOf(order.id);
      expect(deal.CONTACT_ID).toBeTruthy();
      expect(await rowsOf(deal.ID)).toHaveLength(2);
    } finally {
      counter.stop();
    }
  });
});
