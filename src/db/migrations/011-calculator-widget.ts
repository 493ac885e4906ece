import type { Kysely } from 'kysely';
import { isPostgres } from '../dialect.js';
import { createTableWithId } from './columns.js';

/**
 * The storefront calculator widget (CALC-2, issue 15):
 * - `categories.widget`: the category's widget options (the seven toggles of its «Калькулятор»
 *   tab, the caption of the continue button, the custom styles), JSON; null means the defaults.
 * - `widget_sites`: the sites that may embed the widget — a public key each, and the origins
 *   (scheme://host[:port]) browsers may call the public quote API from.
 * - `calculator_quotes`: quotes issued to the widget (continue / add to cart), by an opaque id,
 *   with the product, the choice and the whole answer as priced, kept for an order to refer to.
 * - `calculator_files`: files a shopper attached to an issued quote (bytes in the database,
 *   size-limited by the API).
 * - `order_quotes`: which issued quote an order line was priced from.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('categories').addColumn('widget', 'text').execute();

  await createTableWithId(db, 'widget_sites')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull().unique())
    .addColumn('origins', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('calculator_quotes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('product_id', 'integer', (c) => c.notNull())
    .addColumn('site_id', 'integer')
    .addColumn('quantity', 'integer', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('calculator_files')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('quote_id', 'text', (c) => c.notNull().references('calculator_quotes.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('content', isPostgres(db) ? 'bytea' : 'blob', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('calculator_files_quote').on('calculator_files').column('quote_id').execute();

  await db.schema
    .createTable('order_quotes')
    .addColumn('order_id', 'integer', (c) => c.notNull().references('orders.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('quote_id', 'text', (c) => c.notNull().references('calculator_quotes.id'))
    .addPrimaryKeyConstraint('order_quotes_pk', ['order_id', 'position'])
    .execute();
  await db.schema.createIndex('order_quotes_quote').on('order_quotes').column('quote_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('order_quotes').execute();
  await db.schema.dropTable('calculator_files').execute();
  await db.schema.dropTable('calculator_quotes').execute();
  await db.schema.dropTable('widget_sites').execute();
  await db.schema.alterTable('categories').dropColumn('widget').execute();
}
