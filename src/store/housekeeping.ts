import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { transact } from './transaction.js';

/**
 * How long what piles up is kept, in days. A shop's database otherwise grows with every order
 * change (its domain event and the jobs it caused), every event another system sent, every sync
 * attempt with its request and answer, and every file a shopper attached to a quote nobody ordered.
 * What a person may still need is kept: pending work, the newest state of each record, whatever an
 * order refers to.
 */
export const RETENTION_DAYS = {
  /** An `Idempotency-Key` replays its answer this long (clients retry within minutes). */
  idempotencyKeys: 7,
  /** Finished background jobs (the SQLite queue; pg-boss keeps its own for the same 14 days). */
  completedJobs: 14,
  /** Dead letters stay on the health page for replay this long. */
  deadJobs: 30,
  /** The outbox's record of changes: its jobs carry what they need. */
  domainEvents: 90,
  /** Settled events from other systems; the newest of each record stays for its card. */
  inboundEvents: 90,
  /** Sync attempts; per record and system the last one, the last success and the last with an id stay. */
  syncLog: 180,
  /** Quotes a shopper never ordered, after they expired, with their files. */
  expiredQuotes: 7,
} as const;

export type PurgedCounts = Record<keyof typeof RETENTION_DAYS | 'sessions', number>;

export interface PurgeOptions {
  /** Rows per statement: each chunk is its own short transaction, so writers never wait long. */
  chunk?: number;
  /** Rows per kind per run at most; the rest goes at the next run. */
  maxPerKind?: number;
  /** Stops between chunks (a job's abort signal). */
  signal?: AbortSignal;
}

const DAY_MS = 86_400_000;

/** A later sync attempt for the same record and system as the row `old`. */
const newerOfSameRecord = sql`select 1 from sync_log newer
  where newer.entity_type = old.entity_type and newer.entity_id = old.entity_id and newer.system = old.system and newer.id > old.id`;

/** Deletes what has outlived its retention (RETENTION_DAYS), in small chunks. Both databases. */
export class Housekeeping {
  constructor(private readonly db: Kysely<Database>) {}

  async purge(now: Date, options: PurgeOptions = {}): Promise<PurgedCounts> {
    const chunk = options.chunk ?? 1_000;
    const maxPerKind = options.maxPerKind ?? 100_000;
    const before = (days: number) => new Date(now.getTime() - days * DAY_MS).toISOString();
    const drain = async (deleteChunk: (trx: Kysely<Database>, limit: number) => Promise<bigint | undefined>): Promise<number> => {
      let total = 0;
      while (total < maxPerKind && !options.signal?.aborted) {
        const deleted = Number((await transact(this.db, (trx) => deleteChunk(trx, Math.min(chunk, maxPerKind - total)))) ?? 0n);
        total += deleted;
        if (deleted < chunk) break;
      }
      return total;
    };
    const affected = (result: { numDeletedRows: bigint }) => result.numDeletedRows;

    return {
      idempotencyKeys: await drain(async (trx) => affected(await trx.deleteFrom('idempotency_keys').where('created_at', '<', before(RETENTION_DAYS.idempotencyKeys)).executeTakeFirst())),
      sessions: await drain(async (trx) => affected(await trx.deleteFrom('sessions').where('expires_at', '<', now.toISOString()).executeTakeFirst())),
      completedJobs: await drain(async (trx, limit) =>
        affected(
          await trx
            .deleteFrom('jobs')
            .where('id', 'in', (eb) => eb.selectFrom('jobs').select('id').where('state', '=', 'completed').where('completed_at', '<', before(RETENTION_DAYS.completedJobs)).limit(limit))
            .executeTakeFirst(),
        ),
      ),
      deadJobs: await drain(async (trx, limit) =>
        affected(
          await trx
            .deleteFrom('jobs')
            .where('id', 'in', (eb) => eb.selectFrom('jobs').select('id').where('state', '=', 'dead').where('failed_at', '<', before(RETENTION_DAYS.deadJobs)).orderBy('id').limit(limit))
            .executeTakeFirst(),
        ),
      ),
      domainEvents: await drain(async (trx, limit) =>
        affected(
          await trx
            .deleteFrom('domain_events')
            // Oldest first in id order: the rows to go are where the scan starts.
            .where('id', 'in', (eb) => eb.selectFrom('domain_events').select('id').where('occurred_at', '<', before(RETENTION_DAYS.domainEvents)).orderBy('id').limit(limit))
            .executeTakeFirst(),
        ),
      ),
      inboundEvents: await drain(async (trx, limit) =>
        affected(
          await trx
            .deleteFrom('inbound_events')
            .where('id', 'in', (eb) =>
              eb
                .selectFrom('inbound_events as old')
                .select('old.id')
                .where('old.state', '<>', 'pending')
                .where('old.received_at', '<', before(RETENTION_DAYS.inboundEvents))
                // The newest event of a record is what its card shows as «Последнее изменение».
                .where(({ exists, selectFrom }) =>
                  exists(
                    selectFrom('inbound_events as newer')
                      .select('newer.id')
                      .whereRef('newer.system', '=', 'old.system')
                      .whereRef('newer.entity_kind', '=', 'old.entity_kind')
                      .whereRef('newer.external_id', '=', 'old.external_id')
                      .whereRef('newer.id', '>', 'old.id'),
                  ),
                )
                .orderBy('old.id')
                .limit(limit),
            )
            .executeTakeFirst(),
        ),
      ),
      syncLog: await drain(async (trx, limit) =>
        affected(
          await trx
            .deleteFrom('sync_log')
            .where('id', 'in', (eb) =>
              eb
                .selectFrom('sync_log as old')
                .select('old.id')
                .where('old.created_at', '<', before(RETENTION_DAYS.syncLog))
                // What the cards show per system (SyncLogStore.latestPerSystem) stays: the last
                // attempt, the last success and the last that named the record in the other system.
                .where(sql<boolean>`exists (${newerOfSameRecord})`)
                .where(sql<boolean>`(old.outcome <> 'ok' or exists (${newerOfSameRecord} and newer.outcome = 'ok'))`)
                .where(sql<boolean>`(old.external_id is null or exists (${newerOfSameRecord} and newer.external_id is not null))`)
                .orderBy('old.id')
                .limit(limit),
            )
            .executeTakeFirst(),
        ),
      ),
      expiredQuotes: await drain(async (trx, limit) =>
        affected(
          await trx
            .deleteFrom('calculator_quotes')
            // Files go with their quote (on delete cascade); a quote an order was priced from stays.
            .where('id', 'in', (eb) =>
              eb
                .selectFrom('calculator_quotes as quote')
                .select('quote.id')
                .where('quote.expires_at', '<', before(RETENTION_DAYS.expiredQuotes))
                .where(({ not, exists, selectFrom }) => not(exists(selectFrom('order_quotes').select('order_quotes.quote_id').whereRef('order_quotes.quote_id', '=', 'quote.id'))))
                .limit(limit),
            )
            .executeTakeFirst(),
        ),
      ),
    };
  }
}
