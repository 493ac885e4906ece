import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/**
 * Runs `work` in a transaction, or inside the caller's one when `db` already is a transaction,
 * so a store method can be composed into a larger unit (e.g. a create plus its idempotency record).
 */
export function transact<T>(db: Kysely<Database>, work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}
