import type { Kysely } from 'kysely';
import { isUniqueViolation } from '../db/errors.js';
import type { Database } from '../db/schema.js';
import type { ExternalIds } from '../domain/clients.js';
import { DomainError } from '../domain/errors.js';
import { emptyMap, isReservedKey } from '../domain/keys.js';

export type LinkedEntityType = 'person' | 'organization' | 'order' | 'product' | 'category';

/** Ids of our entities in other systems (Bitrix24 contact, ASystem order, …). */
export class ExternalLinkStore {
  constructor(private readonly db: Kysely<Database>) {}

  async forEntities(db: Kysely<Database>, entityType: LinkedEntityType, ids: number[]): Promise<Map<number, ExternalIds>> {
    const result = new Map<number, ExternalIds>();
    if (ids.length === 0) return result;
    const rows = await db
      .selectFrom('external_links')
      .select(['entity_id', 'system', 'kind', 'external_id'])
      .where('entity_type', '=', entityType)
      .where('entity_id', 'in', ids)
      .execute();
    for (const row of rows) {
      // A row stored before reserved names were refused is left out: it cannot be shown safely.
      if (isReservedKey(row.system) || isReservedKey(row.kind)) continue;
      const ids = result.get(row.entity_id) ?? emptyMap<Record<string, string>>();
      (ids[row.system] ??= emptyMap<string>())[row.kind] = row.external_id;
      result.set(row.entity_id, ids);
    }
    return result;
  }

  async forEntity(entityType: LinkedEntityType, id: number, db: Kysely<Database> = this.db): Promise<ExternalIds> {
    return (await this.forEntities(db, entityType, [id])).get(id) ?? emptyMap();
  }

  /** One link: the id of our entity in `system` under `kind` (e.g. its Bitrix24 contact), or null. */
  async externalIdOf(
    link: { entityType: LinkedEntityType; entityId: number; system: string; kind: string },
    db: Kysely<Database> = this.db,
  ): Promise<string | null> {
    const row = await db
      .selectFrom('external_links')
      .select('external_id')
      .where('entity_type', '=', link.entityType)
      .where('entity_id', '=', link.entityId)
      .where('system', '=', link.system)
      .where('kind', '=', link.kind)
      .executeTakeFirst();
    return row?.external_id ?? null;
  }

  /** Applies a patch: a string sets the link, null removes it. */
  async apply(
    db: Kysely<Database>,
    entityType: LinkedEntityType,
    entityId: number,
    patch: Record<string, Record<string, string | null>>,
    now: string,
  ): Promise<void> {
    for (const [system, kinds] of Object.entries(patch)) {
      for (const [kind, externalId] of Object.entries(kinds)) {
        await this.set(db, { entityType, entityId, system, kind, externalId }, now);
      }
    }
  }

  async set(
    db: Kysely<Database>,
    link: { entityType: LinkedEntityType; entityId: number; system: string; kind: string; externalId: string | null },
    now: string,
  ): Promise<void> {
    const { entityType, entityId, system, kind, externalId } = link;
    if (externalId === null) {
      await db
        .deleteFrom('external_links')
        .where('entity_type', '=', entityType)
        .where('entity_id', '=', entityId)
        .where('system', '=', system)
        .where('kind', '=', kind)
        .execute();
      return;
    }
    const taken = await this.findEntity(system, kind, externalId, db);
    if (taken && (taken.entityType !== entityType || taken.entityId !== entityId)) throw linkTaken(system, kind, externalId, taken);
    try {
      await db
        .insertInto('external_links')
        .values({ entity_type: entityType, entity_id: entityId, system, kind, external_id: externalId, updated_at: now })
        .onConflict((oc) =>
          oc.columns(['entity_type', 'entity_id', 'system', 'kind']).doUpdateSet({ external_id: externalId, updated_at: now }),
        )
        .execute();
    } catch (error) {
      // A parallel request linked the same external id first (PostgreSQL; SQLite writes one at a time).
      if (isUniqueViolation(error)) throw linkTaken(system, kind, externalId, null);
      throw error;
    }
  }

  /** Every external id of one kind linked to something of ours (a full reconciliation looks for the deleted ones). */
  async externalIdsOfKind(system: string, kind: string, db: Kysely<Database> = this.db): Promise<string[]> {
    const rows = await db.selectFrom('external_links').select('external_id').where('system', '=', system).where('kind', '=', kind).where('external_id', 'is not', null).execute();
    return rows.map((row) => String(row.external_id));
  }

  /** Which of our entities an external id belongs to (inbound events, reconciliation). */
  async findEntity(
    system: string,
    kind: string,
    externalId: string,
    db: Kysely<Database> = this.db,
  ): Promise<{ entityType: LinkedEntityType; entityId: number } | null> {
    const row = await db
      .selectFrom('external_links')
      .select(['entity_type', 'entity_id'])
      .where('system', '=', system)
      .where('kind', '=', kind)
      .where('external_id', '=', externalId)
      .executeTakeFirst();
    return row ? { entityType: row.entity_type as LinkedEntityType, entityId: row.entity_id } : null;
  }
}

function linkTaken(system: string, kind: string, externalId: string, owner: { entityType: string; entityId: number } | null): DomainError {
  const to = owner ? `${owner.entityType} ${owner.entityId}` : 'another record';
  return new DomainError('conflict', `${system} ${kind} ${externalId} is already linked to ${to}`, [
    { path: `body.externalIds.${system}.${kind}`, message: `already linked to ${to}` },
  ]);
}
