import type { Kysely } from 'kysely';
import { PostgresAdapter } from 'kysely';

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
