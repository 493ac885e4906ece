import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppServices } from '../../../src/app.js';
import { createApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import { buildHttpServer } from '../../../src/http/server.js';
import { poly1c } from '../../../src/integrations/poly1c/index.js';
import { createLogger } from '../../../src/logger.js';
import { TEST_DIALECTS } from '../../support/databases.js';
import { expectEventually } from '../../support/eventually.js';
import type { ExchangeHarness } from './exchange-harness.js';
import { LOGIN, PASSWORD, startExchangeHarness } from './exchange-harness.js';

/**
 * P1C-6: the site exchange with the emulated 1C (emulators/poly1c) against a real printsync over
 * HTTP — 1C logs in, takes the orders due, confirms them, and sends back statuses.
 */
describe.each(TEST_DIALECTS)('1С:Полиграфия: orders to 1C over the CommerceML site exchange (%s)', (dialect) => {
  let h: ExchangeHarness;

  beforeAll(async () => {
    h = await startExchangeHarness({ dialect });
    await h.configure();
  });
  afterAll(() => h.close());

  it('a full cycle: checkauth, init, query, success; statuses back from 1C on the order and its card', async () => {
    const order = await h.order();
    await h.due(order.id);
    const oneC = h.oneC();

    const auth = await oneC.checkauth();
    expect(auth.status).toBe(200);
    expect(auth.lines[0]).toBe('success');
    expect(auth.lines[1]).toBe('printsync_1c');
    expect(auth.lines[2]).toMatch(/^[0-9a-f]{48}$/);
    const init = await oneC.init();
    expect(init.answer.lines[0]).toBe('zip=no');
    expect(init.fileLimit).toBeGreaterThan(1_000_000);

    const query = await oneC.query();
    const mine = query.orders.find((o) => o.siteNumber === order.number)!;
    expect(mine).toBeDefined();
    expect(mine.lines.map((l) => l.name)).toEqual(['Визитки', 'Листовки', 'Доставка: Курьер']);
    expect(mine.lines[0]!.characteristics).toEqual({ Формат: '90x50', Бумага: 'Мелованная 350 г/м²', Ламинация: 'Да' });
    expect(mine.sum).toBe(4_550.5);
    expect(mine.requisites).toMatchObject({ 'Статус заказа': 'Новый', 'Статуса заказа ИД': 'NotProcessed', 'Заказ оплачен': 'false', 'Метод оплаты': 'Банковская карта' });
    expect((await h.card(order.id)).rows.map((r) => r.label)).toContain('Ожидает выгрузки в 1С');

    expect((await oneC.success()).text).toBe('success');
    const card = await h.card(order.id);
    expect(card.rows.map((r) => r.label)).toContain('Передан в 1С');
    expect(card.rows.map((r) => r.label)).not.toContain('Ожидает выгрузки в 1С');
    // Nothing is due any more: the next exchange carries nothing.
    expect((await oneC.cycle()).orders.map((o) => o.siteNumber)).not.toContain(order.number);

    const inbound = async () =>
      (await h.api.request<{ items: Array<{ name: string; counts: { received: number; applied: number; echo: number; pending: number } }> }>('GET', '/api/v1/integrations/inbound')).body.items.find((i) => i.name === 'poly1c')!.counts;
    const before = await inbound();
    oneC.setStatus(mine.siteId, { status: 'Выполнен', paidAt: '2026-03-02', shippedAt: '2026-03-03' });
    const sent = await oneC.reportAll();
    expect(sent.text).toBe('success');
    // Each document 1C sent is counted on the health page with what came of it.
    const counted = await inbound();
    expect(counted.received).toBeGreaterThan(before.received);
    expect(counted.applied).toBe(before.applied + 1);
    expect(counted.pending).toBe(0);

    const after = await h.getOrder(order.id);
    expect(after.status).toBe('Printed');
    expect(after.payment.status).toBe('paid');
    expect(after.externalIds.poly1c).toEqual({ number: mine.number });
    expect(after.statusHistory.at(-1)).toMatchObject({ to: 'Printed', changedBy: '1С:Полиграфия', origin: { kind: 'integration', name: 'poly1c' } });
    const rows = Object.fromEntries((await h.card(order.id)).rows.map((r) => [r.label, r.value]));
    expect(rows).toMatchObject({
      'Номер по 1С': expect.stringContaining(mine.number),
      'Статус 1С': 'Выполнен → «Выполнен»',
      'Дата оплаты по 1С': '02.03.2026',
      'Дата отгрузки по 1С': '03.03.2026',
    });
    // The same document again says nothing new: counted as what printsync already has.
    expect((await oneC.reportAll()).text).toBe('success');
    expect((await inbound()).echo).toBeGreaterThan(counted.echo);
    expect((await inbound()).applied).toBe(counted.applied);
    // What 1C changed is not handed back to it.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await h.card(order.id)).rows.map((r) => r.label)).not.toContain('Ожидает выгрузки в 1С');
    expect((await oneC.cycle()).orders.map((o) => o.siteNumber)).not.toContain(order.number);
  });

  it('a wrong password is `failure` with the reason, and nothing is handed over without a session', async () => {
    const order = await h.order();
    await h.due(order.id);
    const intruder = h.oneC({ password: 'не тот пароль' });
    const refused = await intruder.checkauth();
    expect(refused.status).toBe(401);
    expect(refused.lines[0]).toBe('failure');
    expect(refused.lines[1]).toMatch(/Неверный логин или пароль/);
    expect(refused.text).not.toContain(PASSWORD);
    await expect(intruder.query()).rejects.toThrow(/failure/);
    expect((await h.oneC({ login: 'other' }).checkauth()).lines[0]).toBe('failure');
    // A made-up cookie is no session either.
    const forged = await fetch(`${h.exchangeUrl}?type=sale&mode=query`, { headers: { cookie: 'printsync_1c=0123456789abcdef' } });
    expect(forged.status).toBe(401);
    expect(await forged.text()).toMatch(/^failure\n/);
    expect((await h.card(order.id)).rows.map((r) => r.label)).toContain('Ожидает выгрузки в 1С');
  });

  it('an order changed after it was handed over is handed over again; one changed between query and success too', async () => {
    const order = await h.order();
    await h.due(order.id);
    const oneC = h.oneC();
    expect((await oneC.cycle()).orders.map((o) => o.siteNumber)).toContain(order.number);
    expect((await oneC.cycle()).orders.map((o) => o.siteNumber)).not.toContain(order.number);

    // Changed after success: taken again, with the change.
    const current = await h.getOrder(order.id);
    expect((await h.api.request('PATCH', `/api/v1/orders/${order.id}`, { version: current.version, comment: 'Срочно!' })).status).toBe(200);
    await h.due(order.id);
    const again = (await oneC.cycle()).orders.find((o) => o.siteNumber === order.number);
    expect(again?.comment).toBe('Срочно!');
    expect(oneC.orders.get(again!.siteId)!.received).toBe(2);

    // Changed between query and success: the success does not swallow the change.
    expect((await oneC.checkauth()).ok).toBe(true);
    const taken = await oneC.query();
    expect(taken.orders.map((o) => o.siteNumber)).not.toContain(order.number);
    expect((await h.api.request('POST', `/api/v1/orders/${order.id}/status`, { status: 'Printing' })).status).toBe(200);
    await h.due(order.id);
    const midway = await oneC.query();
    expect(midway.orders.map((o) => o.siteNumber)).toContain(order.number);
    const handedMark = await dueMark(order.id);
    expect((await h.api.request('POST', `/api/v1/orders/${order.id}/status`, { status: 'PostPress' })).status).toBe(200);
    await expectEventually(async () => expect(await dueMark(order.id)).not.toBe(handedMark));
    expect((await oneC.success()).ok).toBe(true);
    const next = (await oneC.cycle()).orders.find((o) => o.siteNumber === order.number);
    expect(next?.requisites['Статуса заказа ИД']).toBe('PostPress');
  });

  it('a success lost (1C crashed) hands the same orders over again, never loses them', async () => {
    const first = await h.order();
    const second = await h.order();
    await h.due(first.id);
    await h.due(second.id);
    const crashing = h.oneC();
    const lost = await crashing.cycle({ crashBeforeSuccess: true });
    expect(lost.acknowledged).toBe(false);
    expect(lost.orders.map((o) => o.siteNumber)).toEqual(expect.arrayContaining([first.number, second.number]));

    // 1C restarts (a new client, a new session) and runs the exchange again.
    const restarted = h.oneC();
    const retaken = await restarted.cycle();
    expect(retaken.orders.map((o) => o.siteNumber)).toEqual(expect.arrayContaining([first.number, second.number]));
    expect((await restarted.cycle()).orders.map((o) => o.siteNumber)).not.toEqual(expect.arrayContaining([first.number]));
  });

  it('a status file for an order printsync does not have is logged; nothing else changes', async () => {
    const order = await h.order();
    await h.due(order.id);
    const oneC = h.oneC();
    await oneC.cycle();
    const before = await h.getOrder(order.id);
    const answer = await oneC.sendStatuses([{ siteId: 'ЗК-999999', siteNumber: 'ЗК-999999', number: 'ПЛ-777777', status: 'Выполнен', paidAt: '2026-03-02' }], { filename: 'orders-stranger.xml' });
    expect(answer.text).toBe('success');
    const after = await h.getOrder(order.id);
    expect(after).toEqual(before);
    const journal = await h.api.services.database.db
      .selectFrom('integration_records')
      .select('data')
      .where('system', '=', 'poly1c')
      .where('kind', '=', 'file')
      .where('key', '=', 'orders-stranger.xml')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(journal.data)).toMatchObject({ documents: 1, applied: [], unknown: [{ id: 'ЗК-999999', number: 'ЗК-999999' }] });
    const links = await h.api.services.database.db.selectFrom('external_links').selectAll().where('system', '=', 'poly1c').where('external_id', '=', 'ПЛ-777777').execute();
    expect(links).toEqual([]);
  });

  it('a broken file is `failure` with the reason', async () => {
    const oneC = h.oneC();
    await oneC.checkauth();
    const broken = await oneC.sendFile('orders-broken.xml', Buffer.from('<КоммерческаяИнформация><Документ></КоммерческаяИнформация>'));
    expect(broken.lines[0]).toBe('failure');
    expect(broken.lines[1]).toMatch(/orders-broken\.xml: Файл не является XML \(строка 1/);
    const notCml = await oneC.sendFile('orders-other.xml', Buffer.from('<?xml version="1.0"?><Другое/>'));
    expect(notCml.text).toMatch(/^failure\n.*КоммерческаяИнформация/);
  });

  it('the query is CommerceML in shape: root, schema version, a document per order with the client, lines, delivery and requisites', async () => {
    const organizationId = await h.organization();
    const personId = await h.person(organizationId);
    const order = await h.order({ personId, organizationId, discount: 50_50, payment: { status: 'paid', method: 'Счёт' }, readyAt: '2026-12-04T22:30:00Z' });
    await h.due(order.id);
    const oneC = h.oneC();
    await oneC.checkauth();
    const query = await oneC.query();
    expect(query.xml).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<КоммерческаяИнформация /);
    expect(query.contentType).toBe('application/xml; charset=utf-8');
    const root = query.document;
    expect(query.xml.split('\n')[1]).toContain('xmlns="urn:1C.ru:commerceml_2"');
    expect(root['@_ВерсияСхемы']).toBe('2.08');
    expect(root['@_ДатаФормирования']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
    const documents = root['Документ'] as Array<Record<string, unknown>>;
    expect(documents.length).toBe(query.orders.length);
    const doc = documents.find((d) => d['Номер'] === order.number)!;
    expect(doc).toMatchObject({ Ид: order.number, ХозОперация: 'Заказ товара', Роль: 'Продавец', Валюта: 'руб', Курс: '1', Сумма: '4500.00' });
    expect(doc['Дата']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(doc['Время']).toMatch(/^\d{2}:\d{2}:\d{2}$/);
    expect(doc['Скидки']).toEqual({ Скидка: { Наименование: 'Скидка на заказ', Сумма: '50.50', УчтеноВСумме: 'true' } });
    const [company] = (doc['Контрагенты'] as { Контрагент: Array<Record<string, unknown>> }).Контрагент;
    expect(company).toMatchObject({ Ид: `organization-${organizationId}`, Наименование: 'ООО «Типография Восток»', Роль: 'Покупатель', ИНН: '7707083893', КПП: '773601001' });
    expect(company!['Представители']).toEqual({ Представитель: { Контрагент: [{ Отношение: 'Контактное лицо', Ид: `person-${personId}`, Наименование: 'Иванова Ольга Петровна' }] } });
    const lines = (doc['Товары'] as { Товар: Array<Record<string, unknown>> }).Товар;
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ Наименование: 'Визитки', ЦенаЗаЕдиницу: '2.50', Количество: '500', Сумма: '1250.50' });
    expect(lines[0]!['БазоваяЕдиница']).toMatchObject({ '#text': 'шт', '@_Код': '796' });
    expect(lines[0]!['ХарактеристикиТовара']).toEqual({
      ХарактеристикаТовара: [
        { Наименование: 'Формат', Значение: '90x50' },
        { Наименование: 'Бумага', Значение: 'Мелованная 350 г/м²' },
        { Наименование: 'Ламинация', Значение: 'Да' },
      ],
    });
    expect(lines[1]!['ХарактеристикиТовара']).toBeUndefined();
    expect(lines[2]).toMatchObject({ Ид: 'ORDER_DELIVERY', Наименование: 'Доставка: Курьер', Количество: '1', Сумма: '300.00' });
    const requisites = Object.fromEntries(
      (doc['ЗначенияРеквизитов'] as { ЗначениеРеквизита: Array<{ Наименование: string; Значение: string }> }).ЗначениеРеквизита.map((r) => [r.Наименование, r.Значение]),
    );
    expect(requisites).toMatchObject({
      'Статус заказа': 'Новый',
      'Статуса заказа ИД': 'NotProcessed',
      'Заказ оплачен': 'true',
      'Статус оплаты': 'Оплачен полностью',
      'Метод оплаты': 'Счёт',
      'Отменен': 'false',
      'Способ доставки': 'Курьер',
      'Адрес доставки': 'Москва, ул. Полиграфистов, 1',
      // 01:30 on the 5th in Moscow, the 4th in UTC: 1C gets the shop's day.
      'Дата выдачи': '2026-12-05',
    });
    expect((await oneC.success()).ok).toBe(true);
  });

  it('orders from before the exchange was on go with `printsync backfill poly1c`', async () => {
    const current = await h.api.request<{ version: number }>('GET', '/api/v1/integrations/poly1c/settings');
    const off = await h.api.request('PUT', '/api/v1/integrations/poly1c/settings', { version: current.body.version, enabled: false, settings: { exchangeLogin: LOGIN, exchangePassword: PASSWORD } });
    expect(off.status).toBe(200);
    const order = await h.order();
    await h.configure();
    // Switched off when it was made: nothing marked it.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await dueMark(order.id)).toBeNull();
    const backfill = h.api.services.integrations.find('poly1c')!.backfill!;
    const pending = await backfill.pending({ since: null });
    expect(pending).toContain(order.id);
    await backfill.enqueue(pending);
    await h.due(order.id);
    expect(await backfill.sent([order.id])).toBe(1);
    expect((await h.oneC().cycle()).orders.map((o) => o.siteNumber)).toContain(order.number);
    expect(await backfill.pending({ since: null })).not.toContain(order.id);
  });

  describe('encodings', () => {
    it('hands orders over in windows-1251 when the settings say so; what the code page lacks comes as a character reference', async () => {
      await h.configure({ encoding: 'windows-1251', schemaVersion: '2.10' });
      try {
        const order = await h.order();
        await h.due(order.id);
        const oneC = h.oneC();
        await oneC.checkauth();
        const query = await oneC.query();
        expect(query.contentType).toBe('application/xml; charset=windows-1251');
        expect(query.raw.subarray(0, 60).toString('latin1')).toContain('encoding="windows-1251"');
        // «Визитки» in windows-1251 bytes, not UTF-8.
        expect(query.raw.includes(Buffer.from([0xc2, 0xe8, 0xe7, 0xe8, 0xf2, 0xea, 0xe8]))).toBe(true);
        expect(query.raw.includes(Buffer.from('Визитки', 'utf8'))).toBe(false);
        expect(query.raw.toString('latin1')).toContain('&#178;');
        expect(query.document['@_ВерсияСхемы']).toBe('2.10');
        const mine = query.orders.find((o) => o.siteNumber === order.number)!;
        expect(mine.lines[0]!.characteristics['Бумага']).toBe('Мелованная 350 г/м²');
        expect(mine.counterparties[0]).toMatchObject({ name: 'Иванова Ольга Петровна', contacts: { Почта: 'olga@example.ru', ТелефонРабочий: '+79161234567' } });
        expect((await oneC.success()).ok).toBe(true);
      } finally {
        await h.configure({ encoding: 'utf-8' });
      }
    });

    it.each(['windows-1251', 'utf-8'] as const)('reads status files in %s', async (encoding) => {
      const order = await h.order();
      await h.due(order.id);
      const oneC = h.oneC({ encoding, numberPrefix: encoding === 'utf-8' ? 'УТФ' : 'ЦП' });
      const { orders } = await oneC.cycle();
      const mine = orders.find((o) => o.siteNumber === order.number)!;
      oneC.setStatus(mine.siteId, { status: '[F] Отменён' });
      expect((await oneC.sendStatuses([{ siteId: mine.siteId }])).text).toBe('success');
      const after = await h.getOrder(order.id);
      expect(after.status).toBe('Cancelled');
      expect(after.externalIds.poly1c).toEqual({ number: mine.number });
      expect(mine.number).toMatch(encoding === 'utf-8' ? /^УТФ-/ : /^ЦП-/);
    });
  });

  /** The order's due mark (the job of its last change wrote it), or null when it is not due. */
  async function dueMark(orderId: number): Promise<string | null> {
    const row = await h.api.services.database.db
      .selectFrom('integration_records')
      .select('data')
      .where('system', '=', 'poly1c')
      .where('kind', '=', 'due')
      .where('key', '=', String(orderId))
      .executeTakeFirst();
    return row ? (JSON.parse(row.data) as { mark: string }).mark : null;
  }
});

void LOGIN;

/** Sessions and marks live in the database: an exchange may hop between printsync processes. */
describe('1С:Полиграфия exchange across two printsync instances on one PostgreSQL database', () => {
  let h: ExchangeHarness;
  let other: { services: AppServices; close(): Promise<void>; exchangeUrl: string };

  beforeAll(async () => {
    h = await startExchangeHarness({ dialect: 'postgres' });
    await h.configure();
    const config = loadConfig({ DATABASE_URL: h.api.services.config.databaseUrl, PORT: '0', LOG_LEVEL: 'silent' });
    const services = await createApp(config, { logger: createLogger('silent'), integrations: [poly1c] });
    const server = await buildHttpServer(services);
    await server.listen({ host: '127.0.0.1', port: 0 });
    const address = server.server.address() as { port: number };
    other = {
      services,
      exchangeUrl: `http://127.0.0.1:${address.port}/1c_exchange`,
      close: async () => {
        await server.close();
        await services.close();
      },
    };
  });
  afterAll(async () => {
    await other?.close();
    await h?.close();
  });

  it('checkauth on one, query on the other, success on the first: the order is handed over once', async () => {
    const order = await h.order();
    await h.due(order.id);
    const first = h.oneC();
    expect((await first.checkauth()).ok).toBe(true);
    // The same 1C (its cookie) now reaches the other instance.
    const query = await fetch(`${other.exchangeUrl}?type=sale&mode=query`, { headers: { cookie: first.sessionCookie()! } });
    expect(query.status).toBe(200);
    expect(await query.text()).toContain(`<Номер>${order.number}</Номер>`);
    expect((await first.success()).ok).toBe(true);
    expect((await h.card(order.id)).rows.map((r) => r.label)).toContain('Передан в 1С');
    const again = await h.oneC({ url: other.exchangeUrl }).cycle();
    expect(again.orders.map((o) => o.siteNumber)).not.toContain(order.number);
  });
});

