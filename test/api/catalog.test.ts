import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DIALECTS } from '../support/databases.js';
import { startTestApi } from '../support/api-server.js';
import type { TestApi } from '../support/api-server.js';
import { seedCatalog } from '../../src/demo/catalog-seed.js';
import { CARD_TIERS, PHOTO_TIERS } from '../support/catalog-fixtures.js';

interface CategoryBody {
  id: number;
  name: string;
  parentId: number | null;
  calculatorEngine: string;
  calculatorEngineLabel: string;
  calculatorPrimary: boolean;
  version: number;
}

interface ProductBody {
  id: number;
  categoryId: number | null;
  name: string;
  sku: string | null;
  currency: string;
  tiers: unknown;
  version: number;
}

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

interface ErrorBody {
  code: string;
  message: string;
  details: Array<{ path: string; message: string }>;
}

const cardTiers = CARD_TIERS;
const photoTiers = PHOTO_TIERS;

describe.each(TEST_DIALECTS)('catalog API on %s', (dialect) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi(dialect);
  });
  afterAll(async () => api?.close());

  async function createCategory(body: Record<string, unknown>): Promise<CategoryBody> {
    const response = await api.request<CategoryBody>('POST', '/api/v1/categories', body);
    expect(response.status).toBe(201);
    return response.body;
  }

  async function createProduct(body: Record<string, unknown>): Promise<ProductBody> {
    const response = await api.request<ProductBody>('POST', '/api/v1/products', body);
    expect(response.status).toBe(201);
    return response.body;
  }

  async function countProducts(): Promise<number> {
    const page = await api.request<Page<ProductBody>>('GET', '/api/v1/products?limit=200');
    return page.body.items.length;
  }

  it('creates a category and a product with presets, reads them back and quotes a preset', async () => {
    const category = await createCategory({ name: 'Визитки', calculatorEngine: 'builtin', calculatorPrimary: true });
    expect(category).toMatchObject({ name: 'Визитки', parentId: null, calculatorEngine: 'builtin', calculatorEngineLabel: 'Встроенный', calculatorPrimary: true, version: 1 });
    expect((await api.request<CategoryBody>('GET', `/api/v1/categories/${category.id}`)).body).toEqual(category);

    const product = await createProduct({
      name: 'Визитки 90×50, 4+4, мелованная 300 г/м²',
      sku: 'BC-9050-44-300',
      categoryId: category.id,
      tiers: cardTiers,
    });
    expect(product).toMatchObject({ categoryId: category.id, currency: 'RUB', tiers: cardTiers, version: 1 });
    expect((await api.request<ProductBody>('GET', `/api/v1/products/${product.id}`)).body).toEqual(product);

    const quote = await api.request('POST', `/api/v1/products/${product.id}/quote`, { quantity: 500 });
    expect(quote.status).toBe(200);
    expect(quote.body).toEqual({
      productId: product.id,
      quantity: 500,
      unitPrice: 298,
      total: 149_000,
      currency: 'RUB',
      engine: 'builtin',
      categoryEngine: 'builtin',
      breakdown: [],
      warnings: [],
      parameters: {},
      source: { engine: 'builtin', pricedAt: expect.any(String), cached: false },
    });

    const notPreset = await api.request<ErrorBody>('POST', `/api/v1/products/${product.id}/quote`, { quantity: 300 });
    expect(notPreset.status).toBe(400);
    expect(notPreset.body.details).toEqual([{ path: 'body.quantity', message: '300 is not one of the preset quantities (100, 200, 500, 1000)' }]);
  });

  it('quotes a range product by its unit-price breaks and refuses quantities off the range', async () => {
    const category = await createCategory({ name: 'Фотопечать', calculatorEngine: 'poly1c', calculatorPrimary: true });
    expect(category.calculatorEngineLabel).toBe('1С:Полиграфия');
    const product = await createProduct({ name: 'Фото 10×15', categoryId: category.id, tiers: photoTiers });
    expect(product.tiers).toEqual(photoTiers);

    const quote = (quantity: number) => api.request<Record<string, unknown>>('POST', `/api/v1/products/${product.id}/quote`, { quantity });
    expect((await quote(49)).body).toMatchObject({ quantity: 49, unitPrice: 2_500, total: 122_500 });
    // The category chose 1С, which this build (no integrations) lacks: the tiers price it, and the answer says so.
    expect((await quote(300)).body).toMatchObject({
      unitPrice: 1_500,
      total: 450_000,
      engine: 'builtin',
      categoryEngine: 'poly1c',
      warnings: ['калькулятор 1С:Полиграфия не подключён в этой установке: цена по тиражности продукта'],
    });
    const outside = await quote(1001);
    expect(outside.status).toBe(400);
    expect(outside.body).toMatchObject({ details: [{ path: 'body.quantity', message: '1001 is outside the range 1…1000' }] });
    expect((await quote(0)).status).toBe(400);
    expect((await api.request('POST', '/api/v1/products/999999/quote', { quantity: 1 })).status).toBe(404);
  });

  it('lists products by category and by a name or SKU in any case, page by page', async () => {
    const flyers = await createCategory({ name: 'Листовки' });
    const other = await createCategory({ name: 'Футболки' });
    const created: ProductBody[] = [];
    for (const format of ['A6', 'A5', 'A4', 'A3', 'Евро']) {
      created.push(await createProduct({ name: `Листовка ${format}, 4+0`, sku: `FL-${format}`, categoryId: flyers.id, tiers: cardTiers }));
    }
    await createProduct({ name: 'Футболка мужская', categoryId: other.id, tiers: cardTiers });

    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `categoryId=${flyers.id}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await api.request<Page<ProductBody>>('GET', `/api/v1/products?${query}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((p) => p.id));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(created.map((p) => p.id).reverse());

    const byName = await api.request<Page<ProductBody>>('GET', `/api/v1/products?search=${encodeURIComponent('ЛИСТОВКА a5')}`);
    expect(byName.body.items.map((p) => p.name)).toEqual(['Листовка A5, 4+0']);
    const bySku = await api.request<Page<ProductBody>>('GET', '/api/v1/products?search=fl-евро');
    expect(bySku.body.items.map((p) => p.sku)).toEqual(['FL-Евро']);

    const searchPage1 = await api.request<Page<ProductBody>>('GET', `/api/v1/products?search=${encodeURIComponent('листовка')}&limit=3`);
    expect(searchPage1.body.items).toHaveLength(3);
    const searchPage2 = await api.request<Page<ProductBody>>(
      'GET',
      `/api/v1/products?search=${encodeURIComponent('листовка')}&limit=3&cursor=${searchPage1.body.nextCursor}`,
    );
    expect(searchPage2.body.items).toHaveLength(2);
    expect(searchPage2.body.nextCursor).toBeNull();
  });

  it('builds a category tree, lists children and top-level categories, and refuses cycles', async () => {
    const root = await createCategory({ name: 'Полиграфия' });
    const child = await createCategory({ name: 'Буклеты', parentId: root.id });
    const grandchild = await createCategory({ name: 'Евробуклеты', parentId: child.id });

    const children = await api.request<Page<CategoryBody>>('GET', `/api/v1/categories?parentId=${root.id}`);
    expect(children.body.items.map((c) => c.id)).toEqual([child.id]);
    const topLevel = await api.request<Page<CategoryBody>>('GET', '/api/v1/categories?parentId=root&limit=200');
    expect(topLevel.body.items.map((c) => c.id)).toContain(root.id);
    expect(topLevel.body.items.map((c) => c.id)).not.toContain(child.id);

    const cycle = await api.request<ErrorBody>('PATCH', `/api/v1/categories/${root.id}`, { parentId: grandchild.id });
    expect(cycle.status).toBe(400);
    expect(cycle.body.details[0]?.path).toBe('body.parentId');
    const self = await api.request<ErrorBody>('PATCH', `/api/v1/categories/${root.id}`, { parentId: root.id });
    expect(self.status).toBe(400);
    const missing = await api.request<ErrorBody>('POST', '/api/v1/categories', { name: 'Сироты', parentId: 999_999 });
    expect(missing.status).toBe(400);
    expect(missing.body.details).toEqual([{ path: 'body.parentId', message: 'category 999999 does not exist' }]);
    expect((await api.request<CategoryBody>('GET', `/api/v1/categories/${root.id}`)).body.version).toBe(1);

    const moved = await api.request<CategoryBody>('PATCH', `/api/v1/categories/${grandchild.id}`, { parentId: null, version: 1 });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ parentId: null, version: 2 });
  });

  it('updates with the current version, refuses a stale one with 409 and changes nothing', async () => {
    const category = await createCategory({ name: 'Наклейки' });
    const product = await createProduct({ name: 'Наклейки круглые', categoryId: category.id, tiers: cardTiers });

    const updated = await api.request<ProductBody>('PATCH', `/api/v1/products/${product.id}`, { version: 1, tiers: photoTiers });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ version: 2, tiers: photoTiers, name: 'Наклейки круглые' });

    const stale = await api.request<ErrorBody>('PATCH', `/api/v1/products/${product.id}`, { version: 1, name: 'Чужая правка' });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('version_conflict');
    expect((await api.request<ProductBody>('GET', `/api/v1/products/${product.id}`)).body).toEqual(updated.body);

    const engine = await api.request<CategoryBody>('PATCH', `/api/v1/categories/${category.id}`, { calculatorEngine: 'asystem', version: 1 });
    expect(engine.body).toMatchObject({ calculatorEngine: 'asystem', calculatorEngineLabel: 'ASystem', version: 2 });
    const staleCategory = await api.request<ErrorBody>('PATCH', `/api/v1/categories/${category.id}`, { name: 'Другое', version: 1 });
    expect(staleCategory.status).toBe(409);
    expect((await api.request<CategoryBody>('GET', `/api/v1/categories/${category.id}`)).body).toEqual(engine.body);
  });

  it('lets only one of parallel updates with the same version through', async () => {
    const category = await createCategory({ name: 'Гонка' });
    const product = await createProduct({ name: 'Гонка', categoryId: category.id, tiers: cardTiers });
    const products = await Promise.all(
      Array.from({ length: 4 }, (_, i) => api.request('PATCH', `/api/v1/products/${product.id}`, { name: `Гонка ${i}`, version: 1 })),
    );
    expect(products.map((r) => r.status).sort()).toEqual([200, 409, 409, 409]);
    const categories = await Promise.all(
      Array.from({ length: 4 }, (_, i) => api.request('PATCH', `/api/v1/categories/${category.id}`, { name: `Гонка ${i}`, version: 1 })),
    );
    expect(categories.map((r) => r.status).sort()).toEqual([200, 409, 409, 409]);
  });

  it('rejects bad input with 400 naming the field, and stores nothing', async () => {
    const productsBefore = await countProducts();
    const cases: Array<{ body: Record<string, unknown>; path: string }> = [
      { body: { name: 'X', tiers: { mode: 'presets', presets: [{ quantity: 100, price: -1 }] } }, path: 'body.tiers.presets[0].price' },
      { body: { name: 'X', tiers: { mode: 'presets', presets: [] } }, path: 'body.tiers.presets' },
      { body: { name: 'X', tiers: cardTiers, colour: 'red' }, path: 'body.colour' },
      {
        body: { name: 'X', tiers: { mode: 'presets', presets: [{ quantity: 200, price: 1 }, { quantity: 100, price: 1 }] } },
        path: 'body.tiers.presets[1].quantity',
      },
      { body: { name: 'X', tiers: { ...photoTiers, min: 10, max: 5 } }, path: 'body.tiers.max' },
      { body: { name: 'X', tiers: { ...photoTiers, step: 0 } }, path: 'body.tiers.step' },
      { body: { name: 'X', tiers: { ...photoTiers, prices: [{ fromQuantity: 1, unitPrice: 12.5 }] } }, path: 'body.tiers.prices[0].unitPrice' },
      { body: { name: 'X', categoryId: 999_999, tiers: cardTiers }, path: 'body.categoryId' },
      { body: { name: '', tiers: cardTiers }, path: 'body.name' },
    ];
    for (const { body, path } of cases) {
      const response = await api.request<ErrorBody>('POST', '/api/v1/products', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.code).toBe('validation_failed');
      expect(response.body.details.map((d) => d.path)).toContain(path);
      expect(response.body.message).toContain(path);
    }
    expect(await countProducts()).toBe(productsBefore);

    const categoriesBefore = (await api.request<Page<CategoryBody>>('GET', '/api/v1/categories?limit=200')).body.items.length;
    const engine = await api.request<ErrorBody>('POST', '/api/v1/categories', { name: 'Баннеры', calculatorEngine: 'helloprint' });
    expect(engine.status).toBe(400);
    expect(engine.body.details.map((d) => d.path)).toEqual(['body.calculatorEngine']);
    const unknown = await api.request<ErrorBody>('POST', '/api/v1/categories', { name: 'Баннеры', engine: 'builtin' });
    expect(unknown.body.details).toEqual([{ path: 'body.engine', message: 'is not a known field' }]);
    expect((await api.request<Page<CategoryBody>>('GET', '/api/v1/categories?limit=200')).body.items.length).toBe(categoriesBefore);
  });

  it('replays an idempotent create instead of making a second product', async () => {
    const body = { name: 'Календарь настенный', tiers: cardTiers };
    const headers = { 'idempotency-key': `calendar-${dialect}` };
    const first = await api.request<ProductBody>('POST', '/api/v1/products', body, headers);
    const second = await api.request<ProductBody>('POST', '/api/v1/products', body, headers);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body.id).toBe(first.body.id);
    const other = await api.request<ErrorBody>('POST', '/api/v1/products', { ...body, name: 'Другой' }, headers);
    expect(other.status).toBe(409);
  });

  it('deletes only empty categories', async () => {
    const category = await createCategory({ name: 'Магниты' });
    const product = await createProduct({ name: 'Магнит 50×50', categoryId: category.id, tiers: cardTiers });
    const refused = await api.request<ErrorBody>('DELETE', `/api/v1/categories/${category.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/still has products/);
    expect((await api.request('DELETE', `/api/v1/products/${product.id}`)).status).toBe(204);
    expect((await api.request('DELETE', `/api/v1/categories/${category.id}`)).status).toBe(204);
    expect((await api.request('GET', `/api/v1/categories/${category.id}`)).status).toBe(404);
  });

  it('seeds the demo catalog through the stores, readable and quotable over the API', async () => {
    const seeded = await seedCatalog(api.services.stores);
    const cards = seeded.categories.cards!;
    const tshirts = seeded.categories.tshirts!;
    expect((await api.request<CategoryBody>('GET', `/api/v1/categories/${cards.id}`)).body.parentId).toBe(seeded.categories.printing!.id);
    const inCards = await api.request<Page<ProductBody>>('GET', `/api/v1/products?categoryId=${cards.id}`);
    expect(inCards.body.items.map((p) => p.name)).toContain('Визитки 90×50, 4+4, мелованная 300 г/м²');

    const photo = seeded.products['PH-10x15']!;
    const quote = await api.request('POST', `/api/v1/products/${photo.id}/quote`, { quantity: 120 });
    expect(quote.body).toMatchObject({ unitPrice: 1_600, total: 192_000, engine: 'builtin', categoryEngine: 'builtin' });
    const shirt = seeded.products['TS-M-WHT-A4']!;
    expect(shirt.categoryId).toBe(tshirts.id);
    const shirtQuote = await api.request('POST', `/api/v1/products/${shirt.id}/quote`, { quantity: 10 });
    expect(shirtQuote.body).toMatchObject({ total: 1_290_000, categoryEngine: 'poly1c' });
  });
});
