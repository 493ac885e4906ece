import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/**
 * Growing delays after failed logins, kept in the database so they hold across processes and
 * restarts. A blocked attempt is answered at once with 429 and Retry-After: nothing sleeps.
 *
 * Per login: free attempts, then 1 s, 2 s, 4 s … up to 5 min. Per client address the free
 * allowance is larger, because a whole office may sit behind one address.
 */
export interface ThrottlePolicy {
  freeFailures: number;
  maxDelaySeconds: number;
  /** Failures older than this are forgotten. */
  forgetAfterSeconds: number;
}

export const LOGIN_POLICY: ThrottlePolicy = { freeFailures: 2, maxDelaySeconds: 300, forgetAfterSeconds: 900 };
export const ADDRESS_POLICY: ThrottlePolicy = { freeFailures: 10, maxDelaySeconds: 300, forgetAfterSeconds: 900 };

export function delayAfter(failures: number, policy: ThrottlePolicy): number {
  if (failures <= policy.freeFailures) return 0;
  return Math.min(2 ** (failures - policy.freeFailures - 1), policy.maxDelaySeconds);
}

export interface ThrottleKey {
  key: string;
  policy: ThrottlePolicy;
}

export class LoginThrottle {
  constructor(private readonly db: Kysely<Database>) {}

  /** Seconds the caller must wait before trying again (0: may try now). */
  async retryAfter(keys: ThrottleKey[], now = new Date()): Promise<number> {
    const rows = await this.db
      .selectFrom('login_throttle')
      .select(['blocked_until'])
      .where('key', 'in', keys.map((k) => k.key))
      .execute();
    let wait = 0;
    for (const row of rows) {
      if (!row.blocked_until) continue;
      wait = Math.max(wait, Math.ceil((Date.parse(row.blocked_until) - now.getTime()) / 1000));
    }
    return wait;
  }

  async recordFailure(keys: ThrottleKey[], now = new Date()): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      for (const { key, policy } of keys) {
        // Insert-or-ignore first so that parallel failures never collide on the primary key.
        await trx
          .insertInto('login_throttle')
          .values({ key, failures: 0, last_failure_at: now.toISOString(), blocked_until: null })
          .onConflict((oc) => oc.column('key').doNothing())
          .execute();
        const row = await trx.selectFrom('login_throttle').selectAll().where('key', '=', key).executeTakeFirstOrThrow();
        const stale = now.getTime() - Date.parse(row.last_failure_at) > policy.forgetAfterSeconds * 1000;
        const failures = stale ? 1 : row.failures + 1;
        const delay = delayAfter(failures, policy);
        await trx
          .updateTable('login_throttle')
          .set({
            failures,
            last_failure_at: now.toISOString(),
            blocked_until: delay ? new Date(now.getTime() + delay * 1000).toISOString() : null,
          })
          .where('key', '=', key)
          .execute();
      }
    });
  }

  async reset(keys: ThrottleKey[]): Promise<void> {
    await this.db.deleteFrom('login_throttle').where('key', 'in', keys.map((k) => k.key)).execute();
  }
}
