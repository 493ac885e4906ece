import type { CreateTableBuilder, Kysely } from 'kysely';
import { isPostgres } from '../dialect.js';

/**
 * Creates a table with an auto-incrementing integer primary key `id` in either dialect:
 * SQLite's `integer primary key autoincrement` (ids never reused) or PostgreSQL's identity column.
 */
export function createTableWithId(db: Kysely<unknown>, table: string): CreateTableBuilder<string, 'id'> {
  const builder = db.schema.createTable(table);
  return isPostgres(db)
    ? builder.addColumn('id', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    : builder.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}
