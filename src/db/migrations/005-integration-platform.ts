import type { Kysely } from 'kysely';

/**
 * What the integration platform keeps (issue 5):
 * - who caused each change (`origin`, JSON) on domain events and order status history, so an
 *   integration can ignore the changes it made itself and the history can say «Битрикс24»;
 * - `schedules`: when each recurring job last fired, shared by every process, so a schedule
 *   fires once per interval whatever the number of workers, and survives restarts;
 * - `integration_alerts`: an integration whose credentials or permissions were refused is parked
 *   (its jobs wait) with the reason, until an administrator fixes its settings.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('domain_events').addColumn('origin', 'text').execute();
  await db.schema.alterTable('order_status_history').addColumn('origin', 'text').execute();

  await db.schema
    .createTable('schedules')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('last_fired_at', 'text')
    .addColumn('last_job_id', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('integration_alerts')
    .addColumn('integration', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('job_name', 'text')
    .addColumn('raised_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('integration_alerts').execute();
  await db.schema.dropTable('schedules').execute();
  await db.schema.alterTable('order_status_history').dropColumn('origin').execute();
  await db.schema.alterTable('domain_events').dropColumn('origin').execute();
}
