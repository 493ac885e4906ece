import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from './harness.js';
import { admin, countRequests, expectEventually, portalList, startHarness } from './harness.js';

/**
 * Faults on the portal's side: 500s, a write that commits before the connection drops, slow
 * answers, the rate limit and the operating-time budget. Whatever happens on the way, once it
 * settles every order has exactly one deal and every client exactly one contact.
 */
describe('Bitrix24 export under faults', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    h.b24.faults.clear();
    await admin(h.b24, 'POST', '/limits', { rate: { enabled: false }, operating: { enabled: false }, reset: true });
  });
  afterAll(async () => {
    await h?.close();
  });

  /**
   * Waits (asking printsync, not the portal, whose limits the test may have tightened) until no
   * export is on its way and every order has its deal; then, with the faults and limits off,
   * counts on the portal.
   */
  const settled = async (orders: number[], persons: number[], timeoutMs: number) => {
    await expectEventually(async () => {
      for (const state of ['pending', 'active', 'retrying']) expect((await h.api.request<unknown[]>('GET', `/api/v1/jobs?state=${state}`)).body, state).toEqual([]);
      for (const id of orders) expect((await h.externalIds(`/api/v1/orders/${id}`)).bitrix24?.deal, `deal of order ${id}`).toBeTruthy();
    }, { timeoutMs, intervalMs: 250 });
    h.b24.faults.clear();
    await admin(h.b24, 'POST', '/limits', { rate: { enabled: false }, operating: { enabled: false }, reset: true });
    for (const id of orders) {
      const deals = await h.dealsOf(id);
      expect(deals, `deals of order ${id}`).toHaveLength(1);
      expect((await h.externalIds(`/api/v1/orders/${id}`)).bitrix24?.deal).toBe(deals[0]!.ID);
    }
    for (const id of persons) expect(await h.contactsWith({ ORIGIN_ID: `person-${id}` }), `contacts of person ${id}`).toHaveLength(1);
    expect((await h.api.request<unknown[]>('GET', '/api/v1/jobs?state=dead')).body).toEqual([]);
  };

  it('a batch that made the deal but lost its answer («drop») is not sent twice: one deal, one contact, each comment once', async () => {
    const personId = await h.person({ firstName: 'Обрыв', phones: ['+7 921 000-00-01'] });
    h.b24.faults.arm('drop', { method: 'crm.deal.add' });
    const order = await h.order({ personId, comment: 'с обрывом' });
    await h.api.request('POST', `/api/v1/orders/${order.id}/comments`, { author: 'Анна', text: 'Комментарий до обрыва' });
    await settled([order.id], [personId], 20_000);
    expect(h.b24.faults.pending()).toEqual([]);
    const deal = (await h.dealsOf(order.id))[0]!;
    const comments = await portalList<{ COMMENT: string }>(h.b24, 'crm.timeline.comment.list', { filter: { ENTITY_ID: deal.ID, ENTITY_TYPE: 'deal' } });
    expect(comments.filter((c) => c.COMMENT.includes('Комментарий до обрыва'))).toHaveLength(1);
    // The attempt that lost its answer is in the sync log as an error, the retry as ok.
    const log = (await h.syncLog('order', order.id)).filter((e) => e.operation === 'deal.export');
    expect(log.map((e) => e.outcome)).toContain('error');
    expect(log.find((e) => e.outcome !== 'skipped')?.outcome).toBe('ok');
  });

  it('500s, dropped connections and slow answers at random: every order one deal, every client one contact', async () => {
    h.b24.faults.update({ errorRate: 0.25, dropRate: 0.15, slowRate: 0.2, slowDelayMs: 300 });
    const persons: number[] = [];
    for (let i = 0; i < 4; i += 1) persons.push(await h.person({ firstName: `Сбой ${i}`, phones: [`+7 922 000-00-0${i}`] }));
    const orders: number[] = [];
    for (let i = 0; i < 8; i += 1) orders.push((await h.order({ personId: persons[i % 4] })).id);
    await settled(orders, persons, 60_000);
  }, 120_000);

  it('bursts into QUERY_LIMIT_EXCEEDED (the portal\'s limit tighter than the settings say): all arrive once', async () => {
    // printsync believes the portal takes 100 at once; the portal refuses the third in a row.
    await h.connect({ requestsPerSecond: 100, requestBurst: 100 });
    const counter = countRequests(h.b24);
    try {
      await admin(h.b24, 'POST', '/limits', { rate: { enabled: true, drainPerSecond: 4, burst: 3 }, reset: true });
      const persons: number[] = [];
      for (let i = 0; i < 5; i += 1) persons.push(await h.person({ firstName: `Лимит ${i}`, phones: [`+7 923 000-00-0${i}`] }));
      const orders: number[] = [];
      for (let i = 0; i < 10; i += 1) orders.push((await h.order({ personId: persons[i % 5] })).id);
      await settled(orders, persons, 60_000);
      expect(counter.refused).toBeGreaterThan(0);
    } finally {
      counter.stop();
      await h.connect({ requestsPerSecond: 2, requestBurst: 50 });
    }
  }, 120_000);

  describe('with the portal\'s operating-time budget measured in seconds', () => {
    beforeAll(async () => {
      await h.close();
      h = await startHarness({ emulator: { operating: { limitSeconds: 480, windowSeconds: 3 } } });
    });

    it('OPERATION_TIME_LIMIT: the blocked work waits for the budget and then arrives once', async () => {
      // A budget spent by the first call of each method (the portal's own window is 3 s here).
      await admin(h.b24, 'POST', '/limits', { operating: { enabled: true, limitSeconds: 0, windowSeconds: 3 }, reset: true });
      const persons: number[] = [];
      for (let i = 0; i < 3; i += 1) persons.push(await h.person({ firstName: `Бюджет ${i}`, phones: [`+7 924 000-00-0${i}`] }));
      const orders: number[] = [];
      for (let i = 0; i < 3; i += 1) orders.push((await h.order({ personId: persons[i] })).id);
      await expectEventually(async () => {
        const errors = (await Promise.all(orders.map((id) => h.syncLog('order', id)))).flat().map((e) => e.error ?? '');
        expect(errors.join('\n')).toContain('OPERATION_TIME_LIMIT');
      }, { timeoutMs: 20_000, intervalMs: 200 });
      expect((await h.api.request<unknown[]>('GET', '/api/v1/jobs?state=dead')).body).toEqual([]);
      // The budget frees (a new window); printsync comes back when the portal said, or a minute later.
      await admin(h.b24, 'POST', '/limits', { operating: { enabled: false }, reset: true });
      await settled(orders, persons, 90_000);
    }, 150_000);
  });
});
