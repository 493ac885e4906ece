import { setTimeout as sleep } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { lockedForWrite } from '../db/dialect.js';
import { transact } from './transaction.js';

export interface RateLimit {
  /** Requests the other side drains per second (Bitrix24: 2, Enterprise 5). */
  perSecond: number;
  /** How many may arrive at once before it refuses (Bitrix24: 50, Enterprise 250). */
  burst: number;
}

/**
 * A leaky bucket mirroring a remote system's own, kept in the database so that every process
 * of this installation draws from one bucket: two workers together stay under the portal's
 * limit. `take` reserves the next free slot (adds 1 to the level at once) and answers how long
 * to wait before sending; callers queue up in the order they reserved.
 *
 * A small safety margin (the remote clock and ours differ, requests arrive late or early) keeps
 * the level a little below the remote threshold.
 */
export class SharedRateBucket {
  readonly #limit: RateLimit;

  constructor(
    private readonly db: Kysely<Database>,
    readonly key: string,
    limit: RateLimit,
    private readonly now: () => number = Date.now,
  ) {
    this.#limit = { perSecond: limit.perSecond * 0.95, burst: Math.max(1, limit.burst - 2) };
  }

  /** Reserves one request; resolves when it may be sent (at once while the bucket has room). */
  async take(signal?: AbortSignal): Promise<void> {
    const waitMs = await this.reserve();
    if (waitMs > 0) await sleep(waitMs, undefined, signal ? { signal } : {});
  }

  /** Reserves one request and answers how many milliseconds to wait before sending it. */
  async reserve(): Promise<number> {
    const { perSecond, burst } = this.#limit;
    return transact(this.db, async (trx) => {
      const nowMs = this.now();
      const row = await lockedForWrite(trx, trx.selectFrom('rate_buckets').select(['level', 'at_ms']).where('key', '=', this.key)).executeTakeFirst();
      const level = row ? Math.max(0, row.level - ((nowMs - Number(row.at_ms)) / 1000) * perSecond) + 1 : 1;
      if (row) await trx.updateTable('rate_buckets').set({ level, at_ms: nowMs }).where('key', '=', this.key).execute();
      else await trx.insertInto('rate_buckets').values({ key: this.key, level, at_ms: nowMs }).onConflict((oc) => oc.column('key').doUpdateSet({ level, at_ms: nowMs })).execute();
      return level > burst ? Math.ceil(((level - burst) / perSecond) * 1000) : 0;
    });
  }

  /**
   * The other side refused a request for its rate: its bucket is full whatever ours says (another
   * program calls the same portal from this address). Fill ours, so every process slows down.
   */
  async markFull(): Promise<void> {
    const nowMs = this.now();
    const level = this.#limit.burst;
    await this.db
      .insertInto('rate_buckets')
      .values({ key: this.key, level, at_ms: nowMs })
      .onConflict((oc) => oc.column('key').doUpdateSet({ level, at_ms: nowMs }))
      .execute();
  }
}
