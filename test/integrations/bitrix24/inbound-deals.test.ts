import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from './harness.js';
import { TEST_DIALECTS } from '../../support/databases.js';
import type { TestDialect } from '../../support/databases.js';
import { eventsSettled, expectEventually, startHarness } from './harness.js';

interface OrderBody {
  status: string;
  version: number;
  payment: { status: string };
  externalIds: Record<string, Record<string, string>>;
  statusHistory: Array<{ to: string; changedBy: string | null }>;
}

/**
 * B24-11/16: a manager moves deals through the stages of a funnel on the emulated portal; the
 * events come to printsync over HTTP and the orders follow — in the general funnel and in funnel 1
 * «Печать» — and nothing of it is exported back.
 */
function setup(dialect: TestDialect, settings: Record<string, unknown> = {}): Promise<Harness> {
  return startHarness({ settings, events: true, dialect });
}

const order = async (h: Harness, id: number) => (await h.api.request<OrderBody>('GET', `/api/v1/orders/${id}`)).body;
const counts = (h: Harness) => h.api.services.integrations.find('bitrix24')!.context.inbox.counts();
const exports = async (h: Harness, orderId: number) => (await h.syncLog('order', orderId)).filter((e) => e.operation === 'deal.export').length;
const quiet = eventsSettled;
const statusOf = async (h: Harness, id: number, status: string) =>
  expectEventually(async () => expect((await order(h, id)).status).toBe(status), { timeoutMs: 10_000, intervalMs: 50 });

async function newOrder(h: Harness, n: number) {
  const personId = await h.person({ lastName: `Сделкина-${n}`, firstName: 'Анна', phones: [`+7 927 100-00-${String(n).padStart(2, '0')}`] });
  const created = await h.order({ personId });
  const deal = await h.dealOf(created.id);
  await h.exported(created.id);
  await quiet(h);
  return { orderId: created.id, dealId: Number(deal.ID) };
}

describe.each(TEST_DIALECTS)('Bitrix24 back-sync on %s', (dialect) => {
describe('deals in the general funnel', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await setup(dialect, {
      stageToStatus: [
        { stageId: 'NEW', status: 'NotProcessed', markPaid: false },
        { stageId: 'PREPARATION', status: 'DesignCoordination', markPaid: false },
        { stageId: 'EXECUTING', status: 'Printing', markPaid: false },
        { stageId: 'FINAL_INVOICE', status: 'AwaitingPayment', markPaid: false },
        { stageId: 'WON', status: 'Printed', markPaid: true },
        { stageId: 'LOSE', status: 'Cancelled', markPaid: false },
      ],
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('stage after stage, the order follows; the row with «оплачен» marks it paid; none of it goes back to the deal', async () => {
    const { orderId, dealId } = await newOrder(h, 1);
    const exportsBefore = await exports(h, orderId);
    for (const [stage, status] of [['PREPARATION', 'DesignCoordination'], ['EXECUTING', 'Printing'], ['FINAL_INVOICE', 'AwaitingPayment']] as const) {
      h.b24.manager.moveDealStage(dealId, stage);
      await statusOf(h, orderId, status);
      expect((await order(h, orderId)).payment.status).not.toBe('paid');
    }
    h.b24.manager.moveDealStage(dealId, 'WON');
    await statusOf(h, orderId, 'Printed');
    await expectEventually(async () => expect((await order(h, orderId)).payment.status).toBe('paid'), { timeoutMs: 10_000, intervalMs: 50 });
    const after = await order(h, orderId);
    expect(after.statusHistory.slice(-4).map((s) => [s.to, s.changedBy])).toEqual([
      ['DesignCoordination', 'Битрикс24'],
      ['Printing', 'Битрикс24'],
      ['AwaitingPayment', 'Битрикс24'],
      ['Printed', 'Битрикс24'],
    ]);
    await quiet(h);
    await new Promise((resolve) => setTimeout(resolve, 500));
    // Not exported back: no new export, the deal stays where the manager put it.
    expect(await exports(h, orderId)).toBe(exportsBefore);
    expect((await h.dealOf(orderId)).STAGE_ID).toBe('WON');
    expect((await h.syncLog('order', orderId)).filter((e) => e.operation === 'deal.apply')).toHaveLength(4);
  });

  it('moves in quick succession still end at the last stage', async () => {
    const { orderId, dealId } = await newOrder(h, 2);
    h.b24.manager.moveDealStage(dealId, 'PREPARATION');
    h.b24.manager.moveDealStage(dealId, 'EXECUTING');
    await statusOf(h, orderId, 'Printing');
    h.b24.manager.moveDealStage(dealId, 'LOSE');
    await statusOf(h, orderId, 'Cancelled');
  });

  it('an unmapped stage, or the deal moved to another funnel, changes nothing and is logged as ignored', async () => {
    const { orderId, dealId } = await newOrder(h, 3);
    const before = await counts(h);
    h.b24.manager.moveDealStage(dealId, 'PREPAYMENT_INVOICE');
    await expectEventually(async () => {
      const now = await counts(h);
      expect(now.ignored).toBeGreaterThan(before.ignored);
      expect(now.pending).toBe(0);
    });
    expect((await order(h, orderId)).status).toBe('NotProcessed');
    const last = await h.api.services.integrations.find('bitrix24')!.context.inbox.last('deal', String(dealId));
    expect(last).toMatchObject({ state: 'ignored' });
    expect(last!.note).toMatch(/PREPAYMENT_INVOICE/);

    const mid = await counts(h);
    h.b24.manager.moveDealCategory(dealId, 1, 'C1:WON');
    await expectEventually(async () => {
      const now = await counts(h);
      expect(now.ignored).toBeGreaterThan(mid.ignored);
      expect(now.pending).toBe(0);
    });
    expect((await order(h, orderId)).status).toBe('NotProcessed');
    expect((await counts(h)).applied).toBe(mid.applied);
  });

  it('a deleted deal unlinks the order; the order stays', async () => {
    const { orderId, dealId } = await newOrder(h, 4);
    expect((await order(h, orderId)).externalIds.bitrix24?.deal).toBe(String(dealId));
    h.b24.manager.delete('deal', dealId);
    await expectEventually(async () => expect((await order(h, orderId)).externalIds.bitrix24?.deal).toBeUndefined(), { timeoutMs: 10_000, intervalMs: 50 });
    const after = await h.api.request<OrderBody>('GET', `/api/v1/orders/${orderId}`);
    expect(after.status).toBe(200);
    expect(after.body.status).toBe('NotProcessed');
  });
});

describe('deals in funnel 1 «Печать»', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await setup(dialect, {
      categoryId: 1,
      stageToStatus: [
        { stageId: 'C1:NEW', status: 'NotProcessed', markPaid: false },
        { stageId: 'C1:UC_8KQ2ZD', status: 'Printing', markPaid: false },
        { stageId: 'C1:EXECUTING', status: 'Printed', markPaid: true },
        { stageId: 'C1:WON', status: 'Delivered', markPaid: false },
      ],
      statusToStage: [
        { status: 'NotProcessed', stageId: 'C1:NEW' },
        { status: 'Printing', stageId: 'C1:UC_8KQ2ZD' },
      ],
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('C1: stages move the order, the paid row marks it paid; the general funnel’s WON does nothing here', async () => {
    const { orderId, dealId } = await newOrder(h, 5);
    expect((await h.dealOf(orderId)).STAGE_ID).toBe('C1:NEW');
    const exportsBefore = await exports(h, orderId);
    h.b24.manager.moveDealStage(dealId, 'C1:UC_8KQ2ZD');
    await statusOf(h, orderId, 'Printing');
    h.b24.manager.moveDealStage(dealId, 'C1:EXECUTING');
    await statusOf(h, orderId, 'Printed');
    await expectEventually(async () => expect((await order(h, orderId)).payment.status).toBe('paid'), { timeoutMs: 10_000, intervalMs: 50 });
    h.b24.manager.moveDealStage(dealId, 'C1:WON');
    await statusOf(h, orderId, 'Delivered');
    expect((await order(h, orderId)).payment.status).toBe('paid');
    await quiet(h);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await exports(h, orderId)).toBe(exportsBefore);
    expect((await h.dealOf(orderId)).STAGE_ID).toBe('C1:WON');

    // The same deal dragged to the general funnel is no longer printsync's funnel.
    const before = await counts(h);
    h.b24.manager.moveDealCategory(dealId, 0, 'LOSE');
    await expectEventually(async () => {
      const now = await counts(h);
      expect(now.ignored).toBeGreaterThan(before.ignored);
      expect(now.pending).toBe(0);
    });
    expect((await order(h, orderId)).status).toBe('Delivered');
  });
});
});
