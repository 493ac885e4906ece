import type { Kysely } from 'kysely';

/**
 * `integration_records` (issue 9): documents an integration keeps about things of the other
 * system that are not our entities — an ERP's product templates, say — under a key of that
 * system (a template id is text). One JSON document per (system, kind, key); `missing_since` marks
 * one the other system no longer lists, kept so what still refers to it can say so.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('integration_records')
    .addColumn('system', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('missing_since', 'text')
    .addPrimaryKeyConstraint('integration_records_pk', ['system', 'kind', 'key'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('integration_records').execute();
}
