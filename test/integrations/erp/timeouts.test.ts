import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErpHarness } from './harness.js';
import { ERP_KINDS, startErpHarness } from './harness.js';
import { expectEventually } from '../../support/eventually.js';

// One ERP call may take 300 ms here; the emulator answers the order's creation after 800 ms.
process.env.ERP_TIMEOUT_MS = '300';

/** AS-8: a send that timed out after the ERP made the order is retried without making a second one. */
describe.each(ERP_KINDS)('$product answering too late', (kind) => {
  let h: ErpHarness;
  beforeAll(async () => {
    h = await startErpHarness(kind);
    await h.connect();
    await h.syncTemplates();
  });
  afterAll(() => h.close());

  it('makes exactly one ERP order when the first creation times out', async () => {
    const cards = await h.product('t-12');
    h.erp.faults.update({ slowRate: 1, slowDelayMs: 800, paths: ['post /orders'] });
    const order = await h.order([{ productId: cards, quantity: 100 }]);
    await h.send(order.id);
    const timedOut = await expectEventually(async () => {
      const entry = (await h.syncLog(order.id)).find((e) => e.operation === 'order.create' && e.outcome === 'error');
      expect(entry).toBeDefined();
      return entry!;
    }, { timeoutMs: 10_000, intervalMs: 50 });
    expect(timedOut.error).toContain('не ответил за 0,3 с');
    h.erp.faults.clear();

    await expectEventually(async () => {
      const card = await h.api.request<{ externalIds: Record<string, Record<string, string>> }>('GET', `/api/v1/orders/${order.id}`);
      expect(card.body.externalIds[kind.name]?.order).toBeDefined();
    }, { timeoutMs: 15_000, intervalMs: 50 });
    expect(h.erp.orders.list().filter((o) => o.externalId === order.number)).toHaveLength(1);
    expect((await h.syncLog(order.id)).some((e) => e.operation === 'order.find' && e.outcome === 'ok')).toBe(true);
  });
});
