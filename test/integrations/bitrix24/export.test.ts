import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBitrix24Emulator } from '../../../emulators/bitrix24/server.js';
import type { Bitrix24Emulator } from '../../../emulators/bitrix24/server.js';
import { OrderExporter } from '../../../src/integrations/bitrix24/export/orders.js';
import { PortalConnection } from '../../../src/integrations/bitrix24/export/portal.js';
import { bitrix24 } from '../../../src/integrations/bitrix24/index.js';
import type { Bitrix24Settings } from '../../../src/integrations/bitrix24/settings.js';
import type { Bitrix24Error } from '../../../src/integrations/bitrix24/transport/client.js';
import type { IntegrationContext } from '../../../src/platform/context.js';
import { startTestApi } from '../../support/api-server.js';
import type { TestApi } from '../../support/api-server.js';
import { connectBitrix24, portalCall, portalList } from '../../support/bitrix24-portal.js';
import { expectEventually } from '../../support/eventually.js';
import type { Deal } from './harness.js';

describe('Bitrix24 export: orders become deals', () => {
  let api: TestApi;
  let b24: Bitrix24Emulator;

  beforeAll(async () => {
    b24 = await startBitrix24Emulator({ rate: false });
    api = await startTestApi('sqlite', { integrations: [bitrix24], startWorker: true });
    await connectBitrix24(api, b24, { responsibleId: 3 });
  });

  afterAll(async () => {
    await api?.close();
    await b24?.stop();
  });

  const createPerson = async (body: Record<string, unknown>) => (await api.request<{ id: number }>('POST', '/api/v1/persons', body)).body.id;
  const createOrder = async (body: Record<string, unknown>) => {
    const response = await api.request<{ id: number; number: string }>('POST', '/api/v1/orders', {
      site: 'print.example.ru',
      source: 'site',
      items: [
        { name: 'Визитки 90×50', quantity: 500, total: 249_000, parameters: { Бумага: 'Мелованная 300 г/м²' } },
        { name: 'Листовки А5', quantity: 1000, unitPrice: 350 },
        { name: 'Наклейки', quantity: 10, unitPrice: 0 },
      ],
      delivery: { method: 'Курьер', address: 'Москва, ул. Печатников, 1', recipient: 'Мария', price: 50_000 },
      ...body,
    });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body;
  };
  const dealOf = async (orderId: number) =>
    expectEventually(async () => {
      const deals = await portalList<Deal>(b24, 'crm.deal.list', { filter: { ORIGIN_ID: `order-${orderId}` }, select: ['*', 'UF_*'] });
      expect(deals).toHaveLength(1);
      return deals[0]!;
    }, { timeoutMs: 15_000 });

  it('a new order becomes one deal with its contact, product rows and comments, in two requests', async () => {
    const personId = await createPerson({ lastName: 'Смирнова', firstName: 'Анна', phones: ['+7 (912) 345-67-89'], emails: ['anna@example.ru'] });
    // Ready at 01:30 on 5 December in Moscow, still the 4th in UTC: the deal closes on the shop's day.
    const order = await createOrder({ personId, readyAt: '2026-12-04T22:30:00Z' });
    await api.request('POST', `/api/v1/orders/${order.id}/comments`, { author: 'Анна', text: 'Срочно, к пятнице 🙏' });
    const deal = await dealOf(order.id);
    expect(deal.TITLE).toBe(`Заказ №${order.number}`);
    expect(Number(deal.OPPORTUNITY)).toBe(2490 + 3500 + 500);
    expect(deal.CURRENCY_ID).toBe('RUB');
    expect(deal.STAGE_ID).toBe('NEW');
    expect(deal.SOURCE_ID).toBe('STORE');
    expect(deal.SOURCE_DESCRIPTION).toBe('print.example.ru');
    expect(deal.ASSIGNED_BY_ID).toBe('3');
    expect(deal.UF_CRM_PRINTSYNC_ADDRESS).toBe('Москва, ул. Печатников, 1');
    expect(deal.CLOSEDATE.slice(0, 10)).toBe('2026-12-05');
    const contact = await portalCall<{ NAME: string; LAST_NAME: string; PHONE: Array<{ VALUE: string; VALUE_TYPE: string }>; EMAIL: Array<{ VALUE: string; VALUE_TYPE: string }> }>(
      b24,
      'crm.contact.get',
      { id: deal.CONTACT_ID },
    );
    expect([contact.LAST_NAME, contact.NAME]).toEqual(['Смирнова', 'Анна']);
    expect(contact.PHONE.map((p) => [p.VALUE, p.VALUE_TYPE])).toEqual([['+79123456789', 'MOBILE']]);
    expect(contact.EMAIL.map((p) => [p.VALUE, p.VALUE_TYPE])).toEqual([['anna@example.ru', 'HOME']]);
    const rows = await portalCall<Array<{ PRODUCT_NAME: string; PRICE: number; QUANTITY: number }>>(b24, 'crm.deal.productrows.get', { id: deal.ID });
    expect(rows.map((r) => [r.PRODUCT_NAME, r.QUANTITY, Math.round(r.PRICE * r.QUANTITY * 100) / 100])).toEqual([
      ['Визитки 90×50 (Бумага: Мелованная 300 г/м²)', 500, 2490],
      ['Листовки А5', 1000, 3500],
      ['Наклейки', 10, 0],
      ['Доставка: Курьер', 1, 500],
    ]);
    await expectEventually(async () => {
      const comments = await portalList<{ COMMENT: string }>(b24, 'crm.timeline.comment.list', { filter: { ENTITY_ID: deal.ID, ENTITY_TYPE: 'deal' } });
      expect(comments.map((c) => c.COMMENT).join('\n')).toContain('Срочно, к пятнице 🙏');
    });
    const link = await api.request<{ externalIds: Record<string, Record<string, string>> }>('GET', `/api/v1/orders/${order.id}`);
    expect(link.body.externalIds.bitrix24?.deal).toBe(deal.ID);
  });

  it('two exports running at once for orders of one new client make one contact: the second waits for the first', async () => {
    const personId = await createPerson({ lastName: 'Параллельный', firstName: 'Пётр', phones: ['+7 915 000-11-22'] });
    const first = await createOrder({ personId });
    const second = await createOrder({ personId });
    await Promise.all([dealOf(first.id), dealOf(second.id)]);
    // Start again from nothing on the portal's side, and run two exports side by side — as two
    // workers would — against a congested portal, where each request waits before it runs: both
    // lookups run before either contact exists.
    await portalCall(b24, 'crm.contact.delete', { id: (await dealOf(first.id)).CONTACT_ID });
    for (const order of [first, second]) await portalCall(b24, 'crm.deal.delete', { id: (await dealOf(order.id)).ID });
    const context = api.services.integrations.find('bitrix24')!.context as IntegrationContext<Bitrix24Settings>;
    await context.transaction(async (trx) => {
      for (const [entityType, id] of [['order', first.id], ['order', second.id], ['person', personId]] as const) {
        await context.stores.links.set(trx, { entityType, entityId: id, system: 'bitrix24', kind: entityType === 'order' ? 'deal' : 'contact', externalId: null }, new Date().toISOString());
      }
    });
    b24.faults.update({ slowDelayMs: 300 });
    b24.faults.arm('lag', { method: 'batch', count: 20 });
    const exporter = () => new OrderExporter(context, new PortalConnection(context));
    const runs = await Promise.all([exporter().export([first.id], { force: true, jobId: 'a' }), exporter().export([second.id], { force: true, jobId: 'b' })]);
    b24.faults.clear();
    // One of them found the client busy and is to be retried; run it again as the job would.
    const waiting = runs.flatMap((run) => run.outcomes).filter((o) => o.outcome === 'error');
    expect(waiting.map((o) => (o.error as Bitrix24Error).code)).toEqual(['BUSY']);
    expect((waiting[0]!.error as Bitrix24Error).retryable).toBe(true);
    await exporter().export([waiting[0]!.orderId], { force: true, jobId: 'c' });
    const contacts = await portalList<{ ID: string }>(b24, 'crm.contact.list', { filter: { ORIGIN_ID: `person-${personId}` }, select: ['ID'] });
    expect(contacts).toHaveLength(1);
    expect((await dealOf(first.id)).CONTACT_ID).toBe(contacts[0]!.ID);
    expect((await dealOf(second.id)).CONTACT_ID).toBe(contacts[0]!.ID);
  });

  it('many orders in one run: the one client a manager already has in the portal is found among the new ones', async () => {
    const known = await portalCall<number>(b24, 'crm.contact.add', { fields: { NAME: 'Известный', PHONE: [{ VALUE: '8 (920) 777-66-55', VALUE_TYPE: 'WORK' }] } });
    const persons = [];
    for (let i = 0; i < 12; i++) persons.push(await createPerson({ lastName: `Пакетный ${i}`, phones: [i === 7 ? '+7 920 777-66-55' : `+7 921 000-00-${String(10 + i)}`], emails: [`batch${i}@example.ru`] }));
    // Made while nothing is sent (as before a backfill): the orders' own jobs are dropped.
    const context = api.services.integrations.find('bitrix24')!.context as IntegrationContext<Bitrix24Settings>;
    await api.services.stopWorker();
    const orders = [];
    for (const personId of persons) orders.push(await createOrder({ personId }));
    try {
      const run = await new OrderExporter(context, new PortalConnection(context)).export(orders.map((o) => o.id));
      expect(run.outcomes.map((o) => o.outcome)).toEqual(orders.map(() => 'ok'));
      // One lookup (12 phones and 12 e-mails in two commands), one more for whose the match is, then the writes.
      expect(run.requests).toBeLessThanOrEqual(4);
    } finally {
      await api.services.startWorker({ pollIntervalMs: 50 });
    }
    const deals = await Promise.all(orders.map((o) => dealOf(o.id)));
    expect(deals[7]!.CONTACT_ID).toBe(String(known));
    expect(new Set(deals.map((d) => d.CONTACT_ID)).size).toBe(12);
    for (const [i, personId] of persons.entries()) {
      const made = await portalList<{ ID: string }>(b24, 'crm.contact.list', { filter: { ORIGIN_ID: `person-${personId}` }, select: ['ID'] });
      expect(made).toHaveLength(i === 7 ? 0 : 1);
    }
  });
});
