import type { Kysely, Selectable } from 'kysely';
import { lockedForWrite } from '../db/dialect.js';
import type { Database, LoginThrottleTable } from '../db/schema.js';
import { transact } from '../store/transaction.js';

/**
 * Growing delays after failed logins, kept in the database so they hold across processes and
 * restarts. A blocked attempt is answered at once with 429 and Retry-After: nothing sleeps.
 *
 * Per login: free attempts, then 1 s, 2 s, 4 s … up to 5 min. Per client address the free
 * allowance is larger, because a whole office may sit behind one address.
 *
 * An attempt is *reserved* before its password is checked, in one transaction for all its keys,
 * and settled afterwards. The password check (scrypt) is slow: when the wait was checked first
 * and the failure recorded after the check, every parallel attempt got past the throttle before
 * the first failure was recorded. Now attempts still being checked count against the free
 * failures as if they had failed, so no more run at once than may fail for free; beyond the free
 * failures attempts go one at a time, each after the wait the previous failure set — what a client
 * trying one attempt after another sees.
 *
 * A client that does not wait for its answers is a burst: an attempt that arrives while the
 * allowed ones are still being checked is refused, and from then on every refused attempt of that
 * key waits at least a second from itself, until one is let through again. Otherwise the tail of
 * a burst that outlasts the first checks (200 requests take a while to arrive) would find the
 * budget free again and be checked too. A client that waits for each answer never meets this.
 */
export interface ThrottlePolicy {
  freeFailures: number;
  maxDelaySeconds: number;
  /** Failures older than this are forgotten. */
  forgetAfterSeconds: number;
  /** Whether a successful login clears the counter, or only ends its reservation. */
  clearOnSuccess: boolean;
}

export const LOGIN_POLICY: ThrottlePolicy = { freeFailures: 2, maxDelaySeconds: 300, forgetAfterSeconds: 900, clearOnSuccess: true };
// One staff member logging in does not vouch for the others behind the same address.
export const ADDRESS_POLICY: ThrottlePolicy = { freeFailures: 10, maxDelaySeconds: 300, forgetAfterSeconds: 900, clearOnSuccess: false };

/**
 * Far longer than a password check takes even under load; a reservation still unsettled then
 * belongs to a request that died, and counts as the failure it may have been.
 */
export const RESERVATION_LEASE_SECONDS = 60;

export function delayAfter(failures: number, policy: ThrottlePolicy): number {
  if (failures <= policy.freeFailures) return 0;
  return Math.min(2 ** (failures - policy.freeFailures - 1), policy.maxDelaySeconds);
}

export interface ThrottleKey {
  key: string;
  policy: ThrottlePolicy;
}

/** A reserved attempt: settle it once the password check has ended. */
export interface ReservedAttempt {
  granted: true;
  /** The password was wrong (or the check broke off): the reservation becomes a failure. */
  failed(): Promise<void>;
  /** The password was right: the reservation ends, and counters with `clearOnSuccess` are cleared. */
  succeeded(): Promise<void>;
}

export interface RefusedAttempt {
  granted: false;
  /** Seconds to wait before trying again (at least 1). */
  retryAfter: number;
}

interface Counter {
  failures: number;
  pending: number;
  lastFailureAt: number;
  blockedUntil: number | null;
  reservedUntil: number | null;
  burst: boolean;
}

type Row = Selectable<LoginThrottleTable>;

export class LoginThrottle {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Lets an attempt through or says how long to wait, in one step for all its keys: either every
   * key takes the attempt or none does. `now` is for tests; by default the time the keys' rows
   * were locked.
   */
  async reserve(keys: ThrottleKey[], now?: Date): Promise<ReservedAttempt | RefusedAttempt> {
    const retryAfter = await transact(this.db, async (trx) => {
      const { counters, at } = await lockCounters(trx, keys, now);
      const refusals = keys.map(({ key, policy }) => refusal(counters.get(key)!, policy, at));
      const refused = refusals.some((r) => r !== null);
      let wait = 0;
      for (const [index, { key, policy }] of keys.entries()) {
        const counter = counters.get(key)!;
        const reason = refusals[index];
        if (!refused) {
          counter.pending += 1;
          counter.reservedUntil = at + RESERVATION_LEASE_SECONDS * 1000;
          counter.burst = false;
        } else if (reason) {
          if (reason === 'busy' || counter.burst) {
            counter.burst = true;
            // The wait that follows if the attempts being checked all fail, at least a second.
            const seconds = Math.max(1, delayAfter(counter.failures + counter.pending, policy));
            counter.blockedUntil = Math.max(counter.blockedUntil ?? 0, at + seconds * 1000);
          }
          wait = Math.max(wait, Math.ceil((counter.blockedUntil! - at) / 1000));
        }
        await saveCounter(trx, key, counter, at);
      }
      return wait;
    });
    if (retryAfter > 0) return { granted: false, retryAfter };
    let settled = false;
    const settle = (outcome: 'failed' | 'succeeded') => {
      // One settlement per reservation: a second would end someone else's.
      if (settled) return Promise.resolve();
      settled = true;
      return this.#settle(keys, outcome);
    };
    return { granted: true, failed: () => settle('failed'), succeeded: () => settle('succeeded') };
  }

  async #settle(keys: ThrottleKey[], outcome: 'failed' | 'succeeded'): Promise<void> {
    await transact(this.db, async (trx) => {
      const { counters, at } = await lockCounters(trx, keys);
      for (const { key, policy } of keys) {
        const counter = counters.get(key)!;
        // Already zero when the lease ran out first and the reservation counted as a failure then.
        counter.pending = Math.max(counter.pending - 1, 0);
        if (counter.pending === 0) counter.reservedUntil = null;
        if (outcome === 'failed') {
          counter.failures += 1;
          counter.lastFailureAt = at;
          const delay = delayAfter(counter.failures, policy);
          if (delay > 0) counter.blockedUntil = Math.max(counter.blockedUntil ?? 0, at + delay * 1000);
        } else if (policy.clearOnSuccess) {
          counter.failures = 0;
          counter.blockedUntil = null;
          counter.burst = false;
        }
        await saveCounter(trx, key, counter, at);
      }
    });
  }
}

/**
 * The keys' counters, locked until the transaction ends (PostgreSQL row locks; SQLite's write
 * lock already covers the transaction), with lapsed reservations and old failures applied as of
 * `at`: `now`, or the time the locks were granted (a wait for them must not make the counters
 * look older than they are). Rows are created first and locked in key order, so two attempts
 * sharing keys never wait on each other crosswise.
 */
async function lockCounters(trx: Kysely<Database>, keys: ThrottleKey[], now?: Date): Promise<{ counters: Map<string, Counter>; at: number }> {
  const names = [...new Set(keys.map((k) => k.key))].sort();
  // On PostgreSQL a row that another transaction deletes while this one waits for its lock is
  // skipped by the locking read; inserting again then creates it afresh.
  for (let round = 0; round < 5; round++) {
    const created = (now ?? new Date()).toISOString();
    await trx
      .insertInto('login_throttle')
      .values(names.map((key) => ({ key, failures: 0, last_failure_at: created, blocked_until: null, pending: 0, reserved_until: null, burst: 0 })))
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    const rows = await lockedForWrite(trx, trx.selectFrom('login_throttle').selectAll().where('key', 'in', names).orderBy('key')).execute();
    if (rows.length < names.length) continue;
    const byKey = new Map(rows.map((row) => [row.key, row]));
    const at = (now ?? new Date()).getTime();
    return { counters: new Map(keys.map(({ key, policy }) => [key, current(byKey.get(key)!, policy, at)])), at };
  }
  throw new Error(`login throttle: the counters of ${names.join(', ')} kept disappearing while being locked`);
}

function current(row: Row, policy: ThrottlePolicy, at: number): Counter {
  const counter: Counter = {
    failures: row.failures,
    pending: row.pending,
    lastFailureAt: Date.parse(row.last_failure_at),
    blockedUntil: row.blocked_until ? Date.parse(row.blocked_until) : null,
    reservedUntil: row.reserved_until ? Date.parse(row.reserved_until) : null,
    burst: row.burst === 1,
  };
  if (counter.pending > 0 && counter.reservedUntil !== null && counter.reservedUntil <= at) {
    const lapsedAt = counter.reservedUntil;
    counter.failures += counter.pending;
    counter.pending = 0;
    counter.reservedUntil = null;
    counter.lastFailureAt = Math.max(counter.lastFailureAt, lapsedAt);
    const delay = delayAfter(counter.failures, policy);
    if (delay > 0) counter.blockedUntil = Math.max(counter.blockedUntil ?? 0, lapsedAt + delay * 1000);
  }
  if (counter.failures > 0 && at - counter.lastFailureAt > policy.forgetAfterSeconds * 1000) counter.failures = 0;
  return counter;
}

/**
 * Why this key refuses an attempt now: `blocked` by a wait, or `busy` because as many attempts
 * are being checked as may still fail for free (beyond the free failures: one); null if it takes it.
 */
function refusal(counter: Counter, policy: ThrottlePolicy, at: number): 'blocked' | 'busy' | null {
  if (counter.blockedUntil !== null && counter.blockedUntil > at) return 'blocked';
  if (counter.pending === 0 || counter.failures + counter.pending < policy.freeFailures) return null;
  return 'busy';
}

async function saveCounter(trx: Kysely<Database>, key: string, counter: Counter, at: number): Promise<void> {
  // Every attempt touches its address's row: one per address and login that ever logged in would
  // pile up, so a row with nothing to remember goes.
  const idle = counter.failures === 0 && counter.pending === 0 && (counter.blockedUntil ?? 0) <= at;
  if (idle) {
    await trx.deleteFrom('login_throttle').where('key', '=', key).execute();
    return;
  }
  await trx
    .updateTable('login_throttle')
    .set({
      failures: counter.failures,
      pending: counter.pending,
      last_failure_at: new Date(counter.lastFailureAt).toISOString(),
      blocked_until: counter.blockedUntil === null ? null : new Date(counter.blockedUntil).toISOString(),
      reserved_until: counter.reservedUntil === null ? null : new Date(counter.reservedUntil).toISOString(),
      burst: counter.burst ? 1 : 0,
    })
    .where('key', '=', key)
    .execute();
}
