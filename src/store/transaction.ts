import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { writeBatcherFor } from '../db/write-batcher.js';

/**
 * Runs `work` in a transaction, or inside the caller's one when `db` already is a transaction,
 * so a store method can be composed into a larger unit (e.g. a create plus its idempotency
 * record). On SQLite, concurrent units share a commit (see SqliteWriteBatcher); `work` must then
 * touch only the database.
 */
export function transact<T>(db: Kysely<Database>, work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  if (db.isTransaction) return work(db);
  const batcher = writeBatcherFor(db);
  return batcher ? batcher.run(work) : db.transaction().execute(work);
}
