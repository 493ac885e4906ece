import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErpEmulator } from '../../../emulators/erp/server.js';
import { ASYSTEM, client, ERPS, type ErrorBody } from './helpers.js';

interface CalcAnswer {
  price: number;
  unitPrice: number;
  currency: string;
  breakdown: { name: string; amount: number }[];
  productionDays: number;
  warnings: string[];
  templateVersion: number;
}

// Expected prices are worked out by hand from the formula in emulators/erp/README.md.
describe.each(ERPS)('$name calculate', (erp) => {
  let emu: ErpEmulator;
  let calc: (templateId: string, body: unknown) => Promise<{ status: number; body: CalcAnswer }>;
  beforeAll(async () => {
    emu = await erp.start();
    calc = (templateId, body) => client(erp, emu).post<CalcAnswer>(`/templates/${templateId}/calculate`, body);
  });
  afterAll(() => emu.stop());

  it('prices business cards by the quantity tier, setup and packing, with the defaults', async () => {
    // 100 cards: tier 3.00 → 300; setup 300; 1 pack × 10.
    expect((await calc('t-12', { quantity: 100, orderParams: {} })).body).toEqual({
      price: 610,
      unitPrice: 6.1,
      currency: 'RUB',
      breakdown: [
        { name: 'Печать, 100 шт.', amount: 300 },
        { name: 'Приладка', amount: 300 },
        { name: 'Упаковка: 1 уп.', amount: 10 },
      ],
      productionDays: 2,
      warnings: [],
      templateVersion: 3,
    });
  });

  it('falls per unit as the quantity grows', async () => {
    const prices = [];
    for (const quantity of [100, 200, 500, 1000, 2000]) prices.push((await calc('t-12', { quantity, orderParams: {} })).body);
    // 1000: tier 1.00 → 1000 + 300 + 10 packs × 10.
    expect(prices[3]).toMatchObject({ price: 1400, unitPrice: 1.4 });
    for (let i = 1; i < prices.length; i += 1) expect(prices[i]!.unitPrice).toBeLessThan(prices[i - 1]!.unitPrice);
  });

  it('changes with the chosen options', async () => {
    const answer = await calc('t-12', {
      quantity: 1000,
      orderParams: { Бумага: 'designer-300', Красочность: '4+4', Ламинация: 'gloss', 'Скругление углов': true },
      details: { Визитка: { Формат: '85x55' } },
      operations: { Упаковка: { 'Изделий в упаковке': 250 } },
    });
    // unit 1.00 × 1.8 × 1.5 → 2700; setup 300; gloss 0.5 × 1000; corners 0.2 × 1000; 4 packs × 10.
    expect(answer.body).toMatchObject({
      price: 3740,
      unitPrice: 3.74,
      productionDays: 3,
      breakdown: [
        { name: 'Печать, 1000 шт.', amount: 2700 },
        { name: 'Приладка', amount: 300 },
        { name: 'Ламинация: Глянцевая 1+1', amount: 500 },
        { name: 'Скругление углов', amount: 200 },
        { name: 'Упаковка: 4 уп.', amount: 40 },
      ],
    });
  });

  it('warns about a quantity outside the presets and still prices it', async () => {
    const answer = await calc('t-12', { quantity: 150, orderParams: {} });
    expect(answer.body.price).toBe(770);
    expect(answer.body.warnings).toEqual(['Тираж 150 не входит в стандартные тиражи шаблона']);
  });

  it('prices flyers with factors from order and detail parameters, a promo code and a flat delivery charge', async () => {
    const answer = await calc('t-15', {
      quantity: 1000,
      orderParams: { 'Вид оплаты': 'invoice', 'Промо-код': 'ЛЕТО10', 'Тип доставки': 'courier', 'Город отгрузки': 'spb' },
      details: { Флаер: { Бумага: 'coated-170' } },
    });
    // unit 1.60 × 1.05 × 0.9 × 1.25 = 1.89 → 1890; setup 500; courier 350; 2 packs × 15.
    expect(answer.body).toMatchObject({ price: 2770, productionDays: 3, templateVersion: 7, warnings: [] });
    const unknownPromo = await calc('t-15', { quantity: 1000, orderParams: { 'Вид оплаты': 'card', 'Промо-код': 'ЗИМА' } });
    expect(unknownPromo.body.warnings).toEqual(['Промо-код «ЗИМА» не найден']);
    expect(unknownPromo.body.price).toBe(1600 + 500 + 30);
  });

  it('prices banners by area', async () => {
    const two = await calc('t-21', { quantity: 2, orderParams: { Материал: 'blockout-510', Ширина: 3, Высота: 1.5 } });
    // 1200 × 1.4 × 3 × 1.5 = 7560 a banner → 15120; grommets 150 × 2.
    expect(two.body).toMatchObject({ price: 15_420, unitPrice: 7710, productionDays: 1 });
    const five = await calc('t-21', { quantity: 5, orderParams: { Материал: 'blockout-510', Ширина: 3, Высота: 1.5 } });
    expect(five.body.price).toBe(31_500 + 750);
  });

  it('ignores the info-only parameters for the price, and never requires them', async () => {
    const plain = await calc('t-30', { quantity: 300, orderParams: { Формат: 'A4' } });
    // 300 booklets: 8.00 → 2400; setup 800; 3 packs × 20.
    expect(plain.body.price).toBe(3260);
    const withInfo = await calc('t-30', {
      quantity: 300,
      orderParams: { Формат: 'A4', Комментарий: '[Анна][2025-01-10 12:00][Срочно]', 'Округленная стоимость': 3300, 'Дата выдачи': '2025-01-20', 'Номер заказа': '1042' },
    });
    expect(withInfo.body.price).toBe(3260);
  });

  const refusal = async (templateId: string, body: unknown) => {
    const answer = await calc(templateId, body);
    expect(answer.status).toBe(422);
    return (answer.body as unknown as ErrorBody).error;
  };

  it('refuses a parameter the template does not have, naming it', async () => {
    expect(await refusal('t-12', { quantity: 100, orderParams: { Плотность: 300 } })).toMatchObject({ code: 'PARAM_UNKNOWN', param: 'Плотность' });
    expect(await refusal('t-12', { quantity: 100, orderParams: {}, details: { Визитка: { Цвет: 'red' } } })).toMatchObject({ code: 'PARAM_UNKNOWN', param: 'Цвет', group: 'Визитка' });
    expect(await refusal('t-12', { quantity: 100, orderParams: {}, details: { Обложка: {} } })).toMatchObject({ code: 'PARAM_UNKNOWN', param: 'Обложка' });
  });

  it('refuses a value the template does not offer or out of min/max', async () => {
    expect(await refusal('t-12', { quantity: 100, orderParams: { Бумага: 'gold' } })).toMatchObject({ code: 'PARAM_VALUE_INVALID', param: 'Бумага' });
    expect(await refusal('t-21', { quantity: 1, orderParams: { Материал: 'mesh', Ширина: 7, Высота: 1 } })).toMatchObject({ code: 'PARAM_VALUE_INVALID', param: 'Ширина' });
    expect(await refusal('t-12', { quantity: 100, orderParams: {}, operations: { Упаковка: { 'Изделий в упаковке': 5 } } })).toMatchObject({
      code: 'PARAM_VALUE_INVALID',
      param: 'Изделий в упаковке',
      group: 'Упаковка',
    });
    expect(await refusal('t-12', { quantity: 100, orderParams: { 'Дата выдачи': 'завтра' } })).toMatchObject({ code: 'PARAM_VALUE_INVALID', param: 'Дата выдачи' });
  });

  it('refuses a missing required parameter', async () => {
    const error = await refusal('t-15', { quantity: 1000, orderParams: {} });
    expect(error).toMatchObject({ code: 'PARAM_REQUIRED', param: 'Вид оплаты' });
    expect(error.message).toContain('Вид оплаты');
  });

  it('refuses a bad quantity', async () => {
    for (const quantity of [undefined, 0, 75, 20_000, '100', 100.5]) {
      expect(await refusal('t-12', { quantity, orderParams: {} })).toMatchObject({ code: 'QUANTITY_INVALID', param: 'quantity' });
    }
  });

  it('refuses a template without a price list', async () => {
    expect((await refusal('t-40', { quantity: 10, orderParams: {} })).code).toBe('TEMPLATE_HAS_NO_PRICES');
  });
});

describe('a price change in the ERP', () => {
  it('changes the answer and the template version', async () => {
    const emu = await ASYSTEM.start();
    try {
      const before = (await client(ASYSTEM, emu).post<CalcAnswer>('/templates/t-12/calculate', { quantity: 1000, orderParams: {} })).body;
      emu.templates.scalePrices('t-12', 1.1);
      const after = (await client(ASYSTEM, emu).post<CalcAnswer>('/templates/t-12/calculate', { quantity: 1000, orderParams: {} })).body;
      expect(before).toMatchObject({ price: 1400, templateVersion: 3 });
      expect(after).toMatchObject({ price: 1500, templateVersion: 4 });
    } finally {
      await emu.stop();
    }
  });
});
