import type { SharedRateBucket } from '../../../store/rate-bucket.js';
import { Bitrix24Error } from './client.js';
import type { Pacing, PortalTime } from './client.js';

export interface OperatingBudgetOptions {
  /** Seconds of method time the portal allows per window (the cloud's documented 480 of 600). @default 480 */
  limitSeconds?: number;
  /** Stop calling a method once this share of its budget is spent. @default 0.9 */
  reserve?: number;
  /** How long a method refused for its budget waits when the portal gave no reset time. @default 60_000 */
  blockedMs?: number;
  now?: () => number;
}

/**
 * How a portal's limits are respected, for every request of this process:
 * - the rate: one slot of the shared leaky bucket (the database's, so other processes count too);
 *   a `QUERY_LIMIT_EXCEEDED` fills it, so every process slows down;
 * - the operating time: each single call's answer says how much of its method's 10-minute budget
 *   is spent (`time.operating`) and when it frees (`operating_reset_at`); a method near its limit,
 *   or refused with `OPERATION_TIME_LIMIT`, is not called again before then. The work that needs it
 *   fails with a `limit` error saying when to come back, and the job runner waits that long.
 */
export class PortalPacing implements Pacing {
  readonly #blockedUntil = new Map<string, number>();
  readonly #lastReset = new Map<string, number>();
  readonly #limitSeconds: number;
  readonly #reserve: number;
  readonly #blockedMs: number;
  readonly #now: () => number;

  constructor(
    private readonly bucket: SharedRateBucket | null,
    options: OperatingBudgetOptions = {},
  ) {
    this.#limitSeconds = options.limitSeconds ?? 480;
    this.#reserve = options.reserve ?? 0.9;
    this.#blockedMs = options.blockedMs ?? 60_000;
    this.#now = options.now ?? Date.now;
  }

  async before(methods: readonly string[], signal?: AbortSignal): Promise<void> {
    const now = this.#now();
    for (const method of methods) {
      const until = this.#blockedUntil.get(method);
      if (until === undefined) continue;
      if (until <= now) {
        this.#blockedUntil.delete(method);
        continue;
      }
      throw new Bitrix24Error(
        'limit',
        `метод ${method} исчерпал лимит времени выполнения Битрикс24 (OPERATION_TIME_LIMIT); продолжим через ${Math.ceil((until - now) / 1000)} с`,
        'OPERATION_TIME_LIMIT',
        null,
        until - now,
      );
    }
    await this.bucket?.take(signal);
  }

  answered(method: string, time: PortalTime | undefined): void {
    if (!time) return;
    const resetAtMs = typeof time.operating_reset_at === 'number' ? time.operating_reset_at * 1000 : null;
    if (resetAtMs !== null) this.#lastReset.set(method, resetAtMs);
    if (typeof time.operating === 'number' && time.operating >= this.#limitSeconds * this.#reserve && resetAtMs !== null) {
      this.#blockedUntil.set(method, resetAtMs);
    }
  }

  async refused(code: string, methods: readonly string[]): Promise<number> {
    if (code === 'QUERY_LIMIT_EXCEEDED') {
      await this.bucket?.markFull();
      return 0;
    }
    const now = this.#now();
    let restMs = 0;
    for (const method of methods) {
      const reset = this.#lastReset.get(method);
      const until = reset !== undefined && reset > now ? reset : now + this.#blockedMs;
      this.#blockedUntil.set(method, until);
      restMs = Math.max(restMs, until - now);
    }
    return restMs;
  }

  /** Methods resting until their budget frees, and until when (ms since the epoch). */
  blocked(): Map<string, number> {
    return new Map(this.#blockedUntil);
  }
}
