import type { Kysely } from 'kysely';
import { isUniqueViolation } from '../db/errors.js';
import type { Database } from '../db/schema.js';
import { nowIso } from './json.js';

export const INBOUND_OUTCOMES = ['applied', 'echo', 'stale', 'ignored', 'failed'] as const;
export type InboundOutcome = (typeof INBOUND_OUTCOMES)[number];

export interface InboundEvent {
  system: string;
  dedupeKey: string;
  event: string;
  entityKind: string;
  externalId: string;
}

export interface InboundCounts {
  received: number;
  pending: number;
  applied: number;
  echo: number;
  stale: number;
  ignored: number;
  failed: number;
}

export interface LastInbound {
  event: string;
  state: string;
  note: string | null;
  receivedAt: string;
  settledAt: string | null;
}

/**
 * The inbox of events other systems send. An event is stored before the sender gets its answer
 * (so it survives whatever happens next), once per its sender's key, and settled when the work it
 * caused is done. Work is per entity, not per event: the handler reads the entity fresh, so every
 * event of that entity still pending is settled together with the same outcome.
 */
export class InboundEventStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** Stores the event; false when the same event (by its key) was stored before. */
  async accept(event: InboundEvent, db: Kysely<Database> = this.db): Promise<boolean> {
    try {
      const result = await db
        .insertInto('inbound_events')
        .values({
          system: event.system,
          dedupe_key: event.dedupeKey,
          event: event.event,
          entity_kind: event.entityKind,
          external_id: event.externalId,
          received_at: nowIso(),
          state: 'pending',
        })
        .onConflict((oc) => oc.columns(['system', 'dedupe_key']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  /**
   * Settles every pending event of the entity with one outcome — only those up to `upToId` (see
   * `lastId`) when given: an event that came while the record was being read may be about a later
   * change, and the work it queued settles it.
   */
  async settle(system: string, entityKind: string, externalId: string, outcome: InboundOutcome, note: string | null = null, db: Kysely<Database> = this.db, upToId?: number): Promise<number> {
    let query = db
      .updateTable('inbound_events')
      .set({ state: outcome, settled_at: nowIso(), note: note ? note.slice(0, 500) : null })
      .where('system', '=', system)
      .where('entity_kind', '=', entityKind)
      .where('external_id', '=', externalId)
      .where('state', '=', 'pending');
    if (upToId !== undefined) query = query.where('id', '<=', upToId);
    const result = await query.executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** The newest event stored about the entity so far (0: none): the bound of what a read that starts now answers. */
  async lastId(system: string, entityKind: string, externalId: string, db: Kysely<Database> = this.db): Promise<number> {
    const row = await db
      .selectFrom('inbound_events')
      .select((eb) => eb.fn.max('id').as('id'))
      .where('system', '=', system)
      .where('entity_kind', '=', entityKind)
      .where('external_id', '=', externalId)
      .executeTakeFirst();
    return Number(row?.id ?? 0);
  }

  async counts(system: string, db: Kysely<Database> = this.db): Promise<InboundCounts> {
    const rows = await db.selectFrom('inbound_events').select(['state', (eb) => eb.fn.countAll<number>().as('n')]).where('system', '=', system).groupBy('state').execute();
    const counts: InboundCounts = { received: 0, pending: 0, applied: 0, echo: 0, stale: 0, ignored: 0, failed: 0 };
    for (const row of rows) {
      const n = Number(row.n);
      counts.received += n;
      if (row.state in counts) counts[row.state as keyof InboundCounts] += n;
    }
    return counts;
  }

  /** The latest event about an entity in the other system (for the cards: «последнее изменение из Битрикс24»). */
  async last(system: string, entityKind: string, externalId: string, db: Kysely<Database> = this.db): Promise<LastInbound | null> {
    const row = await db
      .selectFrom('inbound_events')
      .select(['event', 'state', 'note', 'received_at', 'settled_at'])
      .where('system', '=', system)
      .where('entity_kind', '=', entityKind)
      .where('external_id', '=', externalId)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? { event: row.event, state: row.state, note: row.note, receivedAt: row.received_at, settledAt: row.settled_at } : null;
  }
}
