import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErpHarness } from './harness.js';
import { ERP_KINDS, startErpHarness } from './harness.js';
import { expectEventually } from '../../support/eventually.js';

interface ErpOrderRecord {
  id: string;
  number: string;
  externalId: string;
  request: { templateId: string; quantity: number; orderParams: Record<string, unknown>; details?: Record<string, Record<string, unknown>>; managerId?: string; counterpartyId?: string; customer?: Record<string, unknown> };
}

/**
 * AS-7, AS-8, AX-3: «Отправить в …» and auto-send after render, read back from what the
 * emulated ERP stored; exactly one ERP order per order line whatever fails on the way.
 */
describe.each(ERP_KINDS)('orders to $product', (kind) => {
  let h: ErpHarness;
  let cards: number;
  let flyers: number;
  const erpOrders = () => h.erp.orders.list() as unknown as ErpOrderRecord[];
  const ordersFor = (externalId: string) => erpOrders().filter((o) => o.externalId === externalId);

  beforeAll(async () => {
    h = await startErpHarness(kind);
    await h.connect();
    await h.syncTemplates();
    cards = await h.product('t-12');
    flyers = await h.product('t-15');
  });
  afterAll(() => h.close());

  it('sends an order on the button with its parameters and the extra ones filled, and shows the ERP number on the card', async () => {
    const order = await h.order([{ productId: cards, quantity: 500, name: 'Визитки', parameters: { 'p-paper': 'Мелованная 350 г/м²', 'p-colors': '4+4' } }], {
      delivery: { method: 'Курьер', address: 'Москва, ул. Полиграфистов, 1', recipient: 'Иванова Ольга, +7 916 123-45-67', price: 300_00 },
      payment: { status: 'paid', method: 'Банковская карта' },
      // Late evening in UTC is already the next day in Moscow, where the shop hands the order over.
      readyAt: '2026-12-05T21:30:00Z',
    });
    await h.api.request('POST', `/api/v1/orders/${order.id}/comments`, { author: 'Анна Лебедева', text: 'Макет согласован' });
    await h.render(order.id);
    await h.send(order.id);
    await h.settled(order.id);

    const [sent] = ordersFor(order.number);
    expect(ordersFor(order.number)).toHaveLength(1);
    expect(sent!.request).toMatchObject({ templateId: 't-12', quantity: 500, customer: { name: 'Иванова Ольга', phone: '+79161234567', email: 'olga@example.ru' } });
    const params = sent!.request.orderParams;
    expect(params).toMatchObject({
      Бумага: 'coated-350',
      Красочность: '4+4',
      'Файлы заказа': `https://files.example.ru/orders/${order.id}.zip`,
      'Статус оплаты': 'Оплачен полностью, Банковская карта',
      'Округленная стоимость': 1_300,
      'Номер заказа': order.number,
      'Получатель заказа': 'Иванова Ольга, +7 916 123-45-67',
      'Способ доставки': 'Курьер',
      'Адрес доставки': 'Москва, ул. Полиграфистов, 1',
      'Дата выдачи': '2026-12-06',
    });
    expect(params['Комментарий']).toMatch(/^\[Анна Лебедева\]\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}\]\[Макет согласован\]$/);

    const card = await h.api.request<{ externalIds: Record<string, Record<string, string>> }>('GET', `/api/v1/orders/${order.id}`);
    expect(card.body.externalIds[kind.name]).toEqual({ order: sent!.id, number: sent!.number });
    const details = await h.api.request<{ rows: Array<{ value: string }> }>('GET', `${h.base}/orders/${order.id}/erp-orders`);
    expect(details.body.rows[0]!.value).toBe(`${sent!.number}, ID ${sent!.id}, новый`);

    // «Отправить» again, and «Отправить повторно» from the sync card: nothing new in the ERP.
    await h.send(order.id);
    const resend = await h.api.request('POST', `/api/v1/orders/${order.id}/sync/${kind.name}/resend`);
    expect(resend.status, JSON.stringify(resend.body)).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(ordersFor(order.number)).toHaveLength(1);
  });

  it('a line priced from a quote reads as a person chose it, and reaches the ERP by its codes', async () => {
    const issued = await h.api.request<{ quoteId: string; parameters: Record<string, unknown> }>('POST', `/api/v1/products/${cards}/quotes`, {
      quantity: 500,
      parameters: { 'p-paper': 'coated-350', 'p-colors': '4+4' },
    });
    expect(issued.status, JSON.stringify(issued.body)).toBe(201);
    const person = await h.api.request<{ id: number }>('POST', '/api/v1/persons', { lastName: 'Котова', firstName: 'Мария', phones: ['+7 916 555-44-33'] });
    const created = await h.api.request<{ id: number; number: string; items: Array<{ parameters: Record<string, unknown> }> }>('POST', '/api/v1/orders', {
      source: 'site',
      personId: person.body.id,
      items: [{ quoteId: issued.body.quoteId }],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    // What the card, Bitrix24 and 1C show: the labels and the options' labels, not `p-paper: coated-350`.
    expect(created.body.items[0]!.parameters).toMatchObject({ Бумага: 'Мелованная 350 г/м²', Красочность: '4+4 (двусторонняя)', Ламинация: 'Без ламинации', Формат: '90×50 мм' });
    expect(Object.keys(created.body.items[0]!.parameters).some((key) => key.startsWith('p-'))).toBe(false);

    await h.send(created.body.id);
    await h.settled(created.body.id);
    const [sent] = ordersFor(created.body.number);
    expect(sent!.request.orderParams).toMatchObject({ Бумага: 'coated-350', Красочность: '4+4', Ламинация: 'none' });
  });

  it('«Отправить» for an order with nothing of this ERP says so at once; nothing is queued or sent', async () => {
    const person = await h.api.request<{ id: number }>('POST', '/api/v1/persons', { lastName: 'Фотолюбова', phones: ['+7 916 555-44-22'] });
    const order = await h.api.request<{ id: number; number: string }>('POST', '/api/v1/orders', {
      source: 'site',
      personId: person.body.id,
      items: [{ name: 'Фото 10×15', quantity: 20, unitPrice: 1_500 }],
    });
    const refused = await h.api.request<{ code: string; message: string }>('POST', `${h.base}/orders/${order.body.id}/send`);
    expect(refused.status).toBe(409);
    expect(refused.body.message).toBe(`В заказе ${order.body.number} нет товаров, связанных с шаблоном ${kind.product}: отправлять нечего`);
    expect(await h.api.services.queue.list({ name: `${kind.name}.sendOrder` })).toEqual(expect.not.arrayContaining([expect.objectContaining({ key: `order:${order.body.id}` })]));
    expect(ordersFor(order.body.number)).toEqual([]);
  });

  it('finds an extra parameter by the name the shop mapped it to, and skips one the template lacks', async () => {
    const unmapped = await h.order([{ productId: flyers, quantity: 500, parameters: { 'Вид оплаты': 'cash' } }]);
    await h.send(unmapped.id);
    await h.settled(unmapped.id);
    expect(ordersFor(unmapped.number)[0]!.request.orderParams).not.toHaveProperty('Номер заказа');
    expect(ordersFor(unmapped.number)[0]!.request.orderParams).not.toHaveProperty('Номер заказа сайта');

    await h.connect({ extraParamNames: { orderNumber: 'Номер заказа сайта' } });
    const mapped = await h.order([{ productId: flyers, quantity: 500, parameters: { 'Вид оплаты': 'cash' } }]);
    await h.send(mapped.id);
    await h.settled(mapped.id);
    expect(ordersFor(mapped.number)[0]!.request.orderParams).toMatchObject({ 'Номер заказа сайта': mapped.number });
  });

  it('makes one ERP order per line of this ERP, numbered by the line', async () => {
    const order = await h.order([
      { productId: cards, quantity: 100 },
      { productId: flyers, quantity: 1000, parameters: { 'Вид оплаты': 'cash' } },
    ]);
    await h.send(order.id);
    // Each line is logged as it is sent: wait for the second.
    await expectEventually(
      () =>
        expect(erpOrders().filter((o) => o.externalId.startsWith(`${order.number}-`)).map((o) => [o.externalId, o.request.templateId]).sort()).toEqual([
          [`${order.number}-1`, 't-12'],
          [`${order.number}-2`, 't-15'],
        ]),
      { timeoutMs: 10_000, intervalMs: 50 },
    );
  });

  it('makes exactly one ERP order when the ERP fails with 500s, or commits and drops the answer', async () => {
    h.erp.faults.arm('error', { path: 'post /orders', count: 2 });
    const failing = await h.order([{ productId: cards, quantity: 200 }]);
    await h.send(failing.id);
    await expectEventually(() => expect(ordersFor(failing.number)).toHaveLength(1), { timeoutMs: 15_000, intervalMs: 50 });

    h.erp.faults.arm('drop', { path: 'post /orders' });
    const dropped = await h.order([{ productId: cards, quantity: 200 }]);
    await h.send(dropped.id);
    await h.settled(dropped.id);
    const creations = h.erp.received({ path: '/orders', method: 'POST' }).filter((r) => JSON.stringify(r.body).includes(`"externalId":"${dropped.number}"`));
    expect(creations.map((r) => r.status)).toEqual([null]);
    expect(ordersFor(dropped.number)).toHaveLength(1);
    const card = await h.api.request<{ externalIds: Record<string, Record<string, string>> }>('GET', `/api/v1/orders/${dropped.id}`);
    expect(card.body.externalIds[kind.name]?.order).toBe(ordersFor(dropped.number)[0]!.id);
  });

  it('refuses a line whose parameters the template does not take, naming the parameter; nothing reaches the ERP', async () => {
    const order = await h.order([{ productId: cards, quantity: 100, parameters: { 'p-paper': 'Картон' } }]);
    await h.send(order.id);
    const failed = await h.settled(order.id, 'error');
    expect(failed.error).toContain('items[0].parameters.p-paper');
    expect(failed.error).toContain('«Картон» — такого варианта нет');
    expect(ordersFor(order.number)).toHaveLength(0);
    const kept = await h.api.request<{ items: Array<{ parameters: Record<string, unknown> }> }>('GET', `/api/v1/orders/${order.id}`);
    expect(kept.body.items[0]!.parameters).toEqual({ 'p-paper': 'Картон' });
  });

  it('sends an order once its render is ready when auto-send is on, and a second render sends nothing new', async () => {
    await h.connect({ autoSendAfterRender: true });
    const order = await h.order([{ productId: cards, quantity: 100 }]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(ordersFor(order.number)).toHaveLength(0);
    await h.render(order.id);
    await expectEventually(() => expect(ordersFor(order.number)).toHaveLength(1), { timeoutMs: 10_000, intervalMs: 50 });
    await h.render(order.id);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(ordersFor(order.number)).toHaveLength(1);

    // An order without a line of this ERP is rendered too: nothing is sent, nothing fails.
    const other = await h.api.request<{ id: number }>('POST', '/api/v1/products', { name: 'Футболка', tiers: { mode: 'presets', presets: [{ quantity: 1, price: 990_00 }] } });
    const plain = await h.order([{ productId: other.body.id, quantity: 1 }]);
    await h.render(plain.id);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await h.syncLog(plain.id)).toEqual([]);
    await h.connect({ autoSendAfterRender: false });
  });
});
