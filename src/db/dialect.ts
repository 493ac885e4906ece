import type { Kysely } from 'kysely';
import { PostgresAdapter } from 'kysely';

/** For the few places where the dialects differ (identity columns, row locks). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any schema; only the adapter is read
export function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}
