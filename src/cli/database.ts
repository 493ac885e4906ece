import type { Kysely } from 'kysely';
import { openDatabase } from '../db/connection.js';
import { migrateToLatest } from '../db/migrate.js';
import type { Database } from '../db/schema.js';
import { configFrom } from './options.js';

/** For short CLI commands: open the configured database, migrate it, run `work`, close. */
export async function withMigratedDatabase(options: { db?: string }, work: (db: Kysely<Database>) => Promise<void>): Promise<void> {
  const handle = openDatabase(configFrom(options).databaseUrl);
  try {
    await migrateToLatest(handle.db);
    await work(handle.db);
  } finally {
    await handle.close();
  }
}
