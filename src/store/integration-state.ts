import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { LinkedEntityType } from './external-links.js';
import { lockedForWrite } from '../db/dialect.js';
import { nowIso } from './json.js';
import { transact } from './transaction.js';

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

  /**
   * Takes the entity for `owner` until `until` (ms since the epoch), unless someone else holds it:
   * two jobs about to make the same client in the other system (two orders of one new client)
   * must not both make it. Answers whether `owner` holds it now. A holder that crashed loses it
   * when its time runs out.
   */
  async claim(system: string, entityType: LinkedEntityType, entityId: number, owner: string, until: number, db: Kysely<Database> = this.db): Promise<boolean> {
    return transact(db, async (trx) => {
      const now = Date.now();
      await trx
        .insertInto('integration_state')
        .values({ system, entity_type: entityType, entity_id: entityId, state: '{}', updated_at: nowIso() })
        .onConflict((oc) => oc.columns(['system', 'entity_type', 'entity_id']).doNothing())
        .execute();
      const row = await lockedForWrite(
        trx,
        trx.selectFrom('integration_state').select('state').where('system', '=', system).where('entity_type', '=', entityType).where('entity_id', '=', entityId),
      ).executeTakeFirstOrThrow();
      const state = JSON.parse(row.state) as EntityState & { claim?: { owner: string; until: number } };
      if (state.claim && state.claim.owner !== owner && state.claim.until > now) return false;
      state.claim = { owner, until };
      await this.set(system, entityType, entityId, state, trx);
      return true;
    });
  }

  /** Gives the entity back (only if `owner` still holds it). */
  async release(system: string, entityType: LinkedEntityType, entityId: number, owner: string, db: Kysely<Database> = this.db): Promise<void> {
    await transact(db, async (trx) => {
      const state = (await this.get(system, entityType, entityId, trx)) as (EntityState & { claim?: { owner: string } }) | null;
      if (state?.claim?.owner !== owner) return;
      delete state.claim;
      await this.set(system, entityType, entityId, state, trx);
    });
  }
}
