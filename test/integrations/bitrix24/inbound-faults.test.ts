import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bitrix24Emulator } from '../../../emulators/bitrix24/server.js';
import type { Harness } from './harness.js';
import { TEST_DIALECTS } from '../../support/databases.js';
import { expectEventually, portalCall, portalList, startHarness } from './harness.js';

interface OrderBody {
  status: string;
  version: number;
  externalIds: Record<string, Record<string, string>>;
}
interface PersonBody {
  lastName: string | null;
  firstName: string | null;
  phones: Array<{ e164: string }>;
  externalIds: Record<string, Record<string, string>>;
}

const EVENTS = '/api/bitrix/events';
const STAGES: Record<string, string> = { NEW: 'NotProcessed', WON: 'Printed', LOSE: 'Cancelled', EXECUTING: 'Printing' };
const MAPPING = {
  stageToStatus: Object.entries(STAGES).map(([stageId, status]) => ({ stageId, status, markPaid: false })),
  statusToStage: Object.entries(STAGES).map(([stageId, status]) => ({ status, stageId })),
};

const integration = (h: Harness) => h.api.services.integrations.find('bitrix24')!;
const counts = (h: Harness) => integration(h).context.inbox.counts();
const quiet = (h: Harness, timeoutMs = 15_000) =>
  expectEventually(async () => {
    expect(h.b24.events.pendingCount()).toBe(0);
    expect((await counts(h)).pending).toBe(0);
  }, { timeoutMs, intervalMs: 50 });
const order = async (h: Harness, id: number) => (await h.api.request<OrderBody>('GET', `/api/v1/orders/${id}`)).body;

function post(h: Harness, body: string, contentType = 'application/x-www-form-urlencoded') {
  return fetch(`${h.api.baseUrl}${EVENTS}`, { method: 'POST', headers: { 'content-type': contentType }, body });
}
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

describe.each(TEST_DIALECTS)('Bitrix24 back-sync: what the endpoint refuses on %s', (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ dialect });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('a forged or missing token → 403; a malformed body → 400; nothing is stored, nothing is read', async () => {
    const token = h.b24.applicationToken;
    const good = { event: 'ONCRMDEALUPDATE', 'data[FIELDS][ID]': '7', ts: '1766047124' };
    const before = await counts(h);
    const refused: Array<[string, Response]> = [
      ['forged token', await post(h, form({ ...good, 'auth[application_token]': `${token.slice(0, -1)}${token.endsWith('x') ? 'y' : 'x'}` }))],
      ['missing token', await post(h, form(good))],
      ['empty token', await post(h, form({ ...good, 'auth[application_token]': '' }))],
    ];
    for (const [what, response] of refused) expect(response.status, what).toBe(403);
    const malformed: Array<[string, Response]> = [
      ['no data[FIELDS][ID]', await post(h, form({ event: 'ONCRMDEALUPDATE', ts: '1', 'auth[application_token]': token }))],
      ['non-numeric ID', await post(h, form({ ...good, 'data[FIELDS][ID]': '7; DROP', 'auth[application_token]': token }))],
      ['no event', await post(h, form({ 'data[FIELDS][ID]': '7', 'auth[application_token]': token }))],
      ['JSON instead of a form', await post(h, JSON.stringify({ event: 'ONCRMDEALUPDATE', data: { FIELDS: { ID: '7' } }, auth: { application_token: token } }), 'application/json')],
    ];
    for (const [what, response] of malformed) expect(response.status, what).toBe(400);
    expect(await counts(h)).toEqual(before);
    // The token is never in an answer.
    for (const [, response] of [...refused, ...malformed]) expect(await response.text()).not.toContain(token);

    // The same event, well formed, is stored.
    const accepted = await post(h, form({ ...good, 'auth[application_token]': token }));
    expect(accepted.status).toBe(200);
    expect((await counts(h)).received).toBe(before.received + 1);
  });
});

describe.each(TEST_DIALECTS)('Bitrix24 back-sync: echo and stale on %s', (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    // Echo events are read in batches, yet at the default 2 requests a second the exports alone take a minute.
    h = await startHarness({ settings: { ...MAPPING, requestsPerSecond: 100, requestBurst: 250 }, events: true, dialect });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('exporting 100 orders: every event it causes is an echo — no order changes, one export per order', async () => {
    const personId = await h.person({ lastName: 'Эхова', firstName: 'Эля', phones: ['+7 927 400-00-01'] });
    const ids: number[] = [];
    for (let i = 0; i < 100; i++) ids.push((await h.order({ personId })).id);
    for (const id of ids) await h.exported(id, 'ok', 30_000);
    await quiet(h, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await quiet(h);
    const now = await counts(h);
    expect(now.received).toBeGreaterThanOrEqual(100);
    expect(now.applied).toBe(0);
    expect(now.failed).toBe(0);
    for (const id of ids) {
      const log = await h.syncLog('order', id);
      expect(log.filter((e) => e.operation === 'deal.export'), `order ${id}`).toHaveLength(1);
      expect(log.filter((e) => e.operation === 'deal.apply'), `order ${id}`).toHaveLength(0);
      const body = await order(h, id);
      expect(body.status).toBe('NotProcessed');
      expect(body.version).toBe(1);
    }
  }, 120_000);

  it('an old event delivered after a newer change changes nothing', async () => {
    const personId = await h.person({ lastName: 'Старова', firstName: 'Стела', phones: ['+7 927 400-00-02'] });
    const created = await h.order({ personId });
    const dealId = Number((await h.dealOf(created.id)).ID);
    await quiet(h);
    // The first move's event is held back by the queue; the manager moves the deal again.
    h.b24.events.setKnobs({ delayMs: 1_500 });
    h.b24.manager.moveDealStage(dealId, 'WON');
    h.b24.events.setKnobs({ delayMs: 0 });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    h.b24.manager.moveDealStage(dealId, 'LOSE');
    await expectEventually(async () => expect((await order(h, created.id)).status).toBe('Cancelled'), { timeoutMs: 10_000, intervalMs: 50 });
    const applied = (await counts(h)).applied;
    // The late WON event arrives now: the order stays cancelled, nothing more is applied.
    await quiet(h);
    expect(h.b24.events.deliveries().filter((d) => d.fields.ID === String(dealId) && d.event === 'ONCRMDEALUPDATE').map((d) => d.status)).toEqual(['delivered', 'delivered']);
    expect((await order(h, created.id)).status).toBe('Cancelled');
    expect((await counts(h)).applied).toBe(applied);
    expect((await h.dealOf(created.id)).STAGE_ID).toBe('LOSE');
    const history = (await h.api.request<{ statusHistory: Array<{ to: string }> }>('GET', `/api/v1/orders/${created.id}`)).body.statusHistory;
    expect(history.map((s) => s.to)).toEqual(['NotProcessed', 'Cancelled']);
  });

  it('an event that comes while the deal is being read is answered by a read of its own (the card shows the last change)', async () => {
    const personId = await h.person({ lastName: 'Медленная', firstName: 'Чтения', phones: ['+7 927 400-00-04'] });
    const created = await h.order({ personId });
    const dealId = Number((await h.dealOf(created.id)).ID);
    await quiet(h);
    // The portal reads the deal at once but answers 2 s late; the manager moves it again meanwhile.
    h.b24.faults.arm('slow', { method: 'crm.deal.get' });
    h.b24.manager.moveDealStage(dealId, 'WON');
    // (A second apart: the portal's events carry whole seconds and nothing else to tell two changes apart.)
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    h.b24.manager.moveDealStage(dealId, 'LOSE');
    await expectEventually(async () => expect((await order(h, created.id)).status).toBe('Cancelled'), { timeoutMs: 10_000, intervalMs: 50 });
    await quiet(h);
    const last = await integration(h).context.inbox.last('deal', String(dealId));
    expect(last).toMatchObject({ state: 'applied' });
    expect(last!.note).toMatch(/LOSE/);
  });

  it('a state older than the one applied is never applied (the portal answering with an old read)', async () => {
    const personId = await h.person({ lastName: 'Отстающая', firstName: 'Реплика', phones: ['+7 927 400-00-03'] });
    const created = await h.order({ personId });
    const dealId = Number((await h.dealOf(created.id)).ID);
    await quiet(h);
    h.b24.manager.moveDealStage(dealId, 'EXECUTING');
    await expectEventually(async () => expect((await order(h, created.id)).status).toBe('Printing'), { timeoutMs: 10_000, intervalMs: 50 });
    await quiet(h);
    const old = snapshot(h.b24, dealId);
    expect(old.STAGE_ID).toBe('EXECUTING');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    h.b24.manager.moveDealStage(dealId, 'WON');
    await expectEventually(async () => expect((await order(h, created.id)).status).toBe('Printed'), { timeoutMs: 10_000, intervalMs: 50 });
    await quiet(h);
    // A lagging read: the next crm.deal.get answers with the state from before the last move
    // (EXECUTING, an older DATE_MODIFY); an event asks printsync to read the deal.
    const restore = readOnceFromReplica(h.b24, dealId, old);
    try {
      const before = await counts(h);
      const sent = await post(h, form({ event: 'ONCRMDEALUPDATE', 'data[FIELDS][ID]': String(dealId), ts: '1', 'auth[application_token]': h.b24.applicationToken }));
      expect(sent.status).toBe(200);
      await expectEventually(async () => expect((await counts(h)).stale).toBe(before.stale + 1), { timeoutMs: 10_000, intervalMs: 50 });
    } finally {
      restore();
    }
    expect((await order(h, created.id)).status).toBe('Printed');
  });
});

type Row = Record<string, unknown>;
/** The deal's record on the portal as it is now (a copy). */
function snapshot(b24: Bitrix24Emulator, dealId: number): Row {
  const crm = b24.state.crm as unknown as { get(def: { table: string }, id: number): Row | undefined };
  return structuredClone(crm.get({ table: 'deal' } as never, dealId) ?? (() => { throw new Error(`no deal ${dealId}`); })());
}
/** The portal reads the deal once from a replica that is behind: the old copy, as it was. */
function readOnceFromReplica(b24: Bitrix24Emulator, dealId: number, old: Row): () => void {
  const crm = b24.state.crm as unknown as { get(def: { table: string }, id: number): Row | undefined };
  const original = crm.get.bind(crm);
  let used = false;
  crm.get = (def, id) => {
    if (!used && def.table === 'deal' && id === dealId) {
      used = true;
      return structuredClone(old);
    }
    return original(def, id);
  };
  return () => {
    crm.get = original;
  };
}

describe.each(TEST_DIALECTS)('Bitrix24 back-sync: lost, repeated, late and reordered events, then reconciliation on %s', (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ settings: { ...MAPPING, requestsPerSecond: 100, requestBurst: 250 }, events: true, dialect });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('with 20% of events dropped, 30% duplicated, delayed and reordered, the reconciliation makes every order and client match the portal', async () => {
    const orders: Array<{ orderId: number; personId: number; dealId: number; contactId: number; organizationId?: number; companyId?: number }> = [];
    for (let i = 0; i < 12; i++) {
      // Every third client is an organization's employee: its company is renamed too.
      const organizationId = i % 3 === 0 ? await h.organization({ title: `ООО «Хаос-${i}»` }) : undefined;
      const personId = await h.person({ lastName: `Хаосова-${i}`, firstName: 'Ирина', phones: [`+7 927 500-00-${String(i).padStart(2, '0')}`], ...(organizationId && { organizationId }) });
      const { id } = await h.order({ personId, ...(organizationId && { organizationId }) });
      const deal = await h.dealOf(id);
      orders.push({ orderId: id, personId, dealId: Number(deal.ID), contactId: Number(deal.CONTACT_ID), ...(organizationId && { organizationId, companyId: Number(deal.COMPANY_ID) }) });
    }
    await quiet(h, 30_000);
    h.b24.events.setKnobs({ dropRate: 0.2, duplicateRate: 0.3, delayMs: 100, reorder: true, reorderWindowMs: 150 });
    const stages = ['EXECUTING', 'WON', 'LOSE'];
    for (const [i, o] of orders.entries()) {
      for (let step = 0; step <= i % 3; step++) h.b24.manager.moveDealStage(o.dealId, stages[step]!);
      h.b24.manager.update('contact', o.contactId, { NAME: `Ирина-${i}`, PHONE: [{ VALUE: `+7 927 600-00-${String(i).padStart(2, '0')}`, VALUE_TYPE: 'MOBILE' }] });
      if (o.companyId) h.b24.manager.update('company', o.companyId, { TITLE: `ООО «Порядок-${i}»` });
    }
    h.b24.manager.delete('deal', orders[0]!.dealId);
    await quiet(h, 30_000);
    const deliveries = h.b24.events.deliveries();
    expect(deliveries.filter((d) => d.status === 'dropped').length).toBeGreaterThan(0);
    expect(deliveries.filter((d) => d.duplicate).length).toBeGreaterThan(0);
    h.b24.events.setKnobs({ dropRate: 0, duplicateRate: 0, delayMs: 0, reorder: false });

    const { checked } = await integration(h).reconcile!.run({ since: null });
    expect(checked).toBeGreaterThanOrEqual(orders.length);
    await expectEventually(async () => {
      for (const o of orders) await expectMatches(h, o);
    }, { timeoutMs: 20_000, intervalMs: 200 });
  }, 120_000);
});

/** The order's status is what its deal's stage maps to (or it is unlinked when the deal is gone); the client is its contact, the organization its company. */
async function expectMatches(h: Harness, o: { orderId: number; personId: number; dealId: number; contactId: number; organizationId?: number; companyId?: number }): Promise<void> {
  if (o.organizationId && o.companyId) {
    const company = await portalCall<{ TITLE: string }>(h.b24, 'crm.company.get', { id: o.companyId });
    const organization = (await h.api.request<{ title: string }>('GET', `/api/v1/organizations/${o.organizationId}`)).body;
    expect(organization.title, `organization ${o.organizationId}`).toBe(company.TITLE);
  }
  const [deal] = await portalList<{ ID: string; STAGE_ID: string }>(h.b24, 'crm.deal.list', { filter: { ID: o.dealId }, select: ['ID', 'STAGE_ID'] });
  const body = await order(h, o.orderId);
  if (deal) {
    expect(body.externalIds.bitrix24?.deal, `order ${o.orderId}`).toBe(String(o.dealId));
    expect(body.status, `order ${o.orderId}, deal in ${deal.STAGE_ID}`).toBe(STAGES[deal.STAGE_ID]);
  } else {
    expect(body.externalIds.bitrix24?.deal, `order ${o.orderId}: its deal is deleted`).toBeUndefined();
  }
  const contact = await portalCall<{ NAME: string; LAST_NAME: string; PHONE?: Array<{ VALUE: string; VALUE_TYPE: string }> }>(h.b24, 'crm.contact.get', { id: o.contactId });
  const person = (await h.api.request<PersonBody>('GET', `/api/v1/persons/${o.personId}`)).body;
  expect([person.lastName, person.firstName], `person ${o.personId}`).toEqual([contact.LAST_NAME, contact.NAME]);
  expect(person.phones.map((p) => p.e164.replace(/\D/g, '')), `person ${o.personId}`).toEqual((contact.PHONE ?? []).filter((p) => p.VALUE_TYPE === 'MOBILE').map((p) => p.VALUE.replace(/\D/g, '')));
}
