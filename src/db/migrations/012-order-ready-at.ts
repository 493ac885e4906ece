import type { Kysely } from 'kysely';

/**
 * `orders.ready_at`: when the order is to be ready for the client — «Дата готовности» on the
 * new-order page, «Дата выдачи» on the order card and in the ERPs' extra parameter. Optional.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('orders').addColumn('ready_at', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('orders').dropColumn('ready_at').execute();
}
