import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CARD_TIERS } from '../../support/catalog-fixtures.js';
import { TEST_DIALECTS } from '../../support/databases.js';
import type { Harness } from './harness.js';
import { expectEventually, startHarness } from './harness.js';

interface OrderBody {
  status: string;
  externalIds: Record<string, Record<string, string>>;
}
interface PersonBody {
  firstName: string | null;
}

const STAGES: Record<string, string> = { NEW: 'NotProcessed', EXECUTING: 'Printing', WON: 'Printed', LOSE: 'Cancelled' };
const MAPPING = {
  stageToStatus: Object.entries(STAGES).map(([stageId, status]) => ({ stageId, status, markPaid: false })),
  statusToStage: Object.entries(STAGES).map(([stageId, status]) => ({ status, stageId })),
};

const integration = (h: Harness) => h.api.services.integrations.find('bitrix24')!;
const inbox = (h: Harness) => integration(h).context.inbox;
const order = async (h: Harness, id: number) => (await h.api.request<OrderBody>('GET', `/api/v1/orders/${id}`)).body;
const quiet = (h: Harness) =>
  expectEventually(async () => {
    expect(h.b24.events.pendingCount()).toBe(0);
    expect((await inbox(h).counts()).pending).toBe(0);
  }, { timeoutMs: 30_000, intervalMs: 50 });

/** What the portal received by method from now on (the emulator counts every admitted request). */
function requestsFrom(h: Harness): () => Record<string, number> {
  const before = { ...h.b24.limits.rate.counts.byMethod };
  return () => {
    const diff: Record<string, number> = {};
    for (const [method, n] of Object.entries(h.b24.limits.rate.counts.byMethod)) if (n - (before[method] ?? 0) > 0) diff[method] = n - (before[method] ?? 0);
    return diff;
  };
}

async function ordersWithDeals(h: Harness, count: number, tag: string) {
  const made: Array<{ orderId: number; personId: number; dealId: number; contactId: number }> = [];
  for (let i = 0; i < count; i++) {
    const personId = await h.person({ lastName: `${tag}-${i}`, firstName: 'Нина', phones: [`+7 927 ${tag === 'Пачкова' ? 700 : 710}-00-${String(i).padStart(2, '0')}`] });
    const { id } = await h.order({ personId });
    const deal = await h.dealOf(id);
    made.push({ orderId: id, personId, dealId: Number(deal.ID), contactId: Number(deal.CONTACT_ID) });
  }
  for (const o of made) await h.exported(o.orderId);
  await quiet(h);
  return made;
}

/** B24-16/17: what the back-sync costs the portal — records read together, reconciliation applied from its pages. */
describe.each(TEST_DIALECTS)('Bitrix24 back-sync: reads on %s', (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ settings: { ...MAPPING, requestsPerSecond: 100, requestBurst: 250 }, events: true, dialect });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('events of 20 deals waiting together are read in one request per batch, not one crm.deal.get per event', async () => {
    const made = await ordersWithDeals(h, 20, 'Пачкова');
    // The integration is parked while the manager moves the deals: their events wait in the inbox.
    await h.api.services.stores.alerts.raise({ integration: 'bitrix24', kind: 'credentials', message: 'test: held', jobName: null });
    const applied = (await inbox(h).counts()).applied;
    for (const o of made) h.b24.manager.moveDealStage(o.dealId, 'EXECUTING');
    await expectEventually(async () => {
      expect(h.b24.events.pendingCount()).toBe(0);
      expect((await inbox(h).counts()).pending).toBe(20);
    }, { timeoutMs: 10_000, intervalMs: 50 });
    const requests = requestsFrom(h);
    await h.api.services.stores.alerts.clear('bitrix24');
    await quiet(h);
    for (const o of made) expect((await order(h, o.orderId)).status, `order ${o.orderId}`).toBe('Printing');
    expect((await inbox(h).counts()).applied).toBe(applied + 20);
    const sent = requests();
    // At most one read per worker slot (4) — a run takes the others' records into its batch, and
    // their own runs find nothing left to read. One request per event would be 20.
    expect(sent['crm.deal.get'] ?? 0, JSON.stringify(sent)).toBeLessThanOrEqual(4);
    expect((sent['crm.deal.get'] ?? 0) + (sent.batch ?? 0), JSON.stringify(sent)).toBeLessThanOrEqual(4);
    expect(Object.keys(sent).filter((m) => m !== 'crm.deal.get' && m !== 'batch'), JSON.stringify(sent)).toEqual([]);
  });

  it('the reconciliation applies what its list pages carry: no read of its own per record', async () => {
    const made = await ordersWithDeals(h, 6, 'Сверкина');
    // Every event of these changes is lost.
    h.b24.events.setKnobs({ dropRate: 1 });
    try {
      for (const [i, o] of made.entries()) {
        h.b24.manager.moveDealStage(o.dealId, i % 2 ? 'WON' : 'LOSE');
        h.b24.manager.update('contact', o.contactId, { NAME: `Нина-${i}` });
      }
      const requests = requestsFrom(h);
      const { queued } = await integration(h).reconcile!.run({ since: null });
      expect(queued).toEqual([]);
      for (const [i, o] of made.entries()) {
        expect((await order(h, o.orderId)).status).toBe(i % 2 ? 'Printed' : 'Cancelled');
        expect((await h.api.request<PersonBody>('GET', `/api/v1/persons/${o.personId}`)).body.firstName).toBe(`Нина-${i}`);
      }
      const sent = requests();
      expect(Object.keys(sent).every((method) => /^crm\.(deal|contact|company|lead)\.list$/.test(method)), JSON.stringify(sent)).toBe(true);
      // Applied from the page: the second run finds everything in agreement and changes nothing.
      const log = async () => (await h.syncLog('order', made[0]!.orderId)).filter((e) => e.operation === 'deal.apply').length;
      const before = await log();
      await integration(h).reconcile!.run({ since: null });
      expect(await log()).toBe(before);
    } finally {
      h.b24.events.setKnobs({ dropRate: 0 });
    }
  });

  it('the schedule’s first run after midnight is a full pass: a deal deleted while its events were lost is unlinked', async () => {
    const [o] = await ordersWithDeals(h, 1, 'Полночная');
    h.b24.events.setKnobs({ dropRate: 1 });
    try {
      h.b24.manager.delete('deal', o!.dealId);
      const runs = async () => (await h.api.services.stores.syncLog.list({ system: 'bitrix24', entityType: 'integration', entityId: 0, limit: 100 })).items.filter((e) => e.operation === 'reconcile');
      const fire = async (scheduledAt: string) => {
        const before = (await runs()).length;
        await h.api.services.queue.enqueue(h.api.services.database.db, { name: 'bitrix24.reconcile', payload: { scheduledAt } });
        return expectEventually(async () => {
          const all = await runs();
          expect(all.length).toBeGreaterThan(before);
          return all[0]!.response as { since: string | null };
        }, { timeoutMs: 15_000, intervalMs: 100 });
      };
      const today = new Date().toISOString().slice(0, 10);
      // A midday run reads what changed lately: a deletion is in no such list.
      expect((await fire(`${today}T12:00:00.000Z`)).since).not.toBeNull();
      await quiet(h);
      expect((await order(h, o!.orderId)).externalIds.bitrix24?.deal).toBe(String(o!.dealId));
      // The first run of the day (10 minutes apart by default) reads everything.
      expect((await fire(`${today}T00:05:00.000Z`)).since).toBeNull();
      await expectEventually(async () => expect((await order(h, o!.orderId)).externalIds.bitrix24?.deal).toBeUndefined(), { timeoutMs: 15_000, intervalMs: 100 });
      expect((await order(h, o!.orderId)).status).toBe('NotProcessed');
    } finally {
      h.b24.events.setKnobs({ dropRate: 0 });
    }
  });
});

/** B24-10/15: what the endpoint takes for one event — a second change within the same second; a deleted product. */
describe.each(TEST_DIALECTS)('Bitrix24 back-sync: same-second changes and products on %s', (dialect) => {
  let h: Harness;
  // No outgoing webhook: the test posts the portal's events itself, to control their `ts`.
  beforeAll(async () => {
    h = await startHarness({ settings: MAPPING, dialect });
  });
  afterAll(async () => {
    await h?.close();
  });

  const post = (event: string, id: number, ts: string) =>
    fetch(`${h.api.baseUrl}/api/bitrix/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ event, 'data[FIELDS][ID]': String(id), ts, 'auth[application_token]': h.b24.applicationToken }).toString(),
    });

  it('two changes within the same second make one event in the inbox, and the order still ends at the second state', async () => {
    const personId = await h.person({ lastName: 'Секундова', firstName: 'Ева', phones: ['+7 927 720-00-01'] });
    const created = await h.order({ personId });
    const dealId = Number((await h.dealOf(created.id)).ID);
    await h.exported(created.id);
    const ts = String(Math.floor(Date.now() / 1000));

    h.b24.manager.moveDealStage(dealId, 'EXECUTING');
    const first = await post('ONCRMDEALUPDATE', dealId, ts);
    expect(await first.json()).toEqual({ accepted: true, duplicate: false });
    await expectEventually(async () => expect((await order(h, created.id)).status).toBe('Printing'), { timeoutMs: 10_000, intervalMs: 50 });
    await quiet(h);

    // The manager moves it again; the portal's event says exactly what the first one said.
    h.b24.manager.moveDealStage(dealId, 'WON');
    const second = await post('ONCRMDEALUPDATE', dealId, ts);
    expect(await second.json()).toEqual({ accepted: true, duplicate: true });
    await expectEventually(async () => expect((await order(h, created.id)).status).toBe('Printed'), { timeoutMs: 10_000, intervalMs: 50 });
    const history = (await h.api.request<{ statusHistory: Array<{ to: string }> }>('GET', `/api/v1/orders/${created.id}`)).body.statusHistory;
    expect(history.map((s) => s.to)).toEqual(['NotProcessed', 'Printing', 'Printed']);
  });

  it('a product deleted in Bitrix24 unlinks the catalog mapping; a changed one keeps it', async () => {
    const { products, links } = h.api.services.stores;
    const db = h.api.services.database.db;
    const link = async (name: string) => {
      const product = await products.create({ name, currency: 'RUB', tiers: CARD_TIERS });
      const externalId = String(h.b24.manager.create('product', { NAME: name, PRICE: 1490, CURRENCY_ID: 'RUB' }));
      await links.set(db, { entityType: 'product', entityId: product.id, system: 'bitrix24', kind: 'product', externalId }, new Date().toISOString());
      return { productId: product.id, externalId };
    };
    const mapped = (productId: number) => links.externalIdOf({ entityType: 'product', entityId: productId, system: 'bitrix24', kind: 'product' });
    const kept = await link('Визитки 90×50');
    const gone = await link('Буклеты А4');

    h.b24.manager.update('product', Number(kept.externalId), { NAME: 'Визитки 90×50, новые' });
    expect((await post('ONCRMPRODUCTUPDATE', Number(kept.externalId), '1')).status).toBe(200);
    h.b24.manager.delete('product', Number(gone.externalId));
    expect((await post('ONCRMPRODUCTDELETE', Number(gone.externalId), '1')).status).toBe(200);

    await expectEventually(async () => expect(await mapped(gone.productId)).toBeNull(), { timeoutMs: 10_000, intervalMs: 50 });
    await quiet(h);
    expect(await mapped(kept.productId)).toBe(kept.externalId);
    expect(await products.get(gone.productId)).toMatchObject({ id: gone.productId });
    expect(await inbox(h).last('product', gone.externalId)).toMatchObject({ state: 'applied' });
    expect(await inbox(h).last('product', kept.externalId)).toMatchObject({ state: 'ignored' });
  });
});
