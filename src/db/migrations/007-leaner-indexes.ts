import { sql } from 'kysely';
import type { Kysely } from 'kysely';

/**
 * Every index an order create touches costs a page at each commit. Three never earned that:
 * - `orders_organization` indexed the many orders of persons (organization null) only to skip
 *   them: now it holds orders of organizations only;
 * - `jobs_completed_at` indexed every waiting job's null: now it holds completed jobs only (the
 *   throughput chart's range scan);
 * - `domain_events_entity` was read by nothing.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('orders_organization').execute();
  await db.schema.createIndex('orders_organization').on('orders').column('organization_id').where(sql.ref('organization_id'), 'is not', null).execute();
  await db.schema.dropIndex('jobs_completed_at').execute();
  await db.schema.createIndex('jobs_completed_at').on('jobs').column('completed_at').where(sql.ref('completed_at'), 'is not', null).execute();
  await db.schema.dropIndex('domain_events_entity').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('domain_events_entity').on('domain_events').columns(['entity_type', 'entity_id']).execute();
  await db.schema.dropIndex('jobs_completed_at').execute();
  await db.schema.createIndex('jobs_completed_at').on('jobs').column('completed_at').execute();
  await db.schema.dropIndex('orders_organization').execute();
  await db.schema.createIndex('orders_organization').on('orders').column('organization_id').execute();
}
