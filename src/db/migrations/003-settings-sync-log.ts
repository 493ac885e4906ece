import type { Kysely } from 'kysely';

/**
 * Settings get their per-integration on/off toggle as a column (not inside the JSON) so the
 * integrations list reads it without parsing every document. The sync log gets the indexes its
 * two readers need on both dialects: the order card ("newest row per system of this entity")
 * and the filtered list (newest first by system and outcome). On SQLite `id` is the rowid and
 * already rides along in every index; PostgreSQL needs it spelled out to walk the index in order.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('settings')
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema.dropIndex('sync_log_entity').execute();
  await db.schema
    .createIndex('sync_log_entity')
    .on('sync_log')
    .columns(['entity_type', 'entity_id', 'system', 'id'])
    .execute();
  await db.schema.createIndex('sync_log_system').on('sync_log').columns(['system', 'outcome', 'id']).execute();
}

export async function down(): Promise<void> {
  throw new Error('printsync migrations are forward-only; restore a backup to go back');
}
