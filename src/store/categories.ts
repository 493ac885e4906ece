import type { Kysely } from 'kysely';
import { lockedForWrite } from '../db/dialect.js';
import type { CategoryRow, Database } from '../db/schema.js';
import type { CalculatorEngine, Category, CategoryCreateInput, CategoryUpdateInput } from '../domain/catalog.js';
import { CALCULATOR_ENGINE_LABELS } from '../domain/catalog.js';
import { DomainError, invalidField, notFound, assertVersion } from '../domain/errors.js';
import { refusingVanishedReferences } from './references.js';
import { transact } from './transaction.js';
import { flag, nowIso, parseJson, toJson } from './json.js';
import type { WidgetOptions } from '../domain/widget.js';
import { widgetOptionsOf } from '../domain/widget.js';
import type { Page } from './pagination.js';
import { DEFAULT_PAGE_SIZE, decodeCursor, toPage } from './pagination.js';

export interface CategoryFilter {
  /** Children of this category; `null` for top-level categories; absent for all. */
  parentId?: number | null | undefined;
  calculatorEngine?: CalculatorEngine | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
}

/** Deeper than any real catalog; stops the ancestor walk should the data ever hold a cycle. */
const MAX_DEPTH = 64;

function parentVanished(parentId: number | null | undefined): DomainError {
  return new DomainError('conflict', `body.parentId: category ${parentId} was deleted while this category was being saved`, [
    { path: 'body.parentId', message: 'was deleted meanwhile' },
  ]);
}

/** Product categories: a tree by `parentId`, each choosing its calculator engine. */
export class CategoryStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(input: CategoryCreateInput, db: Kysely<Database> = this.db): Promise<Category> {
    return refusingVanishedReferences(() => transact(db, async (trx) => {
      if (input.parentId) await assertCategoryExists(trx, input.parentId, 'body.parentId');
      const now = nowIso();
      const row = await trx
        .insertInto('categories')
        .values({
          name: input.name,
          parent_id: input.parentId ?? null,
          calculator_engine: input.calculatorEngine,
          calculator_primary: flag(input.calculatorPrimary),
          widget: input.widget ? toJson(widgetOptionsOf(input.widget)) : null,
          created_at: now,
          updated_at: now,
          version: 1,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toCategory(row);
    }), () => parentVanished(input.parentId));
  }

  async get(id: number, db: Kysely<Database> = this.db): Promise<Category> {
    const row = await db.selectFrom('categories').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('category', id);
    return toCategory(row);
  }

  async update(id: number, input: CategoryUpdateInput, db: Kysely<Database> = this.db): Promise<Category> {
    return refusingVanishedReferences(() => transact(db, async (trx) => {
      const current = await lockedForWrite(trx, trx.selectFrom('categories').selectAll().where('id', '=', id)).executeTakeFirst();
      if (!current) throw notFound('category', id);
      assertVersion('category', id, input.version, current.version);
      if (input.parentId) await assertNoCycle(trx, id, input.parentId);
      const row = await trx
        .updateTable('categories')
        .set({
          ...(input.name !== undefined && { name: input.name }),
          ...(input.parentId !== undefined && { parent_id: input.parentId }),
          ...(input.calculatorEngine !== undefined && { calculator_engine: input.calculatorEngine }),
          ...(input.calculatorPrimary !== undefined && { calculator_primary: flag(input.calculatorPrimary) }),
          ...(input.widget !== undefined && { widget: toJson({ ...storedWidget(current.widget), ...input.widget }) }),
          updated_at: nowIso(),
          version: current.version + 1,
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return toCategory(row);
    }), () => parentVanished(input.parentId));
  }

  /**
   * Only an empty category goes: products and subcategories would otherwise lose their place
   * silently. The row is locked first (PostgreSQL): a product being saved into it either commits
   * before the check sees it, or waits and then finds the category gone.
   */
  async delete(id: number, db: Kysely<Database> = this.db): Promise<void> {
    await transact(db, async (trx) => {
      const current = await lockedForWrite(trx, trx.selectFrom('categories').select('id').where('id', '=', id)).executeTakeFirst();
      if (!current) throw notFound('category', id);
      const product = await trx.selectFrom('products').select('id').where('category_id', '=', id).limit(1).executeTakeFirst();
      if (product) throw new DomainError('conflict', `category ${id} still has products (e.g. ${product.id}); move or delete them first`);
      const child = await trx.selectFrom('categories').select('id').where('parent_id', '=', id).limit(1).executeTakeFirst();
      if (child) throw new DomainError('conflict', `category ${id} still has subcategories (e.g. ${child.id}); move or delete them first`);
      await trx.deleteFrom('categories').where('id', '=', id).execute();
    });
  }

  async list(filter: CategoryFilter = {}): Promise<Page<Category>> {
    const limit = filter.limit ?? DEFAULT_PAGE_SIZE;
    const before = decodeCursor(filter.cursor);
    let query = this.db.selectFrom('categories').selectAll().orderBy('id', 'desc').limit(limit + 1);
    if (before !== null) query = query.where('id', '<', before);
    if (filter.parentId === null) query = query.where('parent_id', 'is', null);
    else if (filter.parentId !== undefined) query = query.where('parent_id', '=', filter.parentId);
    if (filter.calculatorEngine) query = query.where('calculator_engine', '=', filter.calculatorEngine);
    const rows = await query.execute();
    return toPage(rows, limit, toCategory);
  }
}

export async function assertCategoryExists(db: Kysely<Database>, id: number, path: string): Promise<void> {
  const found = await db.selectFrom('categories').select('id').where('id', '=', id).executeTakeFirst();
  if (!found) throw invalidField(path, `category ${id} does not exist`);
}

/**
 * A new parent must exist and must not be the category itself or one of its descendants.
 * On SQLite the write transaction serializes this check; on PostgreSQL two concurrent moves
 * (A under B, B under A) could each pass — rare for an admin action, and the walk's depth
 * bound keeps any such cycle from hanging reads.
 */
async function assertNoCycle(db: Kysely<Database>, id: number, parentId: number): Promise<void> {
  const path = 'body.parentId';
  if (parentId === id) throw invalidField(path, `category ${id} cannot be its own parent`);
  let ancestor: number | null = parentId;
  for (let depth = 0; ancestor !== null && depth < MAX_DEPTH; depth++) {
    const row: { parent_id: number | null } | undefined = await db
      .selectFrom('categories')
      .select('parent_id')
      .where('id', '=', ancestor)
      .executeTakeFirst();
    if (!row) throw invalidField(path, `category ${ancestor} does not exist`);
    if (row.parent_id === id) throw invalidField(path, `category ${parentId} is inside category ${id}; moving ${id} under it would make a cycle`);
    ancestor = row.parent_id;
  }
}

export function toCategory(row: CategoryRow): Category {
  const engine = row.calculator_engine as CalculatorEngine;
  return {
    id: row.id,
    name: row.name,
    parentId: row.parent_id,
    calculatorEngine: engine,
    calculatorEngineLabel: CALCULATOR_ENGINE_LABELS[engine] ?? row.calculator_engine,
    calculatorPrimary: row.calculator_primary === 1,
    widget: storedWidget(row.widget),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: row.version,
  };
}

function storedWidget(text: string | null): WidgetOptions {
  return widgetOptionsOf(parseJson<Partial<WidgetOptions> | null>(text, null));
}
