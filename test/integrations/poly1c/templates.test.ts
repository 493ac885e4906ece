import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bigPrice, bigTemplate, COLORS, FORMATS, LAMINATIONS, PAPERS, SHIRTS } from './fixtures.js';
import { BASE, startPoly1c } from './harness.js';
import type { ErrorBody, Poly1cHarness } from './harness.js';

interface Quote {
  total: number;
  unitPrice: number;
  engine: string;
  parameters: Record<string, string>;
  source: { engine: string; templateId: string };
}
interface Form {
  engine: string;
  parameters: Array<{ key: string; options: Array<{ value: string }>; default?: string }>;
  quantity: { min?: number; presets?: number[]; max?: number };
  warnings?: string[];
}

/**
 * P1C-2..P1C-5 over HTTP: template files as 1C and Excel write them, the refused ones (with
 * their line, the previous template kept), the matrix calculator through the one quote API.
 */
describe('1С:Полиграфия templates and the matrix calculator', () => {
  let h: Poly1cHarness;
  const quote = (productId: number, body: Record<string, unknown>) => h.api.request<Quote & ErrorBody>('POST', `/api/v1/products/${productId}/quote`, body);
  const form = async (productId: number, chosen?: Record<string, string>) => {
    const query = chosen ? `?parameters=${encodeURIComponent(JSON.stringify(chosen))}` : '';
    const response = await h.api.request<Form & ErrorBody>('GET', `/api/v1/products/${productId}/calculator${query}`);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body;
  };
  const options = (f: Form, key: string) => f.parameters.find((p) => p.key === key)!.options.map((o) => o.value);

  beforeAll(async () => {
    h = await startPoly1c();
  });
  afterAll(() => h.close());

  describe('files as 1C and Excel write them', () => {
    const rows = ['Формат;Красочность;Тираж;Цена', 'А4 (210х297);4+0;100;"1 234,50"', 'А3 (297х420);4+4;1 000;12 000'];
    const cases: Array<{ name: string; bytes: Buffer; encoding: string; delimiter: string }> = [
      { name: 'UTF-8 without BOM, CRLF', bytes: Buffer.from(rows.join('\r\n')), encoding: 'utf-8', delimiter: ';' },
      { name: 'UTF-8 with BOM', bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(rows.join('\n'))]), encoding: 'utf-8-bom', delimiter: ';' },
      { name: 'Windows-1251', bytes: iconv.encode(rows.join('\r\n'), 'win1251'), encoding: 'windows-1251', delimiter: ';' },
      { name: 'tab-separated', bytes: Buffer.from(rows.map((r) => r.replace(/;/g, '\t')).join('\r\n')), encoding: 'utf-8', delimiter: 'tab' },
      {
        name: 'comma-separated with quoted commas',
        bytes: Buffer.from(['Формат,Красочность,Тираж,Цена', '"А4 (210х297)",4+0,100,"1 234,50"', 'А3 (297х420),4+4,"1 000","12 000,00"'].join('\r\n')),
        encoding: 'utf-8',
        delimiter: ',',
      },
    ];
    it.each(cases)('$name: read, detected, priced with decimal commas and spaced thousands', async ({ bytes, encoding, delimiter }) => {
      const id = await h.product();
      const uploaded = await h.upload(id, bytes, 'листовки.csv');
      expect(uploaded.status, JSON.stringify(uploaded.body)).toBe(200);
      expect(uploaded.body.template).toMatchObject({ file: 'листовки.csv', variants: 2, parameters: ['Формат', 'Красочность'], encoding, delimiter, quantityColumn: 'Тираж', priceColumn: 'Цена' });
      const a4 = await quote(id, { quantity: 100, parameters: { Формат: 'А4 (210х297)' } });
      expect(a4.status, JSON.stringify(a4.body)).toBe(200);
      expect(a4.body).toMatchObject({ total: 1_234_50, engine: 'poly1c', parameters: { Формат: 'А4 (210х297)', Красочность: '4+0' }, source: { engine: 'poly1c', templateId: 'листовки.csv' } });
      expect((await quote(id, { quantity: 1000, parameters: { Формат: 'А3 (297х420)', Красочность: '4+4' } })).body.total).toBe(12_000_00);
    });

    it('keeps delimiters and line breaks inside quoted fields, and shows the product from «Продукция»', async () => {
      const id = await h.product();
      const file = 'Продукция;Формат;Комментарий;Цена\r\nВизитки;"90х50; евро";"две\r\nстроки";"1 000,5"\r\n';
      const uploaded = await h.upload(id, file);
      expect(uploaded.status, JSON.stringify(uploaded.body)).toBe(200);
      expect(uploaded.body.template).toMatchObject({ product: 'Визитки', variants: 1, parameters: ['Формат', 'Комментарий'] });
      const json = await h.api.request<{ template: { params: Record<string, string[]>; rows: unknown[] } }>('GET', `${BASE}/products/${id}/template-file/json`);
      expect(json.body.template.params).toEqual({ Формат: ['90х50; евро'], Комментарий: ['две\r\nстроки'] });
      expect(json.body.template.rows).toEqual([{ Формат: '90х50; евро', Комментарий: 'две\r\nстроки', Цена: 1000.5 }]);
      // No quantity axis: the price is per unit.
      expect((await quote(id, { quantity: 3 })).body.total).toBe(3_001_50);
    });
  });

  describe('refused files: the line and the reason, the previous template kept', () => {
    let id: number;
    beforeAll(async () => {
      id = await h.product();
      expect((await h.upload(id, SHIRTS, 'футболки.csv')).status).toBe(200);
    });
    const garbage = () => {
      const bytes = Buffer.alloc(50 * 1024 * 1024);
      let seed = 7;
      for (let i = 0; i < bytes.length; i++) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        bytes[i] = seed >> 16;
      }
      return bytes;
    };
    const bad: Array<{ name: string; file: () => string | Buffer; line: number; reason: RegExp }> = [
      { name: 'no price column', file: () => 'Формат;Тираж\nА4;100\n', line: 1, reason: /нет колонки цены/ },
      { name: 'a price that is not a number', file: () => 'Формат;Тираж;Цена\nА4;100;100\nА3;100;сто рублей\n', line: 3, reason: /цена «сто рублей» в колонке «Цена» не число/ },
      { name: 'a ragged row', file: () => 'Формат;Тираж;Цена\r\nА4;100;100\r\nА3;100\r\n', line: 3, reason: /строки разной длины/ },
      { name: 'an empty file', file: () => '', line: 1, reason: /файл пуст/ },
      { name: 'only a header', file: () => 'Формат;Цена\n', line: 2, reason: /нет ни одной строки с вариантами/ },
      { name: 'a quote never closed', file: () => 'Формат;Цена\nА4;100\n"А3;200\n', line: 3, reason: /кавычка открыта/ },
      { name: 'the same variant twice with another price', file: () => 'Формат;Цена\nА4;100\nА4;200\n', line: 3, reason: /тот же вариант, что в строке 2/ },
      // The seeded garbage has a line break before its first control byte.
      { name: '50 MB of garbage', file: garbage, line: 2, reason: /двоичные данные/ },
    ];
    it.each(bad)('$name', async ({ file, line, reason }) => {
      const before = await h.view(id);
      const refused = await h.upload(id, file(), 'плохой.csv');
      expect(refused.status, JSON.stringify(refused.body).slice(0, 500)).toBe(400);
      expect(refused.body.code).toBe('validation_failed');
      expect(refused.body.details).toHaveLength(1);
      expect(refused.body.details[0]!.path).toBe('body.file');
      expect(refused.body.details[0]!.message).toMatch(new RegExp(`^строка ${line}: `));
      expect(refused.body.details[0]!.message).toMatch(reason);
      expect(refused.body.message).toContain('«плохой.csv» не загружен');
      expect(await h.view(id)).toEqual(before);
      expect((await quote(id, { quantity: 10, parameters: { Тип: 'Детская' } })).body.total).toBe(4_000_00);
    });

    it('a request without a file says where the file goes', async () => {
      const response = await h.api.request<ErrorBody>('POST', `${BASE}/products/${id}/template-file`, {});
      expect(response.status).toBe(400);
      expect(response.body.details[0]!.path).toBe('body.file');
    });
  });

  describe('options narrow as choices are made', () => {
    let id: number;
    beforeAll(async () => {
      id = await h.product();
      expect((await h.upload(id, SHIRTS)).status).toBe(200);
    });

    it('offers only values of rows that agree with what is chosen, and preselects a lone one', async () => {
      const open = await form(id);
      expect(open.engine).toBe('poly1c');
      expect(options(open, 'Тип')).toEqual(['Мужская', 'Женская', 'Детская']);
      expect(options(open, 'Цвет')).toEqual(['Белый', 'Чёрный', 'Красный']);
      const child = await form(id, { Тип: 'Детская' });
      expect(options(child, 'Тип')).toEqual(['Мужская', 'Женская', 'Детская']);
      expect(options(child, 'Цвет')).toEqual(['Белый']);
      expect(options(child, 'Формат')).toEqual(['А4 (210х297)']);
      expect(child.parameters.find((p) => p.key === 'Цвет')!.default).toBe('Белый');
      expect(child.quantity).toMatchObject({ min: 10, presets: [10, 50] });
      const a3 = await form(id, { Формат: 'А3 (297х420)' });
      expect(options(a3, 'Тип')).toEqual(['Мужская']);
      expect(options(a3, 'Цвет')).toEqual(['Белый']);
      const black = await form(id, { Цвет: 'Чёрный' });
      expect(options(black, 'Формат')).toEqual(['А4 (210х297)']);
      expect(options(black, 'Тип')).toEqual(['Мужская']);
    });

    it('lets go of a chosen value the others rule out, and says so', async () => {
      const f = await form(id, { Тип: 'Детская', Цвет: 'Красный' });
      expect(f.warnings?.join()).toMatch(/«Цвет»: «Красный» недоступно/);
      expect(options(f, 'Цвет')).toEqual(['Белый']);
    });

    it('refuses a dead end on the parameter that leads there, naming what is possible', async () => {
      const dead = await quote(id, { quantity: 10, parameters: { Тип: 'Детская', Цвет: 'Чёрный' } });
      expect(dead.status).toBe(400);
      expect(dead.body.details[0]).toMatchObject({ path: 'body.parameters.Цвет' });
      expect(dead.body.details[0]!.message).toMatch(/недоступно.*доступно: «Белый»/);
      const unknown = await quote(id, { quantity: 10, parameters: { Размер: 'XL' } });
      expect(unknown.body.details[0]).toMatchObject({ path: 'body.parameters.Размер' });
      const open = await quote(id, { quantity: 10, parameters: { Тип: 'Мужская' } });
      expect(open.body.details[0]).toMatchObject({ path: 'body.parameters.Цвет' });
      expect(open.body.details[0]!.message).toMatch(/выберите значение: «Белый», «Чёрный»/);
    });
  });

  describe('tier strategies', () => {
    let id: number;
    const shirt = { Тип: 'Мужская', Цвет: 'Белый', Формат: 'А4 (210х297)' };
    beforeAll(async () => {
      id = await h.product();
      expect((await h.upload(id, SHIRTS)).status).toBe(200);
    });

    it('floor tier per unit by default: 70 shirts at the price per shirt of 50', async () => {
      expect((await h.view(id)).strategy).toBe('floor');
      const q = await quote(id, { quantity: 70, parameters: shirt });
      expect(q.body).toMatchObject({ total: 28_000_00, unitPrice: 400_00 });
      expect((await quote(id, { quantity: 50, parameters: shirt })).body.total).toBe(20_000_00);
      const few = await quote(id, { quantity: 5, parameters: shirt });
      expect(few.status).toBe(400);
      expect(few.body.details[0]).toMatchObject({ path: 'body.quantity', message: 'тираж не меньше 10' });
    });

    it('exact tier: only the tiers of the file', async () => {
      expect((await h.configure(id, { strategy: 'exact' })).status).toBe(200);
      expect((await quote(id, { quantity: 50, parameters: shirt })).body.total).toBe(20_000_00);
      const between = await quote(id, { quantity: 70, parameters: shirt });
      expect(between.status).toBe(400);
      expect(between.body.details[0]!.message).toMatch(/тираж 70 не предусмотрен шаблоном; доступны: 10, 50, 100/);
      expect((await form(id, shirt)).quantity).toEqual({ presets: [10, 50, 100] });
    });

    it('interpolation: a straight line between the tiers around the quantity', async () => {
      expect((await h.configure(id, { strategy: 'interpolate' })).status).toBe(200);
      // 50 → 20,000; 100 → 35,000: 70 is 40 % of the way.
      expect((await quote(id, { quantity: 70, parameters: shirt })).body.total).toBe(26_000_00);
      // Beyond the largest tier: per unit of it.
      expect((await quote(id, { quantity: 200, parameters: shirt })).body.total).toBe(70_000_00);
      const wrong = await h.configure(id, { strategy: 'median' });
      expect(wrong.status).toBe(400);
      expect(wrong.body.details[0]!.path).toBe('body.strategy');
    });
  });

  describe('«Брать стоимость шаблона из настроек тиражности продукта»', () => {
    it("prices from the product's tiers, the choices still checked against the template", async () => {
      const id = await h.product();
      expect((await h.upload(id, SHIRTS)).status).toBe(200);
      const shirt = { Тип: 'Мужская', Цвет: 'Чёрный' };
      expect((await quote(id, { quantity: 50, parameters: shirt })).body.total).toBe(22_000_00);
      expect((await h.configure(id, { useTiers: true })).body.useTiers).toBe(true);
      // Tiers: 12 ₽ from 1, 10 ₽ from 100.
      expect((await quote(id, { quantity: 50, parameters: shirt })).body).toMatchObject({ total: 600_00, parameters: { Тип: 'Мужская', Цвет: 'Чёрный', Формат: 'А4 (210х297)' } });
      expect((await quote(id, { quantity: 150, parameters: shirt })).body.total).toBe(1_500_00);
      expect((await quote(id, { quantity: 50, parameters: { Тип: 'Детская', Цвет: 'Чёрный' } })).status).toBe(400);
      expect((await form(id)).quantity).toEqual({ min: 1, max: 10_000, step: 1 });
      expect((await h.configure(id, { useTiers: false })).status).toBe(200);
      expect((await quote(id, { quantity: 50, parameters: shirt })).body.total).toBe(22_000_00);
    });
  });

  describe('«Ограничения по значениям параметров 1С:Полиграфия»', () => {
    it('a preset narrows the options and the quote; «Не выбрано» lifts it', async () => {
      const id = await h.product();
      expect((await h.upload(id, SHIRTS)).status).toBe(200);
      const saved = await h.configure(id, { restrictions: { Формат: 'А3 (297х420)', Цвет: null } });
      expect(saved.status, JSON.stringify(saved.body)).toBe(200);
      expect(saved.body.restrictions).toEqual([
        { name: 'Тип', values: ['Мужская', 'Женская', 'Детская'], preset: null, problem: null },
        { name: 'Цвет', values: ['Белый', 'Чёрный', 'Красный'], preset: null, problem: null },
        { name: 'Формат', values: ['А4 (210х297)', 'А3 (297х420)'], preset: 'А3 (297х420)', problem: null },
      ]);
      const f = await form(id);
      expect(options(f, 'Формат')).toEqual(['А3 (297х420)']);
      expect(options(f, 'Тип')).toEqual(['Мужская']);
      expect((await quote(id, { quantity: 10 })).body).toMatchObject({ total: 6_000_00, parameters: { Формат: 'А3 (297х420)', Тип: 'Мужская', Цвет: 'Белый' } });
      const other = await quote(id, { quantity: 10, parameters: { Формат: 'А4 (210х297)' } });
      expect(other.status).toBe(400);
      expect(other.body.details[0]).toMatchObject({ path: 'body.parameters.Формат', message: 'для товара задано значение «А3 (297х420)»' });

      const unknown = await h.configure(id, { restrictions: { Формат: 'А0' } });
      expect(unknown.status).toBe(400);
      expect(unknown.body.details[0]!.path).toBe('body.restrictions.Формат');
      const deadEnd = await h.configure(id, { restrictions: { Формат: 'А3 (297х420)', Тип: 'Детская' } });
      expect(deadEnd.status).toBe(400);
      expect(deadEnd.body.details[0]!.message).toMatch(/нет ни одного варианта/);

      expect((await h.configure(id, { restrictions: {} })).status).toBe(200);
      expect(options(await form(id), 'Формат')).toEqual(['А4 (210х297)', 'А3 (297х420)']);
    });

    it('a preset a new template no longer offers is flagged, kept, and stops the quote until it is changed', async () => {
      const id = await h.product();
      expect((await h.upload(id, SHIRTS)).status).toBe(200);
      expect((await h.configure(id, { restrictions: { Формат: 'А3 (297х420)', Цвет: 'Белый' } })).status).toBe(200);
      const next = SHIRTS.split('\r\n')
        .filter((line) => !line.includes('А3'))
        .map((line) => line.replace(';Цвет;', ';Расцветка;'))
        .join('\r\n');
      const uploaded = await h.upload(id, next, 'футболки-2025.csv');
      expect(uploaded.status).toBe(200);
      expect(uploaded.body.restrictions).toEqual(
        expect.arrayContaining([
          { name: 'Формат', values: ['А4 (210х297)'], preset: 'А3 (297х420)', problem: 'значения «А3 (297х420)» нет в загруженном шаблоне' },
          { name: 'Цвет', values: [], preset: 'Белый', problem: 'параметра «Цвет» нет в загруженном шаблоне' },
        ]),
      );
      const refused = await quote(id, { quantity: 10, parameters: { Тип: 'Детская' } });
      expect(refused.status).toBe(409);
      expect(refused.body.message).toMatch(/Ограничения по значениям параметров 1С:Полиграфия не совпадают/);
      expect((await form(id)).warnings?.length).toBe(2);
      // Saving the other settings keeps the flagged presets as they are.
      expect((await h.configure(id, { strategy: 'floor', restrictions: { Формат: 'А3 (297х420)', Цвет: 'Белый' } })).status).toBe(200);
      expect((await h.configure(id, { restrictions: { Формат: null } })).status).toBe(200);
      expect((await quote(id, { quantity: 10, parameters: { Тип: 'Детская' } })).body.total).toBe(4_000_00);
    });
  });

  it('«Сбросить привязку»: no template, no quote; settings stay for the next file', async () => {
    const id = await h.product();
    expect((await h.upload(id, SHIRTS)).status).toBe(200);
    expect((await h.configure(id, { strategy: 'exact' })).status).toBe(200);
    const reset = await h.api.request<{ template: unknown; strategy: string }>('DELETE', `${BASE}/products/${id}/template-file`);
    expect(reset.body).toMatchObject({ template: null, strategy: 'exact' });
    const q = await quote(id, { quantity: 10 });
    expect(q.status).toBe(409);
    expect((q.body as unknown as ErrorBody).message).toMatch(/не загружен шаблон 1С:Полиграфия/);
    expect((await h.api.request<{ template: unknown }>('GET', `${BASE}/products/${id}/template-file/json`)).body.template).toBeNull();
    expect((await h.upload(id, SHIRTS)).body.strategy).toBe('exact');
  });

  it('a 100,000-variant file imports in seconds and quotes by its formula', { timeout: 120_000 }, async () => {
    const id = await h.product();
    const file = bigTemplate();
    const started = performance.now();
    const uploaded = await h.upload(id, file, 'листовки-100k.csv');
    const importMs = performance.now() - started;
    expect(uploaded.status, JSON.stringify(uploaded.body).slice(0, 300)).toBe(200);
    expect(uploaded.body.template).toMatchObject({ variants: 100_000, product: 'Листовки', parameters: ['Формат', 'Бумага', 'Красочность', 'Ламинация'] });
    expect(importMs).toBeLessThan(20_000);
    const parameters = { Формат: FORMATS[3]!, Бумага: PAPERS[5]!, Красочность: COLORS[1]!, Ламинация: LAMINATIONS[2]! };
    const q = await quote(id, { quantity: 1000, parameters });
    expect(q.status, JSON.stringify(q.body)).toBe(200);
    expect(q.body.total).toBe(Math.round(bigPrice(3, 5, 1, 2, 1000) * 100));
    // Floor tier: 1,050 at the price per unit of 1,000.
    expect((await quote(id, { quantity: 1050, parameters })).body.total).toBe(Math.round((bigPrice(3, 5, 1, 2, 1000) / 1000) * 1050 * 100));
    const f = await form(id, { Формат: FORMATS[0]! });
    expect(options(f, 'Бумага')).toEqual(PAPERS);
    expect(f.quantity.presets).toHaveLength(50);
  });
});
