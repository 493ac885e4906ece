import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErpHarness } from './harness.js';
import { ERP_KINDS, startErpHarness } from './harness.js';

interface Quote {
  total: number;
  unitPrice: number;
  currency: string;
  engine: string;
  breakdown: Array<{ name: string; amount: number }>;
  parameters: Record<string, unknown>;
  source: { engine: string; templateId: string; templateVersion: number; cached: boolean };
}
interface ErrorBody {
  code: string;
  message: string;
  details: Array<{ path: string; message: string }>;
}
interface Calculator {
  engine: string;
  parameters: Array<{ key: string; label: string; sourceName: string; group: string; type: string; required: boolean; options?: Array<{ value: string; label: string }> }>;
  quantity: { min?: number; max?: number; presets?: number[] };
}

// Prices are reused this long; the tests that wait for the lifetime wait only this.
process.env.ERP_QUOTE_LIFETIME_MS = '400';

/**
 * AS-6, AX-2: a category whose primary calculator is the ERP prices its products through the
 * ERP's calculate call, with the template's parameters; the price is the emulator's formula
 * (emulators/erp/README.md): 100 business cards with the defaults 610 ₽, 1,000 with matte
 * lamination 1,000 (print) + 300 (setup) + 500 (lamination) + 100 (10 packs) = 1,900 ₽.
 */
describe.each(ERP_KINDS)('$product as the calculator', (kind) => {
  let h: ErpHarness;
  let cards: number;
  const quote = (productId: number, body: Record<string, unknown>) => h.api.request<Quote & ErrorBody>('POST', `/api/v1/products/${productId}/quote`, body);
  const calculateCalls = () => h.erp.received({ path: '/calculate' }).length;

  beforeAll(async () => {
    h = await startErpHarness(kind, { startWorker: false });
    await h.connect();
    await h.syncTemplates();
    cards = await h.product('t-12', { 'p-paper': 'Бумага для визиток' });
  });
  afterAll(() => h.close());

  it("offers the template's priced parameters with the shop's labels, not the info-only ones", async () => {
    const form = await h.api.request<Calculator>('GET', `/api/v1/products/${cards}/calculator`);
    expect(form.status).toBe(200);
    expect(form.body.engine).toBe(kind.name);
    expect(form.body.quantity).toMatchObject({ min: 50, max: 10_000, presets: [100, 200, 500, 1000, 2000] });
    const byKey = new Map(form.body.parameters.map((p) => [p.key, p]));
    expect(byKey.get('p-paper')).toMatchObject({ label: 'Бумага для визиток', sourceName: 'Бумага', type: 'select', group: 'Параметры заказа' });
    expect(byKey.get('p-paper')!.options!.map((o) => o.label)).toEqual(['Мелованная 300 г/м²', 'Мелованная 350 г/м²', 'Дизайнерская 300 г/м²']);
    expect(byKey.get('d-card/d-card-size')).toMatchObject({ label: 'Формат', group: 'Визитка' });
    expect(byKey.get('op-pack/op-pack-1')).toMatchObject({ label: 'Изделий в упаковке', group: 'Упаковка' });
    expect(form.body.parameters.map((p) => p.sourceName)).not.toContain('Комментарий');
  });

  it('prices a choice through the ERP, then serves the same choice from the cache until its lifetime ends', async () => {
    const first = await quote(cards, { quantity: 100 });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ total: 610_00, currency: 'RUB', engine: kind.name, source: { engine: kind.name, templateId: 't-12', templateVersion: 3, cached: false } });
    expect(first.body.parameters).toMatchObject({ 'p-paper': 'coated-300', 'p-lamination': 'none' });

    const calls = calculateCalls();
    // The options by their labels, as a storefront shows them; the same choice hits the cache.
    const laminated = await quote(cards, { quantity: 1000, parameters: { 'Бумага для визиток': 'Мелованная 300 г/м²', 'p-lamination': 'Матовая 1+1' } });
    expect(laminated.body).toMatchObject({ total: 1_900_00, source: { cached: false } });
    expect(laminated.body.breakdown.reduce((sum, row) => sum + row.amount, 0)).toBe(1_900_00);
    const again = await quote(cards, { quantity: 1000, parameters: { 'p-paper': 'coated-300', 'p-lamination': 'matte' } });
    expect(again.body).toMatchObject({ total: 1_900_00, source: { cached: true } });
    expect(calculateCalls()).toBe(calls + 1);

    await new Promise((resolve) => setTimeout(resolve, 450));
    const later = await quote(cards, { quantity: 1000, parameters: { 'p-lamination': 'matte' } });
    expect(later.body.source.cached).toBe(false);
    expect(calculateCalls()).toBe(calls + 2);
  });

  it('asks again when the template changed (a new version is another cache entry) and follows the new price', async () => {
    await quote(cards, { quantity: 200 });
    h.erp.templates.scalePrices('t-12', 2);
    await h.syncTemplates();
    const after = await quote(cards, { quantity: 200 });
    expect(after.body.source).toMatchObject({ cached: false, templateVersion: 4 });
  });

  it('says clearly when the ERP is down, and never serves a price older than its lifetime', async () => {
    const fresh = await quote(cards, { quantity: 500 });
    expect(fresh.status).toBe(200);
    h.erp.faults.update({ errorRate: 1, paths: ['/templates'] });
    try {
      const cached = await quote(cards, { quantity: 500 });
      expect(cached.body.source.cached).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 450));
      const down = await quote(cards, { quantity: 500 });
      expect(down.status).toBe(503);
      expect(down.body.message).toContain(`Калькулятор ${kind.product} временно недоступен`);
    } finally {
      h.erp.faults.clear();
    }
  });

  it('names the parameter of a value the template does not offer, a missing required one, or an unknown one', async () => {
    const notOffered = await quote(cards, { quantity: 100, parameters: { 'p-paper': 'Картон' } });
    expect(notOffered.status).toBe(400);
    expect(notOffered.body.details).toEqual([{ path: 'body.parameters.p-paper', message: expect.stringContaining('«Картон» — такого варианта нет; доступны: Мелованная 300 г/м²') }]);

    const unknown = await quote(cards, { quantity: 100, parameters: { Тиснение: 'золото' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.details[0]).toMatchObject({ path: 'body.parameters.Тиснение', message: expect.stringContaining('нет такого параметра') });

    const flyers = await h.product('t-15');
    const missing = await quote(flyers, { quantity: 500 });
    expect(missing.status).toBe(400);
    expect(missing.body.details).toEqual([expect.objectContaining({ path: expect.stringMatching(/^body\.parameters\./), message: '«Вид оплаты» — обязательный параметр, выберите значение' })]);

    const offRange = await quote(cards, { quantity: 75 });
    expect(offRange.status).toBe(400);
    expect(offRange.body.details[0]!.path).toBe('body.quantity');
  });

  it('refuses a template without prices with its name', async () => {
    const notebook = await h.product('t-40');
    const answer = await quote(notebook, { quantity: 10 });
    expect(answer.status).toBe(409);
    expect(answer.body.message).toContain('в шаблоне «Блокнот с твердой обложкой»');
    expect(answer.body.message).toContain('нет цен');
  });

  it('follows a parameter renamed in the ERP: the template is read anew and the quote succeeds', async () => {
    const banner = await h.product('t-21');
    const choice = { 'p-material': 'frontlit-440', 'p-width': 3, 'p-height': 1.5 };
    const before = await quote(banner, { quantity: 2, parameters: choice });
    expect(before.status, JSON.stringify(before.body)).toBe(200);
    h.erp.templates.renameParam('t-21', 'Материал', 'Материал полотна');
    // Another quantity, so the ERP is asked (not the cache): it no longer knows «Материал».
    const after = await quote(banner, { quantity: 5, parameters: choice });
    expect(after.status, JSON.stringify(after.body)).toBe(200);
    expect(after.body.source).toMatchObject({ cached: false, templateVersion: 3 });
    expect(h.erp.received({ path: '/templates/t-21/calculate' }).map((r) => r.status)).toEqual([200, 422, 200]);
    const form = await h.api.request<Calculator>('GET', `/api/v1/products/${banner}/calculator`);
    expect(form.body.parameters.find((p) => p.key === 'p-material')?.sourceName).toBe('Материал полотна');
  });

  it('flags a template the ERP removed on the product and refuses to price it', async () => {
    const booklet = await h.product('t-30');
    h.erp.templates.remove('t-30');
    const synced = await h.syncTemplates();
    expect(synced.missing).toEqual(['t-30']);
    const binding = await h.api.request<{ templateId: string; missingSince: string | null }>('GET', `${h.base}/products/${booklet}/template`);
    expect(binding.body).toMatchObject({ templateId: 't-30', missingSince: expect.any(String) });
    const answer = await quote(booklet, { quantity: 100 });
    expect(answer.status).toBe(409);
    expect(answer.body.message).toContain(`удалён в ${kind.product}`);
  });
});
