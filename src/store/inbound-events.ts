import type { Kysely } from 'kysely';
import { isUniqueViolation } from '../db/errors.js';
import { prepare } from '../db/prepared.js';
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

// Every event another system posts is stored by this before it is answered: prepared once (db/prepared.ts).
const insertEvent = prepare((db, p) =>
  db
    .insertInto('inbound_events')
    .values({
      system: p('system'),
      dedupe_key: p('dedupeKey'),
      event: p('event'),
      entity_kind: p('entityKind'),
      external_id: p('externalId'),
      received_at: p('receivedAt'),
      state: 'pending',
    })
    .onConflict((oc) => oc.columns(['system', 'dedupe_key']).doNothing()),
);

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
      const { numAffectedRows } = await insertEvent.run(db, {
        system: event.system,
        dedupeKey: event.dedupeKey,
        event: event.event,
        entityKind: event.entityKind,
        externalId: event.externalId,
        receivedAt: nowIso(),
      });
      return Number(numAffectedRows ?? 0) > 0;
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

  /**
   * Settles exactly these events (still pending) with one outcome: those a read of their entity
   * was known to answer when it started (see `pending`). An event committed after that stays
   * pending for the work it queued, whatever its id.
   */
  async settleIds(system: string, ids: readonly number[], outcome: InboundOutcome, note: string | null = null, db: Kysely<Database> = this.db): Promise<number> {
    if (ids.length === 0) return 0;
    const result = await db
      .updateTable('inbound_events')
      .set({ state: outcome, settled_at: nowIso(), note: note ? note.slice(0, 500) : null })
      .where('system', '=', system)
      .where('id', 'in', [...ids])
      .where('state', '=', 'pending')
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** The pending events of these entities, by external id (oldest first); an entity with none is absent. */
  async pending(system: string, entityKind: string, externalIds: readonly string[], db: Kysely<Database> = this.db): Promise<Map<string, number[]>> {
    const out = new Map<string, number[]>();
    if (externalIds.length === 0) return out;
    const rows = await db
      .selectFrom('inbound_events')
      .select(['id', 'external_id'])
      .where('system', '=', system)
      .where('entity_kind', '=', entityKind)
      .where('external_id', 'in', [...externalIds])
      .where('state', '=', 'pending')
      .orderBy('id')
      .execute();
    for (const row of rows) {
      const ids = out.get(row.external_id) ?? [];
      ids.push(Number(row.id));
      out.set(row.external_id, ids);
    }
    return out;
  }

  /**
   * Entities of a kind with events still pending among the newest `window` events of the whole
   * inbox (a range of the primary key, cheap however large the inbox grows): work that may be
   * read together with the entity at hand. Older pending events are left to their own work.
   */
  async recentPending(system: string, entityKind: string, options: { window?: number; limit?: number } = {}, db: Kysely<Database> = this.db): Promise<string[]> {
    const { window = 2_000, limit = 100 } = options;
    const newest = await db.selectFrom('inbound_events').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst();
    const floor = Number(newest?.id ?? 0) - window;
    const rows = await db
      .selectFrom('inbound_events')
      .select('external_id')
      .where('id', '>', floor)
      .where('system', '=', system)
      .where('entity_kind', '=', entityKind)
      .where('state', '=', 'pending')
      .orderBy('id')
      .limit(limit * 4)
      .execute();
    return [...new Set(rows.map((row) => row.external_id))].slice(0, limit);
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
