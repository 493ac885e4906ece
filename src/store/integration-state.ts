import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { LinkedEntityType } from './external-links.js';
import { nowIso } from './json.js';

export type EntityState = Record<string, unknown>;

/**
 * What an integration remembers about one of our entities between runs: which comments were
 * already posted, a hash of the fields it last wrote, when. One JSON record per (system,
 * entity); each integration owns the shape of its records.
 */
export class IntegrationStateStore {
  constructor(private readonly db: Kysely<Database>) {}

  async get(system: string, entityType: LinkedEntityType, entityId: number, db: Kysely<Database> = this.db): Promise<EntityState | null> {
    return (await this.getMany(system, entityType, [entityId], db)).get(entityId) ?? null;
  }

  async getMany(system: string, entityType: LinkedEntityType, entityIds: readonly number[], db: Kysely<Database> = this.db): Promise<Map<number, EntityState>> {
    const result = new Map<number, EntityState>();
    if (entityIds.length === 0) return result;
    const rows = await db
      .selectFrom('integration_state')
      .select(['entity_id', 'state'])
      .where('system', '=', system)
      .where('entity_type', '=', entityType)
      .where('entity_id', 'in', [...entityIds])
      .execute();
    for (const row of rows) result.set(row.entity_id, JSON.parse(row.state) as EntityState);
    return result;
  }

  /** Replaces the record. Pass a transaction's `db` to write it together with links. */
  async set(system: string, entityType: LinkedEntityType, entityId: number, state: EntityState, db: Kysely<Database> = this.db): Promise<void> {
    const now = nowIso();
    const text = JSON.stringify(state);
    await db
      .insertInto('integration_state')
      .values({ system, entity_type: entityType, entity_id: entityId, state: text, updated_at: now })
      .onConflict((oc) => oc.columns(['system', 'entity_type', 'entity_id']).doUpdateSet({ state: text, updated_at: now }))
      .execute();
  }
}
