import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { notFound } from '../domain/errors.js';
import type { EntityType } from '../events/domain-events.js';

const TABLE_BY_ENTITY = { order: 'orders', person: 'persons', organization: 'organizations' } as const satisfies Record<EntityType, keyof Database>;

/** Throws `not_found` unless the order, person or organization exists; a cheap primary-key probe. */
export async function assertEntityExists(db: Kysely<Database>, entityType: EntityType, id: number): Promise<void> {
  const found = await db.selectFrom(TABLE_BY_ENTITY[entityType]).select('id').where('id', '=', id).executeTakeFirst();
  if (!found) throw notFound(entityType, id);
}
