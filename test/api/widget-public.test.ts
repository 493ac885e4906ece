import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi } from '../support/api-server.js';
import type { TestApi } from '../support/api-server.js';
import { TEST_DIALECTS } from '../support/databases.js';
import { fakeEngine, widgetCatalog, widgetSite } from '../support/widget-fixtures.js';

interface ErrorBody {
  code: string;
  message: string;
  details: Array<{ path: string; message: string }>;
}

interface QuoteBody {
  productId: number;
  quantity: number;
  total: number;
  unitPrice: number;
  currency: string;
  breakdown: Array<{ name: string; amount: number }>;
  parameters: Record<string, unknown>;
  quoteId?: string;
  files?: Array<{ id: string; name: string; size: number }>;
}

const SHOP = 'https://shop.example';

/**
 * The public quote API of the calculator widget (issue 15): a site's key and origins, the same
 * quote as the staff API, shopper-readable errors, 4xx for every bad input, issued quotes with
 * files, and orders priced from them.
 */
describe.each(TEST_DIALECTS)('public quote API on %s', (dialect) => {
  let api: TestApi;
  let engine: ReturnType<typeof fakeEngine>;
  let productId: number;
  let categoryId: number;
  let key: string;
  let personId: number;

  /** A public request as a shop page's browser sends it. */
  const pub = <T = QuoteBody & ErrorBody>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, siteKey: string | null = key) => {
    const url = `/api/v1/widget${path}${siteKey === null ? '' : `${path.includes('?') ? '&' : '?'}key=${siteKey}`}`;
    return api.request<T>(method, url, body, { authorization: '', origin: SHOP, ...headers });
  };

  beforeAll(async () => {
    api = await startTestApi(dialect);
    engine = fakeEngine('poly1c');
    api.services.quotes.register(engine);
    const catalog = await widgetCatalog(api, 'poly1c', { unitPrice: true, addToCart: true });
    categoryId = catalog.categoryId;
    productId = catalog.productIds[0]!;
    key = (await widgetSite(api, [SHOP, 'http://127.0.0.1:9'])).key;
    personId = (await api.request<{ id: number }>('POST', '/api/v1/persons', { lastName: 'Покупателева', phones: ['+79001112233'] })).body.id;
  });
  afterAll(async () => api?.close());

  it("serves the category's options and the product's form to an allowed origin, with CORS headers", async () => {
    const category = await pub<{ name: string; options: Record<string, unknown> }>('GET', `/categories/${categoryId}`);
    expect(category.status).toBe(200);
    expect(category.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect(category.body.options).toMatchObject({ unitPrice: true, addToCart: true, fileUpload: false, grouping: false });

    const form = await pub<{ name: string; parameters: Array<{ key: string }> }>('GET', `/products/${productId}/calculator`);
    expect(form.status).toBe(200);
    expect(form.body.name).toBe('Листовка А5');
    expect(form.body.parameters.map((p) => p.key)).toEqual(['paper', 'sides']);

    // The values chosen so far narrow what an engine with dependent options offers.
    const narrowed = await pub<{ parameters: Array<{ key: string; options: Array<{ value: string }> }> }>('GET', `/products/${productId}/calculator?parameters=${encodeURIComponent('{"paper":"designer"}')}`);
    expect(narrowed.status).toBe(200);
    expect(narrowed.body.parameters.find((p) => p.key === 'sides')!.options.map((o) => o.value)).toEqual(['1']);

    const preflight = await pub('OPTIONS', `/products/${productId}/quote`, undefined, { 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
  });

  it('gives the same quote as the staff API for the same choice', async () => {
    const choice = { quantity: 500, parameters: { paper: 'matte', sides: '2' } };
    const staff = await api.request<QuoteBody>('POST', `/api/v1/products/${productId}/quote`, choice);
    const shopper = await pub('POST', `/products/${productId}/quote`, choice);
    expect(staff.status).toBe(200);
    expect(shopper.status).toBe(200);
    for (const field of ['total', 'unitPrice', 'currency', 'breakdown', 'parameters', 'quantity'] as const) expect(shopper.body[field]).toEqual(staff.body[field]);
    expect(shopper.body.total).toBe(500 * 15_00 * 2 + 300_00);
  });

  it('reuses a price for the same choice for a few seconds (parameters in any order)', async () => {
    const before = engine.quotes;
    const a = await pub('POST', `/products/${productId}/quote`, { quantity: 1000, parameters: { paper: 'coated', sides: '1' } });
    const b = await pub('POST', `/products/${productId}/quote`, { quantity: 1000, parameters: { sides: '1', paper: 'coated' } });
    expect(a.body.total).toBe(b.body.total);
    expect(engine.quotes).toBe(before + 1);
  });

  it('refuses a missing or unknown key, and an origin the site does not allow — in words a shopper reads', async () => {
    const none = await pub('GET', `/products/${productId}/calculator`, undefined, {}, null);
    expect(none.status).toBe(403);
    expect(none.body).toMatchObject({ code: 'site_unknown', message: 'Калькулятор не подключён для этого сайта' });
    const unknown = await pub('GET', `/products/${productId}/calculator`, undefined, {}, 'pk_nope');
    expect(unknown.status).toBe(403);

    const evil = await pub('GET', `/products/${productId}/calculator`, undefined, { origin: 'https://evil.example' });
    expect(evil.status).toBe(403);
    expect(evil.body).toMatchObject({ code: 'origin_refused', message: 'Калькулятор не разрешён на этом сайте' });
    const evilPost = await pub('POST', `/products/${productId}/quote`, { quantity: 100 }, { origin: 'https://evil.example' });
    expect(evilPost.status).toBe(403);
    const evilPreflight = await pub('OPTIONS', `/products/${productId}/quote`, undefined, { origin: 'https://evil.example', 'access-control-request-method': 'POST' });
    expect(evilPreflight.status).toBe(403);
    expect(evilPreflight.headers.get('access-control-allow-origin')).toBeNull();

    // No Origin (a server, curl): the key alone.
    const server = await api.request('GET', `/api/v1/widget/products/${productId}/calculator?key=${key}`, undefined, { authorization: '' });
    expect(server.status).toBe(200);
  });

  it('answers bad input with a 4xx and a clear message, never a 5xx', async () => {
    const cases: Array<[string, string, unknown, number, string?]> = [
      ['POST', `/products/999999/quote`, { quantity: 100 }, 404, 'Товар не найден'],
      ['GET', `/products/999999/calculator`, undefined, 404, 'Товар не найден'],
      ['GET', `/categories/999999`, undefined, 404],
      ['GET', `/products/abc/calculator`, undefined, 400],
      ['GET', `/products/${productId}/calculator?parameters=%7B`, undefined, 400],
      ['GET', `/products/${productId}/calculator?parameters=${encodeURIComponent('{"paper":[1]}')}`, undefined, 400, 'Этот вариант недоступен'],
      ['POST', `/products/${productId}/quote`, { quantity: 100, parameters: { paper: 'designer', sides: '2' } }, 400, 'Этот вариант недоступен'],
      ['POST', `/products/${productId}/quote`, { quantity: 0 }, 400, 'Этот вариант недоступен'],
      ['POST', `/products/${productId}/quote`, { quantity: 10 ** 12 }, 400, 'Этот вариант недоступен'],
      ['POST', `/products/${productId}/quote`, { quantity: 1.5 }, 400, 'Этот вариант недоступен'],
      ['POST', `/products/${productId}/quote`, { quantity: '100' }, 400],
      ['POST', `/products/${productId}/quote`, { quantity: 105 }, 400, 'Этот вариант недоступен'],
      ['POST', `/products/${productId}/quote`, { quantity: 100, parameters: { paper: 'картон' } }, 400, 'Этот вариант недоступен'],
      ['POST', `/products/${productId}/quote`, { quantity: 100, parameters: { emboss: 'gold' } }, 400, 'Этот вариант недоступен'],
      ['POST', `/products/${productId}/quote`, { quantity: 100, parameters: { __proto__x: 1, constructor: 'x' } }, 400],
      ['POST', `/products/${productId}/quote`, { quantity: 100, extra: 1 }, 400],
      ['POST', `/products/${productId}/quote`, '{"quantity":', 400],
      ['POST', `/products/${productId}/quote`, [], 400],
      ['POST', `/products/${productId}/quote`, { quantity: 100, parameters: { paper: 'x'.repeat(20_000) } }, 413],
      ['POST', `/products/${productId}/quotes`, { quantity: -5 }, 400],
      ['POST', `/quotes/q_${'a'.repeat(24)}/files?name=a.pdf`, 'PDF', 404],
      ['POST', `/quotes/not-a-quote/files?name=a.pdf`, 'PDF', 400],
    ];
    const failures: string[] = [];
    for (const [method, path, body, status, message] of cases) {
      const response = await pub(method, path, body);
      if (response.status !== status || (message && response.body.message !== message) || !response.body.message) {
        failures.push(`${method} ${path} ${JSON.stringify(body)?.slice(0, 60)} → ${response.status} ${JSON.stringify(response.body).slice(0, 200)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("says the calculator is unavailable when the engine's system is down or fails, and the option unavailable when it refuses it", async () => {
    try {
      for (const fault of ['unavailable', 'crash'] as const) {
        engine.fault = fault;
        const down = await pub('POST', `/products/${productId}/quote`, { quantity: 20, parameters: { paper: 'matte' } });
        expect(down.status).toBe(503);
        expect(down.body).toMatchObject({ code: 'calculator_unavailable', message: 'Калькулятор временно недоступен', details: [] });
        expect(JSON.stringify(down.body)).not.toContain('boom');
      }
      engine.fault = 'rejected';
      const refused = await pub('POST', `/products/${productId}/quote`, { quantity: 30, parameters: { paper: 'matte' } });
      expect(refused.status).toBe(400);
      expect(refused.body.message).toBe('Этот вариант недоступен');
    } finally {
      engine.fault = null;
    }
    // A failure is not kept: the same question is asked again once the engine is back.
    const back = await pub('POST', `/products/${productId}/quote`, { quantity: 20, parameters: { paper: 'matte' } });
    expect(back.status).toBe(200);
  });

  it('issues a quote id, takes files for it within the limits, and an order priced from it keeps it', async () => {
    const issued = await pub('POST', `/products/${productId}/quotes`, { quantity: 100, parameters: { paper: 'matte' } });
    expect(issued.status).toBe(201);
    const quoteId = issued.body.quoteId!;
    expect(quoteId).toMatch(/^q_[a-z2-7]{24}$/);
    expect(issued.body.total).toBe(100 * 15_00 + 300_00);

    const upload = await api.request<{ id: string; size: number; name: string }>('POST', `/api/v1/widget/quotes/${quoteId}/files?key=${key}&name=${encodeURIComponent('макет.pdf')}&type=application/pdf`, '%PDF-1.4 test', {
      authorization: '',
      origin: SHOP,
      'content-type': 'application/octet-stream',
    });
    expect(upload.status, JSON.stringify(upload.body)).toBe(201);
    expect(upload.body).toMatchObject({ name: 'макет.pdf', size: 13 });
    const tooBig = await fetch(`${api.baseUrl}/api/v1/widget/quotes/${quoteId}/files?key=${key}&name=big.bin`, {
      method: 'POST',
      headers: { origin: SHOP, 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(10 * 1024 * 1024 + 1),
    });
    expect(tooBig.status).toBe(413);
    expect(((await tooBig.json()) as ErrorBody).message).toBe('Слишком большой файл или запрос');
    const empty = await api.request('POST', `/api/v1/widget/quotes/${quoteId}/files?key=${key}&name=e.txt`, '', { authorization: '', origin: SHOP, 'content-type': 'application/octet-stream' });
    expect(empty.status).toBe(400);

    // Staff read it back, with the file.
    const kept = await api.request<QuoteBody & { files: Array<{ id: string }>; orders: unknown[] }>('GET', `/api/v1/quotes/${quoteId}`);
    expect(kept.status).toBe(200);
    expect(kept.body).toMatchObject({ total: issued.body.total, parameters: { paper: 'matte', sides: '1' }, orders: [] });
    const file = await fetch(`${api.baseUrl}/api/v1/quotes/${quoteId}/files/${kept.body.files[0]!.id}`, { headers: { authorization: `Bearer ${api.token}` } });
    expect(await file.text()).toBe('%PDF-1.4 test');

    // An order line with only the quote id: priced from it, and the order keeps it.
    const order = await api.request<{ id: number; totals: { total: number }; items: Array<{ quoteId: string | null; total: number; name: string; quantity: number; parameters: unknown }> }>(
      'POST',
      '/api/v1/orders',
      { personId, source: 'site', items: [{ quoteId }, { name: 'Доставка курьером', quantity: 1, unitPrice: 500_00 }] },
    );
    expect(order.status, JSON.stringify(order.body)).toBe(201);
    expect(order.body.items[0]).toMatchObject({ quoteId, total: issued.body.total, name: 'Листовка А5', quantity: 100, parameters: { paper: 'matte', sides: '1' } });
    expect(order.body.items[1]!.quoteId).toBeNull();
    expect(order.body.totals.total).toBe(issued.body.total + 500_00);
    const read = await api.request<{ items: Array<{ quoteId: string | null }> }>('GET', `/api/v1/orders/${order.body.id}`);
    expect(read.body.items.map((i) => i.quoteId)).toEqual([quoteId, null]);
    const withOrders = await api.request<{ orders: unknown[] }>('GET', `/api/v1/quotes/${quoteId}`);
    expect(withOrders.body.orders).toEqual([{ orderId: order.body.id, position: 1 }]);

    // A line that disagrees with its quote, or an unknown quote: 400 naming the field.
    for (const [item, path] of [
      [{ quoteId, quantity: 200 }, 'body.items[0].quantity'],
      [{ quoteId, total: 1 }, 'body.items[0].total'],
      [{ quoteId, parameters: { paper: 'coated' } }, 'body.items[0].parameters'],
      [{ quoteId: `q_${'b'.repeat(24)}`, name: 'x', quantity: 1, total: 1 }, 'body.items[0].quoteId'],
      [{ quoteId: 'q_short', name: 'x', quantity: 1, total: 1 }, 'body.items[0].quoteId'],
    ] as const) {
      const refused = await api.request<ErrorBody>('POST', '/api/v1/orders', { personId, items: [item] });
      expect(refused.status, JSON.stringify(refused.body)).toBe(400);
      expect(refused.body.details.map((d) => d.path)).toContain(path);
    }

    // Replacing the lines drops the link; giving the quote again restores it.
    const current = await api.request<{ version: number }>('GET', `/api/v1/orders/${order.body.id}`);
    const patched = await api.request<{ version: number; items: Array<{ quoteId: string | null }> }>('PATCH', `/api/v1/orders/${order.body.id}`, {
      version: current.body.version,
      items: [{ name: 'Другое', quantity: 1, unitPrice: 100 }],
    });
    expect(patched.status).toBe(200);
    expect(patched.body.items.map((i) => i.quoteId)).toEqual([null]);
    const again = await api.request<{ items: Array<{ quoteId: string | null }> }>('PATCH', `/api/v1/orders/${order.body.id}`, { version: patched.body.version, items: [{ quoteId }] });
    expect(again.body.items.map((i) => i.quoteId)).toEqual([quoteId]);
  });

  it('lets staff issue a quote for an order made in the panel', async () => {
    const issued = await api.request<QuoteBody>('POST', `/api/v1/products/${productId}/quotes`, { quantity: 1000, parameters: { paper: 'coated', sides: '2' } });
    expect(issued.status).toBe(201);
    expect(issued.body.total).toBe(1000 * 10_00 * 2 + 300_00);
    expect(issued.body.quoteId).toMatch(/^q_/);
  });
});

describe('public quote API limits', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi('sqlite', { env: { WIDGET_RATE_BURST: '5', WIDGET_RATE_PER_SECOND: '0.2' } });
  });
  afterAll(async () => api?.close());

  it('limits requests per client address: the burst, then 429 with Retry-After and a message', async () => {
    const { productIds } = await widgetCatalog(api, 'builtin');
    const { key } = await widgetSite(api, [SHOP]);
    const statuses: number[] = [];
    let last: Response | null = null;
    for (let i = 0; i < 8; i++) {
      last = await fetch(`${api.baseUrl}/api/v1/widget/products/${productIds[0]}/calculator?key=${key}`, { headers: { origin: SHOP } });
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses.slice(5)).toEqual([429, 429, 429]);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(last!.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect(((await last!.json()) as ErrorBody).message).toBe('Слишком много запросов, попробуйте через минуту');
  });

  it('manages sites: origins are checked, a new key retires the old one', async () => {
    const bad = await api.request<ErrorBody>('POST', '/api/v1/widget-sites', { name: 'x', origins: ['shop.example/path'] });
    expect(bad.status).toBe(400);
    expect(bad.body.details[0]!.path).toBe('body.origins[0]');
    const site = await widgetSite(api, ['https://a.example/'], 'Второй сайт');
    const list = await api.request<{ items: Array<{ key: string; origins: string[] }> }>('GET', '/api/v1/widget-sites');
    expect(list.body.items.find((s) => s.key === site.key)!.origins).toEqual(['https://a.example']);
    const rotated = await api.request<{ key: string }>('POST', `/api/v1/widget-sites/${site.id}/key`);
    expect(rotated.body.key).not.toBe(site.key);
    expect((await api.request('DELETE', `/api/v1/widget-sites/${site.id}`)).status).toBe(204);
  });
});
