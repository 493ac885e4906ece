import { RestError } from './errors.js';

export interface RateLimitSettings {
  enabled: boolean;
  /** Drain per second (Y): 2 on ordinary plans, 5 on Enterprise. */
  drainPerSecond: number;
  /** Threshold (X): 50 on ordinary plans, 250 on Enterprise. */
  burst: number;
}

export interface OperatingLimitSettings {
  enabled: boolean;
  /** Method time allowed per window; the cloud's documented example is 480 s. */
  limitSeconds: number;
  /** The real window is 10 minutes; tests shorten it so they need not wait. */
  windowSeconds: number;
}

/**
 * The portal's leaky bucket, one per source address: each HTTP request (a whole batch counts
 * once) adds 1, the level drains continuously, and a request that would push it past the
 * threshold is refused before it runs.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { level: number; atMs: number }>();
  /**
   * REST requests that reached the limiter (a batch is one), those refused with
   * QUERY_LIMIT_EXCEEDED, and the admitted ones by their top-level method (`batch`, `crm.deal.list`…).
   */
  readonly counts = { requests: 0, refused: 0, byMethod: {} as Record<string, number> };

  constructor(public settings: RateLimitSettings) {}

  admit(source: string, nowMs = Date.now()): void {
    this.counts.requests += 1;
    if (!this.settings.enabled) return;
    const bucket = this.buckets.get(source) ?? { level: 0, atMs: nowMs };
    bucket.level = Math.max(0, bucket.level - ((nowMs - bucket.atMs) / 1000) * this.settings.drainPerSecond);
    bucket.atMs = nowMs;
    this.buckets.set(source, bucket);
    if (bucket.level + 1 > this.settings.burst) {
      this.counts.refused += 1;
      throw new RestError(503, 'QUERY_LIMIT_EXCEEDED', 'Too many requests');
    }
    bucket.level += 1;
  }

  reset(): void {
    this.buckets.clear();
    this.counts.requests = 0;
    this.counts.refused = 0;
    this.counts.byMethod = {};
  }

  /** Counts an admitted request under its method, once the method is known. */
  noteMethod(method: string): void {
    this.counts.byMethod[method] = (this.counts.byMethod[method] ?? 0) + 1;
  }
}

const BUCKETS_PER_WINDOW = 10;

/**
 * Execution time per method and webhook, kept in ten buckets spanning the window (one minute
 * each on the cloud). Once the sum passes the limit the next call of that method is refused
 * with 429 until old buckets fall out of the window. Buckets are keyed by their start time, so
 * the window can be changed at run time without losing what was spent.
 */
export class OperatingLimiter {
  private readonly spent = new Map<string, Map<number, number>>();

  constructor(public settings: OperatingLimitSettings) {}

  private bucketMs(): number {
    return (this.settings.windowSeconds * 1000) / BUCKETS_PER_WINDOW;
  }

  private live(key: string, nowMs: number): Map<number, number> {
    const buckets = this.spent.get(key) ?? new Map<number, number>();
    this.spent.set(key, buckets);
    const windowStart = nowMs - this.settings.windowSeconds * 1000;
    for (const startMs of buckets.keys()) if (startMs + this.bucketMs() <= windowStart) buckets.delete(startMs);
    return buckets;
  }

  check(key: string, nowMs = Date.now()): void {
    if (!this.settings.enabled) return;
    if (this.usage(key, nowMs).operatingSeconds > this.settings.limitSeconds) {
      throw new RestError(429, 'OPERATION_TIME_LIMIT', 'Method is blocked due to operation time limit.');
    }
  }

  record(key: string, seconds: number, nowMs = Date.now()): void {
    if (!this.settings.enabled) return;
    const buckets = this.live(key, nowMs);
    const startMs = Math.floor(nowMs / this.bucketMs()) * this.bucketMs();
    buckets.set(startMs, (buckets.get(startMs) ?? 0) + seconds);
  }

  usage(key: string, nowMs = Date.now()): { operatingSeconds: number; resetAt: number } {
    const buckets = this.live(key, nowMs);
    let total = 0;
    let oldest = Math.floor(nowMs / this.bucketMs()) * this.bucketMs();
    for (const [startMs, seconds] of buckets) {
      total += seconds;
      oldest = Math.min(oldest, startMs);
    }
    const resetAtMs = oldest + this.bucketMs() + this.settings.windowSeconds * 1000;
    return { operatingSeconds: Math.round(total * 1e6) / 1e6, resetAt: Math.ceil(resetAtMs / 1000) };
  }

  reset(): void {
    this.spent.clear();
  }
}
