import type { Kysely } from 'kysely';

/**
 * What integrations remember between runs (issue 7):
 * - `rate_buckets`: a leaky bucket per remote system (a Bitrix24 portal allows 2 requests a
 *   second, burst 50, per portal and source address). Kept in the database, so every worker
 *   process on this machine draws from the same bucket and together they stay under the limit;
 * - `integration_state`: per integration and entity, a small JSON record of what was last sent
 *   (the comments already posted to a deal, the hash of the fields written, when), which the
 *   export reads to send only what changed and the back-sync reads to recognise its own writes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('rate_buckets')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('level', 'double precision', (c) => c.notNull())
    .addColumn('at_ms', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('integration_state')
    .addColumn('system', 'text', (c) => c.notNull())
    .addColumn('entity_type', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'integer', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('integration_state_pk', ['system', 'entity_type', 'entity_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('integration_state').execute();
  await db.schema.dropTable('rate_buckets').execute();
}
