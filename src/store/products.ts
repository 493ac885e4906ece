import type { Kysely } from 'kysely';
import { lockedForWrite } from '../db/dialect.js';
import type { Database, ProductRow } from '../db/schema.js';
import type { Product, ProductCreateInput, ProductUpdateInput, QuantityTiers } from '../domain/catalog.js';
import { DomainError, notFound, assertVersion } from '../domain/errors.js';
import { assertCategoryExists } from './categories.js';
import { refusingVanishedReferences } from './references.js';
import { transact } from './transaction.js';
import { nowIso, parseJson, toJson } from './json.js';
import type { Page } from './pagination.js';
import { DEFAULT_PAGE_SIZE, decodeCursor, toPage } from './pagination.js';
import { searchText } from './search.js';

export interface ProductFilter {
  categoryId?: number | undefined;
  /** Part of the name or SKU, any case. */
  search?: string | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
}


/**
 * Rows read per round when searching. `products` has no folded `search_text` column (unlike
 * persons), and SQLite's lower() only folds ASCII, so the name/SKU match runs here in batches;
 * a print shop's catalog is hundreds of products, so a scan stays cheap.
 */
const SEARCH_BATCH = 500;

function categoryVanished(categoryId: number | null | undefined): DomainError {
  return new DomainError('conflict', `body.categoryId: category ${categoryId} was deleted while this product was being saved`, [
    { path: 'body.categoryId', message: 'was deleted meanwhile' },
  ]);
}

/** Products with their quantity tiers («тиражность») and prices. */
export class ProductStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(input: ProductCreateInput, db: Kysely<Database> = this.db): Promise<Product> {
    return refusingVanishedReferences(() => transact(db, async (trx) => {
      if (input.categoryId) await assertCategoryExists(trx, input.categoryId, 'body.categoryId');
      const now = nowIso();
      const row = await trx
        .insertInto('products')
        .values({
          category_id: input.categoryId ?? null,
          name: input.name,
          sku: input.sku ?? null,
          description: input.description ?? null,
          currency: input.currency,
          tiers: toJson(input.tiers),
          created_at: now,
          updated_at: now,
          version: 1,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toProduct(row);
    }), () => categoryVanished(input.categoryId));
  }

  async get(id: number, db: Kysely<Database> = this.db): Promise<Product> {
    const row = await db.selectFrom('products').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('product', id);
    return toProduct(row);
  }

  async update(id: number, input: ProductUpdateInput, db: Kysely<Database> = this.db): Promise<Product> {
    return refusingVanishedReferences(() => transact(db, async (trx) => {
      const current = await lockedForWrite(trx, trx.selectFrom('products').selectAll().where('id', '=', id)).executeTakeFirst();
      if (!current) throw notFound('product', id);
      assertVersion('product', id, input.version, current.version);
      if (input.categoryId) await assertCategoryExists(trx, input.categoryId, 'body.categoryId');
      const row = await trx
        .updateTable('products')
        .set({
          ...(input.name !== undefined && { name: input.name }),
          ...(input.categoryId !== undefined && { category_id: input.categoryId }),
          ...(input.sku !== undefined && { sku: input.sku }),
          ...(input.description !== undefined && { description: input.description }),
          ...(input.currency !== undefined && { currency: input.currency }),
          ...(input.tiers !== undefined && { tiers: toJson(input.tiers) }),
          updated_at: nowIso(),
          version: current.version + 1,
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return toProduct(row);
    }), () => categoryVanished(input.categoryId));
  }

  /**
   * Refused while order items point at the product: orders keep their history. The row is
   * locked first (PostgreSQL), so an order being created with it either commits before the check
   * sees it, or waits and then finds the product gone.
   */
  async delete(id: number, db: Kysely<Database> = this.db): Promise<void> {
    await transact(db, async (trx) => {
      const current = await lockedForWrite(trx, trx.selectFrom('products').select('id').where('id', '=', id)).executeTakeFirst();
      if (!current) throw notFound('product', id);
      const item = await trx.selectFrom('order_items').select('order_id').where('product_id', '=', id).limit(1).executeTakeFirst();
      if (item) throw new DomainError('conflict', `product ${id} is in orders (e.g. order ${item.order_id}); it cannot be deleted`);
      await trx.deleteFrom('products').where('id', '=', id).execute();
    });
  }

  async list(filter: ProductFilter = {}): Promise<Page<Product>> {
    const limit = filter.limit ?? DEFAULT_PAGE_SIZE;
    const needle = filter.search?.trim().toLowerCase() ?? '';
    let before = decodeCursor(filter.cursor);
    const batch = needle ? SEARCH_BATCH : limit + 1;
    const matched: ProductRow[] = [];
    // One round without a search; with one, rounds until a page and one more row matched.
    for (;;) {
      let query = this.db.selectFrom('products').selectAll().orderBy('id', 'desc').limit(batch);
      if (before !== null) query = query.where('id', '<', before);
      if (filter.categoryId !== undefined) query = query.where('category_id', '=', filter.categoryId);
      const rows = await query.execute();
      matched.push(...(needle ? rows.filter((row) => productSearchText(row).includes(needle)) : rows));
      const last = rows.at(-1);
      if (!needle || rows.length < batch || matched.length > limit || !last) break;
      before = last.id;
    }
    return toPage(matched.slice(0, limit + 1), limit, toProduct);
  }
}

function productSearchText(row: Pick<ProductRow, 'name' | 'sku'>): string {
  return searchText([row.name, row.sku]);
}

export function toProduct(row: ProductRow): Product {
  return {
    id: row.id,
    categoryId: row.category_id,
    name: row.name,
    sku: row.sku,
    description: row.description,
    currency: row.currency,
    tiers: parseJson<QuantityTiers>(row.tiers, { mode: 'presets', presets: [] }),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: row.version,
  };
}
