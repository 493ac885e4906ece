import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErpEmulator } from '../../../emulators/erp/server.js';
import { client, ERPS, type ErrorBody } from './helpers.js';

const flyerOrder = (externalId: string, extra: Record<string, unknown> = {}) => ({
  externalId,
  templateId: 't-15',
  quantity: 1000,
  orderParams: {
    'Вид оплаты': 'card',
    'Номер заказа сайта': externalId,
    'Получатель заказа': 'Анна Лебедева, +7 916 123-45-67',
    'Способ доставки': 'Курьер',
    'Адрес доставки': 'Москва, ул. Тверская, 1',
    'Дата выдачи': '2025-02-03',
    Комментарий: '[Анна][2025-01-10 12:00][Срочно]',
  },
  details: { Флаер: { Бумага: 'coated-170' } },
  operations: { Упаковка: { 'Изделий в упаковке': 250 } },
  title: 'Флаеры для кофейни',
  customer: { name: 'Анна Лебедева', phone: '+79161234567', email: 'anna@example.com' },
  ...extra,
});

describe.each(ERPS)('$name orders', (erp) => {
  let emu: ErpEmulator;
  beforeAll(async () => {
    emu = await erp.start();
  });
  afterAll(() => emu.stop());

  it('takes an order, numbers it «А-00001», and keeps every parameter sent', async () => {
    const api = client(erp, emu);
    const body = flyerOrder('1042', { managerId: '18', counterpartyId: '2051' });
    const created = await api.post<{ id: string; number: string; status: string; externalId: string }>('/orders', body);
    expect(created).toMatchObject({ status: 201, body: { id: 'ord-1', number: 'А-00001', status: 'new', externalId: '1042' } });
    const stored = emu.orders.get('ord-1')!;
    expect(stored.request).toEqual(body);
    expect(stored).toMatchObject({ managerId: '18', counterpartyId: '2051', templateId: 't-15', templateVersion: 7 });
    // 1000 flyers: 1.60 × 1.25 → 2000; setup 500; 4 packs × 15.
    expect(stored.price).toBe(2560);
  });

  it('answers a repeated externalId with 409 and the order it already has', async () => {
    const api = client(erp, emu);
    const again = await api.post<ErrorBody>('/orders', flyerOrder('1042'));
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('DUPLICATE_EXTERNAL_ID');
    expect(again.body.order).toMatchObject({ id: 'ord-1', number: 'А-00001', status: 'new', externalId: '1042' });
    expect(emu.orders.list()).toHaveLength(1);
  });

  it('finds orders by externalId and by id, with their status', async () => {
    const api = client(erp, emu);
    expect((await api.get('/orders?externalId=1042')).body).toEqual([{ id: 'ord-1', number: 'А-00001', status: 'new', externalId: '1042', updatedAt: expect.any(String) }]);
    expect((await api.get('/orders?externalId=9999')).body).toEqual([]);
    emu.orders.setStatus('ord-1', 'in_work');
    expect((await api.get('/orders/ord-1')).body).toMatchObject({ id: 'ord-1', status: 'in_work', externalId: '1042' });
  });

  it('fills the manager and counterparty of the key when none is sent', async () => {
    const api = client(erp, emu);
    const created = await api.post<{ id: string; number: string }>('/orders', flyerOrder('1043'));
    expect(created.body.number).toBe('А-00002');
    expect(emu.orders.get(created.body.id)).toMatchObject({ managerId: '17', counterpartyId: '2045' });
  });

  it('refuses an order as a calculate would, and stores nothing', async () => {
    const api = client(erp, emu);
    const count = emu.orders.list().length;
    const refused = async (body: unknown) => {
      const answer = await api.post<ErrorBody>('/orders', body);
      expect(answer.status).toBe(422);
      return answer.body.error;
    };
    expect(await refused({ ...flyerOrder('2000'), externalId: undefined })).toMatchObject({ code: 'PARAM_REQUIRED', param: 'externalId' });
    expect(await refused({ ...flyerOrder('2001'), templateId: 't-999' })).toMatchObject({ code: 'TEMPLATE_NOT_FOUND', param: 'templateId' });
    expect(await refused(flyerOrder('2002', { orderParams: { 'Номер заказа': '2002', 'Вид оплаты': 'card' } }))).toMatchObject({ code: 'PARAM_UNKNOWN', param: 'Номер заказа' });
    expect(await refused(flyerOrder('2003', { quantity: 50 }))).toMatchObject({ code: 'QUANTITY_INVALID' });
    expect(await refused(flyerOrder('2004', { managerId: '999' }))).toMatchObject({ code: 'PARAM_VALUE_INVALID', param: 'managerId' });
    expect(await refused({ externalId: '2005', templateId: 't-40', quantity: 10, orderParams: {} })).toMatchObject({ code: 'TEMPLATE_HAS_NO_PRICES' });
    expect(emu.orders.list()).toHaveLength(count);
  });
});
