import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DIALECTS } from '../support/databases.js';
import { startTestApi } from '../support/api-server.js';
import type { TestApi } from '../support/api-server.js';

interface OrderBody {
  id: number;
  number: string;
  status: string;
  version: number;
  totals: { items: number; delivery: number; discount: number; total: number };
  items: Array<{ name: string; quantity: number; unitPrice: number; total: number; parameters: Record<string, unknown> }>;
  comments: Array<{ author: string; text: string }>;
  statusHistory: Array<{ from: string | null; to: string }>;
  render: { status: string; archiveUrl: string | null };
  payment: { status: string; method: string | null };
}
interface ErrorBody {
  code: string;
  message: string;
  details: Array<{ path: string; message: string }>;
}

describe.each(TEST_DIALECTS)('orders API on %s', (dialect) => {
  let api: TestApi;
  let personId: number;

  const orderInput = (overrides: Record<string, unknown> = {}) => ({
    personId,
    site: 'print.example.ru',
    source: 'site',
    items: [
      { name: 'Визитки 90×50, 4+4', quantity: 500, unitPrice: 290, parameters: { Бумага: 'Мелованная 300 г/м²', Стороны: '4+4' } },
      { name: 'Листовки А5', quantity: 1000, unitPrice: 350 },
    ],
    delivery: { method: 'Курьер', address: 'Москва, ул. Печатников, 1', recipient: 'Мария', price: 50_000 },
    payment: { status: 'not_paid', method: 'Банковский перевод' },
    discount: 10_000,
    ...overrides,
  });

  const countOrders = async () => {
    let count = 0;
    let cursor: string | null = null;
    do {
      const page: { body: { items: unknown[]; nextCursor: string | null } } = await api.request('GET', `/api/v1/orders?limit=200${cursor ? `&cursor=${cursor}` : ''}`);
      count += page.body.items.length;
      cursor = page.body.nextCursor;
    } while (cursor);
    return count;
  };

  beforeAll(async () => {
    api = await startTestApi(dialect);
    personId = (await api.request<{ id: number }>('POST', '/api/v1/persons', { lastName: 'Клиентов', phones: ['+79001234567'] })).body.id;
  });
  afterAll(async () => api?.close());

  it('creates an order with totals in kopecks and a number, and reads it back', async () => {
    const created = await api.request<OrderBody>('POST', '/api/v1/orders', orderInput());
    expect(created.status).toBe(201);
    expect(created.body.totals).toEqual({ items: 500 * 290 + 1000 * 350, delivery: 50_000, discount: 10_000, total: 535_000 });
    expect(created.body.number).toBe(String(created.body.id));
    expect(created.body.status).toBe('NotProcessed');
    expect(created.body.items[0]?.parameters).toEqual({ Бумага: 'Мелованная 300 г/м²', Стороны: '4+4' });
    const read = await api.request<OrderBody>('GET', `/api/v1/orders/${created.body.id}`);
    expect(read.body).toEqual(created.body);
  });

  it('numbers an order by its id, with a suffix when a caller already took that number', async () => {
    const { body: previous } = await api.request<OrderBody>('POST', '/api/v1/orders', orderInput());
    const nextId = previous.id + 2;
    const taken = await api.request<OrderBody>('POST', '/api/v1/orders', orderInput({ number: String(nextId) }));
    expect(taken.body.number).toBe(String(nextId));
    const numbered = await api.request<OrderBody>('POST', '/api/v1/orders', orderInput());
    expect(numbered.status).toBe(201);
    expect(numbered.body.id).toBe(nextId);
    expect(numbered.body.number).toBe(`${nextId}-1`);
  });

  it('answers 409, not 500, when parallel creates race for one number', async () => {
    const number = `RACE-${dialect}`;
    const responses = await Promise.all(
      Array.from({ length: 6 }, () => api.request<ErrorBody>('POST', '/api/v1/orders', orderInput({ number }))),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    expect(responses.find((r) => r.status === 409)?.body.details[0]?.path).toBe('body.number');
  });

  it('filters by creation time given with a time-zone offset, as the panel sends local days', async () => {
    const { body: order } = await api.request<OrderBody & { createdAt: string }>('POST', '/api/v1/orders', orderInput());
    const inMoscow = (ms: number) => {
      const local = new Date(ms + 3 * 3_600_000).toISOString().slice(0, 23);
      return encodeURIComponent(`${local}+03:00`);
    };
    const created = Date.parse(order.createdAt);
    const from = await api.request<{ items: OrderBody[] }>('GET', `/api/v1/orders?createdFrom=${inMoscow(created)}&limit=200`);
    expect(from.body.items.map((o) => o.id)).toContain(order.id);
    const after = await api.request<{ items: OrderBody[] }>('GET', `/api/v1/orders?createdFrom=${inMoscow(created + 1)}&limit=200`);
    expect(after.body.items.map((o) => o.id)).not.toContain(order.id);
    const before = await api.request<{ items: OrderBody[] }>('GET', `/api/v1/orders?createdTo=${inMoscow(created)}&limit=200`);
    expect(before.body.items.map((o) => o.id)).not.toContain(order.id);
  });

  it('finds orders by part of the number in any case, the same on both databases', async () => {
    const { body: order } = await api.request<OrderBody>('POST', '/api/v1/orders', orderInput({ number: 'SHOP-2024/0815' }));
    for (const part of ['SHOP-2024', 'shop-2024/08', '0815', 'Shop']) {
      const found = await api.request<{ items: OrderBody[] }>('GET', `/api/v1/orders?number=${encodeURIComponent(part)}`);
      expect(found.body.items.map((o) => o.id), part).toEqual([order.id]);
    }
  });

  it('answers 400 naming the field, not 500, for an id beyond the id columns (PostgreSQL integer)', async () => {
    const tooLarge = 2_147_483_648;
    const cursor = Buffer.from(JSON.stringify({ before: tooLarge })).toString('base64url');
    const cases: Array<[string, string, unknown, string]> = [
      ['GET', `/api/v1/orders/${tooLarge}`, undefined, 'params.id'],
      ['GET', `/api/v1/persons/${tooLarge}/sync`, undefined, 'params.id'],
      ['GET', `/api/v1/orders?personId=${tooLarge}`, undefined, 'querystring.personId'],
      ['GET', `/api/v1/sync-log?entityId=${tooLarge}`, undefined, 'querystring.entityId'],
      ['GET', `/api/v1/orders?cursor=${cursor}`, undefined, 'querystring.cursor'],
      ['POST', '/api/v1/orders', orderInput({ personId: tooLarge }), 'body.personId'],
      ['POST', '/api/v1/orders', orderInput({ items: [{ productId: tooLarge, name: 'X', quantity: 1, unitPrice: 1 }] }), 'body.items[0].productId'],
      ['POST', '/api/v1/persons', { lastName: 'Огромнов', organizationId: tooLarge }, 'body.organizationId'],
    ];
    for (const [method, path, body, field] of cases) {
      const response = await api.request<ErrorBody>(method, path, body);
      expect(response.status, `${method} ${path}`).toBe(400);
      expect(response.body.details.map((d) => d.path), `${method} ${path}`).toContain(field);
    }
    expect((await api.request('GET', `/api/v1/orders/${tooLarge - 1}`)).status).toBe(404);
  });

  it('prices a print run as a whole when a line gives its total', async () => {
    const created = await api.request<OrderBody>('POST', '/api/v1/orders', {
      personId,
      items: [
        // Three posters for 1 000 ₽ the lot: 333,33 ₽ each is not a whole number of kopecks.
        { name: 'Постер А2, тираж 3', quantity: 3, total: 100_000 },
        { name: 'Визитки, тираж 500', quantity: 500, unitPrice: 498, total: 249_000 },
        { name: 'Фото 10×15', quantity: 10, unitPrice: 1_900 },
      ],
    });
    expect(created.status).toBe(201);
    expect(created.body.items.map((i) => [i.unitPrice, i.total])).toEqual([
      [33_333, 100_000],
      [498, 249_000],
      [1_900, 19_000],
    ]);
    expect(created.body.totals.items).toBe(368_000);
    const updated = await api.request<OrderBody>('PATCH', `/api/v1/orders/${created.body.id}`, {
      version: created.body.version,
      discount: 8_000,
    });
    expect(updated.body.totals).toMatchObject({ items: 368_000, discount: 8_000, total: 360_000 });
  });

  it('moves an order through statuses and keeps the history', async () => {
    const { body: order } = await api.request<OrderBody>('POST', '/api/v1/orders', orderInput());
    const printing = await api.request<OrderBody>('POST', `/api/v1/orders/${order.id}/status`, { status: 'Printing', changedBy: 'Анна' });
    expect(printing.status).toBe(200);
    // The platform's ApiName alias is accepted too.
    const shipped = await api.request<OrderBody>('POST', `/api/v1/orders/${order.id}/status`, { status: 'Shipped' });
    expect(shipped.body.statusHistory.map((h) => [h.from, h.to])).toEqual([
      [null, 'NotProcessed'],
      ['NotProcessed', 'Printing'],
      ['Printing', 'Shipped'],
    ]);
    const filtered = await api.request<{ items: OrderBody[] }>('GET', '/api/v1/orders?status=Shipped');
    expect(filtered.body.items.map((o) => o.id)).toContain(order.id);
    expect(filtered.body.items.every((o) => o.status === 'Shipped')).toBe(true);
  });

  it('adds comments to the discussion feed and records a finished render', async () => {
    const { body: order } = await api.request<OrderBody>('POST', '/api/v1/orders', orderInput());
    const comment = await api.request('POST', `/api/v1/orders/${order.id}/comments`, { author: 'Менеджер', text: 'Макет согласован' });
    expect(comment.status).toBe(201);
    const rendered = await api.request<OrderBody>('POST', `/api/v1/orders/${order.id}/render`, {
      archiveUrl: 'https://files.example.ru/orders/1.zip',
    });
    expect(rendered.body.render).toEqual({ status: 'ready', archiveUrl: 'https://files.example.ru/orders/1.zip' });
    expect(rendered.body.comments.map((c) => c.text)).toEqual(['Макет согласован']);
  });

  it('applies an update made at the current version and refuses a stale one', async () => {
    const { body: order } = await api.request<OrderBody>('POST', '/api/v1/orders', orderInput());
    const updated = await api.request<OrderBody>('PATCH', `/api/v1/orders/${order.id}`, {
      version: order.version,
      payment: { status: 'paid' },
      items: [{ name: 'Визитки', quantity: 1000, unitPrice: 250 }],
    });
    expect(updated.status).toBe(200);
    expect(updated.body.payment.status).toBe('paid');
    expect(updated.body.totals.items).toBe(250_000);
    const stale = await api.request<ErrorBody>('PATCH', `/api/v1/orders/${order.id}`, { version: order.version, manager: 'Кто-то' });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('version_conflict');
    const read = await api.request<OrderBody & { manager: string | null }>('GET', `/api/v1/orders/${order.id}`);
    expect(read.body.manager).toBeNull();
    expect(read.body.version).toBe(updated.body.version);
  });

  it('keeps «Дата выдачи» (readyAt) given with an offset, in UTC; changes and clears it; refuses a date without a time or offset', async () => {
    type WithReadyAt = OrderBody & { readyAt: string | null };
    const created = await api.request<WithReadyAt>('POST', '/api/v1/orders', orderInput({ readyAt: '2026-12-05T15:00:00+03:00' }));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.readyAt).toBe('2026-12-05T12:00:00.000Z');
    expect((await api.request<WithReadyAt>('GET', `/api/v1/orders/${created.body.id}`)).body.readyAt).toBe('2026-12-05T12:00:00.000Z');

    const moved = await api.request<WithReadyAt>('PATCH', `/api/v1/orders/${created.body.id}`, { version: created.body.version, readyAt: '2026-12-07T10:30:00Z' });
    expect(moved.body.readyAt).toBe('2026-12-07T10:30:00.000Z');
    const cleared = await api.request<WithReadyAt>('PATCH', `/api/v1/orders/${created.body.id}`, { version: moved.body.version, readyAt: null });
    expect(cleared.body.readyAt).toBeNull();
    expect((await api.request<WithReadyAt>('POST', '/api/v1/orders', orderInput())).body.readyAt).toBeNull();

    const before = await countOrders();
    for (const readyAt of ['2026-12-05', 'завтра', '2026-12-05T15:00:00']) {
      const refused = await api.request<ErrorBody>('POST', '/api/v1/orders', orderInput({ readyAt }));
      expect(refused.status).toBe(400);
      expect(refused.body.details.map((d) => d.path)).toContain('body.readyAt');
    }
    // A year the ERPs' and Bitrix24's `YYYY-MM-DD` cannot carry is a typo: refused, on create and on change.
    for (const readyAt of ['9999-12-31T23:59:59Z', '0026-12-05T15:00:00+03:00']) {
      const refused = await api.request<ErrorBody>('POST', '/api/v1/orders', orderInput({ readyAt }));
      expect(refused.status).toBe(400);
      expect(refused.body.details).toContainEqual(expect.objectContaining({ path: 'body.readyAt', message: 'must be between 2000 and 2100' }));
    }
    const typo = await api.request<ErrorBody>('PATCH', `/api/v1/orders/${created.body.id}`, { version: cleared.body.version, readyAt: '9999-12-31T23:59:59Z' });
    expect(typo.status).toBe(400);
    expect((await api.request<WithReadyAt>('GET', `/api/v1/orders/${created.body.id}`)).body.readyAt).toBeNull();
    expect(await countOrders()).toBe(before);
  });

  describe('bad input gets 400 naming the field, and nothing is stored', () => {
    const cases: Array<[string, () => unknown, string]> = [
      ['negative quantity', () => orderInput({ items: [{ name: 'X', quantity: -5, unitPrice: 100 }] }), 'body.items[0].quantity'],
      ['fractional money', () => orderInput({ items: [{ name: 'X', quantity: 1, unitPrice: 10.5 }] }), 'body.items[0].unitPrice'],
      ['no price at all', () => orderInput({ items: [{ name: 'X', quantity: 1 }] }), 'body.items[0].unitPrice'],
      ['negative line total', () => orderInput({ items: [{ name: 'X', quantity: 1, total: -1 }] }), 'body.items[0].total'],
      ['wrong type', () => orderInput({ personId: 'семь' }), 'body.personId'],
      ['unknown field', () => orderInput({ colour: 'red' }), 'body.colour'],
      ['unknown status', () => orderInput({ status: 'Lost' }), 'body.status'],
      ['system-only status', () => orderInput({ status: 'Deleted' }), 'body.status'],
      ['no items', () => orderInput({ items: [] }), 'body.items'],
      ['missing client', () => ({ ...orderInput(), personId: undefined }), 'body.personId'],
      ['unknown client', () => orderInput({ personId: 999_999 }), 'body.personId'],
      ['unknown product', () => orderInput({ items: [{ productId: 999_999, name: 'X', quantity: 1, unitPrice: 1 }] }), 'body.items[0].productId'],
      ['discount above the amount', () => orderInput({ discount: 100_000_000 }), 'body.discount'],
      [
        'total beyond exact integers',
        () => orderInput({ items: [{ name: 'X', quantity: 1, unitPrice: Number.MAX_SAFE_INTEGER }], delivery: { method: 'Курьер', price: 2 } }),
        'body.delivery.price',
      ],
    ];
    it.each(cases)('%s', async (_name, body, path) => {
      const before = await countOrders();
      const response = await api.request<ErrorBody>('POST', '/api/v1/orders', body());
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('validation_failed');
      expect(response.body.details.map((d) => d.path)).toContain(path);
      expect(response.body.message).toContain(path);
      expect(await countOrders()).toBe(before);
    });

    it('malformed JSON', async () => {
      const before = await countOrders();
      const response = await api.request<ErrorBody>('POST', '/api/v1/orders', '{"personId": 1, "items": [', {
        'content-type': 'application/json',
      });
      expect(response.status).toBe(400);
      expect(response.body.details[0]?.path).toBe('body');
      expect(await countOrders()).toBe(before);
    });

    it('an oversized body is refused with 413 before it is parsed', async () => {
      const before = await countOrders();
      const response = await api.request<ErrorBody>('POST', '/api/v1/orders', orderInput({ comment: 'x'.repeat(2_000_000) }));
      expect(response.status).toBe(413);
      expect(response.body.details[0]?.path).toBe('body');
      expect(await countOrders()).toBe(before);
    });

    it('an unknown status on a status change', async () => {
      const { body: order } = await api.request<OrderBody>('POST', '/api/v1/orders', orderInput());
      const response = await api.request<ErrorBody>('POST', `/api/v1/orders/${order.id}/status`, { status: 'Teleported' });
      expect(response.status).toBe(400);
      expect(response.body.details[0]?.path).toBe('body.status');
      expect((await api.request<OrderBody>('GET', `/api/v1/orders/${order.id}`)).body.status).toBe('NotProcessed');
    });
  });

  describe('Idempotency-Key', () => {
    it('returns the first response to a repeated create, and 409 for the same key with another body', async () => {
      const key = `key-${dialect}-1`;
      const first = await api.request<OrderBody>('POST', '/api/v1/orders', orderInput(), { 'idempotency-key': key });
      const again = await api.request<OrderBody>('POST', '/api/v1/orders', orderInput(), { 'idempotency-key': key });
      expect(first.status).toBe(201);
      expect(again.status).toBe(201);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.body).toEqual(first.body);
      const other = await api.request<ErrorBody>('POST', '/api/v1/orders', orderInput({ discount: 0 }), { 'idempotency-key': key });
      expect(other.status).toBe(409);
    });

    it('makes one order when the same create is sent in parallel', async () => {
      const before = await countOrders();
      const key = `key-${dialect}-parallel`;
      const responses = await Promise.all(
        Array.from({ length: 8 }, () => api.request<OrderBody>('POST', '/api/v1/orders', orderInput(), { 'idempotency-key': key })),
      );
      expect(responses.map((r) => r.status)).toEqual(Array(8).fill(201));
      expect(new Set(responses.map((r) => r.body.id)).size).toBe(1);
      expect(await countOrders()).toBe(before + 1);
    });
  });

  it('requires a valid token', async () => {
    const response = await fetch(`${api.baseUrl}/api/v1/orders`, { headers: { authorization: 'Bearer pst_wrong' } });
    expect(response.status).toBe(401);
    const anonymous = await fetch(`${api.baseUrl}/api/v1/orders`);
    expect(anonymous.status).toBe(401);
  });

  it('serves the OpenAPI document and the browsable docs without a token', async () => {
    const spec = (await (await fetch(`${api.baseUrl}/docs/json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/api/v1/orders', '/api/v1/orders/{id}/status', '/api/v1/persons']));
    const page = await fetch(`${api.baseUrl}/docs/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
  });
});
