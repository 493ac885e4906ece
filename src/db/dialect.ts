import { CompiledQuery, sql } from 'kysely';
import type { Kysely } from 'kysely';
import { PostgresAdapter } from 'kysely';
import { directConnection, runDirect } from './direct.js';

const SQLITE_SEQUENCE = 'select seq from sqlite_sequence where name = ?';

/** For the few places where the dialects differ (identity columns, row locks). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any schema; only the adapter is read
export function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * A read that a read-modify-write (a version check, a merge of a partial update) depends on:
 * on PostgreSQL the row is locked (`FOR UPDATE`) until the transaction ends, so concurrent
 * changes of one row apply one after the other and each sees the previous one. SQLite needs no
 * row lock: its write transactions already run one at a time.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any schema; only the adapter is read
export function lockedForWrite<Q extends { forUpdate(): Q }>(db: Kysely<any>, query: Q): Q {
  return isPostgres(db) ? query.forUpdate() : query;
}

/**
 * The id the next row of `table` gets, taken before inserting it (an order is numbered by its
 * id in the same insert). PostgreSQL: the identity column's sequence. SQLite: one more than
 * `sqlite_sequence` says — safe because the caller's transaction holds the write lock, and an
 * AUTOINCREMENT table never hands out an id below it.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any schema; the table is named by the caller
export async function nextIdentity(db: Kysely<any>, table: string): Promise<number> {
  if (isPostgres(db)) {
    const { rows } = await sql<{ id: number }>`select nextval(pg_get_serial_sequence(${table}, 'id'))::int as id`.execute(db);
    return rows[0]!.id;
  }
  // In a group commit, on the batch's connection directly (db/direct.ts): building and compiling
  // this query through Kysely cost more than SQLite takes to answer it, once per order created.
  const direct = directConnection(db);
  const { rows } = direct ? runDirect<{ seq: number }>(direct, SQLITE_SEQUENCE, [table]) : await db.executeQuery<{ seq: number }>(CompiledQuery.raw(SQLITE_SEQUENCE, [table]));
  return (rows[0]?.seq ?? 0) + 1;
}
