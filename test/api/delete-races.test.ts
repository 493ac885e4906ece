import { sql } from 'kysely';
import type { ControlledTransaction } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/schema.js';
import { orderCreateSchema } from '../../src/domain/orders.js';
import { startTestApi } from '../support/api-server.js';
import type { ApiResponse, TestApi } from '../support/api-server.js';
import { CARD_TIERS } from '../support/catalog-fixtures.js';
import { expectEventually } from '../support/eventually.js';

/**
 * Issue 6, security 6: on PostgreSQL two requests run at once. A category or product deleted
 * while another request saves something that refers to it used to end in a foreign-key error —
 * a 500 — or, for categories, in a product silently losing its category. Each race is played out
 * with one side held open in a transaction of the test until the other side waits for its lock.
 */
describe('deletes racing with references on postgres', () => {
  let api: TestApi;
  let personId: number;

  beforeAll(async () => {
    api = await startTestApi('postgres');
    personId = (await api.request<{ id: number }>('POST', '/api/v1/persons', { lastName: 'Гонкина' })).body.id;
  });
  afterAll(async () => api?.close());

  const db = () => api.services.database.db;
  const newCategory = async () => (await api.request<{ id: number }>('POST', '/api/v1/categories', { name: `Категория ${Math.random()}` })).body.id;
  const newProduct = async (categoryId: number | null) =>
    (await api.request<{ id: number }>('POST', '/api/v1/products', { categoryId, name: 'Визитки 90×50', tiers: CARD_TIERS })).body.id;

  /** Runs `side` in a transaction held open until `request` waits for its lock, then commits it. */
  async function race<T>(side: (trx: ControlledTransaction<Database>) => Promise<void>, request: () => Promise<ApiResponse<T>>): Promise<ApiResponse<T>> {
    const trx = await db().startTransaction().execute();
    try {
      await side(trx);
      const answer = request();
      await expectEventually(async () => {
        const waiting = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`.execute(db());
        expect(waiting.rows[0]?.n).toBeGreaterThan(0);
      });
      await trx.commit().execute();
      return await answer;
    } catch (error) {
      await trx.rollback().execute().catch(() => undefined);
      throw error;
    }
  }

  it('a product added to an order while it is deleted: the delete is refused (409), the order stays', async () => {
    const productId = await newProduct(null);
    const response = await race(
      async (trx) => void (await api.services.stores.orders.create(orderCreateSchema.parse({ personId, items: [{ productId, name: 'Визитки', quantity: 100, total: 59_000 }] }), trx)),
      () => api.request<{ code: string; message: string }>('DELETE', `/api/v1/products/${productId}`),
    );
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ code: 'conflict', message: expect.stringContaining(`product ${productId} is in orders`) });
    expect((await api.request('GET', `/api/v1/products/${productId}`)).status).toBe(200);
  });

  it('an order saved with a product that is being deleted: the order is refused (409) naming its items', async () => {
    const productId = await newProduct(null);
    const response = await race(
      (trx) => api.services.stores.products.delete(productId, trx),
      () => api.request<{ code: string; details: Array<{ path: string }> }>('POST', '/api/v1/orders', { personId, items: [{ productId, name: 'Визитки', quantity: 100, total: 59_000 }] }),
    );
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ code: 'conflict', details: [{ path: 'body.items' }] });
  });

  it('a product saved into a category that is being deleted: refused (409) naming its category', async () => {
    const categoryId = await newCategory();
    const response = await race(
      (trx) => api.services.stores.categories.delete(categoryId, trx),
      () => api.request<{ code: string; details: Array<{ path: string }> }>('POST', '/api/v1/products', { categoryId, name: 'Листовки', tiers: CARD_TIERS }),
    );
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ code: 'conflict', details: [{ path: 'body.categoryId' }] });
  });

  it('a category deleted while a product is saved into it: the delete is refused (409), the product keeps it', async () => {
    const categoryId = await newCategory();
    let productId = 0;
    const response = await race(
      async (trx) => void (productId = (await api.services.stores.products.create({ categoryId, name: 'Буклеты', currency: 'RUB', tiers: CARD_TIERS }, trx)).id),
      () => api.request<{ code: string; message: string }>('DELETE', `/api/v1/categories/${categoryId}`),
    );
    expect(response.status).toBe(409);
    expect(response.body.message).toContain('still has products');
    expect((await api.request<{ categoryId: number | null }>('GET', `/api/v1/products/${productId}`)).body.categoryId).toBe(categoryId);
  });

  it('a subcategory saved under a category that is being deleted: refused (409) naming its parent', async () => {
    const parentId = await newCategory();
    const response = await race(
      (trx) => api.services.stores.categories.delete(parentId, trx),
      () => api.request<{ code: string; details: Array<{ path: string }> }>('POST', '/api/v1/categories', { name: 'Дочерняя', parentId }),
    );
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ code: 'conflict', details: [{ path: 'body.parentId' }] });
  });
});
