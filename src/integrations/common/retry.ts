/**
 * An integration job's retries: attempts, the first pause (doubling from there, up to ten
 * minutes) and the lease. The first pause can be shortened through an environment variable
 * (`BITRIX24_RETRY_BASE_MS`, `ERP_RETRY_BASE_MS`) so the tests' retried jobs come back in
 * milliseconds; the lease is renewed while a run lasts, so a killed worker gives its job back
 * within it.
 */
export function jobRetry(envVariable: string, defaults: { maxAttempts: number; baseDelayMs: number; leaseMs: number }) {
  const raw = process.env[envVariable];
  const base = raw ? Number(raw) : Number.NaN;
  return {
    maxAttempts: defaults.maxAttempts,
    backoff: { baseDelayMs: Number.isFinite(base) && base >= 0 && base <= 60_000 ? base : defaults.baseDelayMs, maxDelayMs: 10 * 60_000 },
    leaseMs: defaults.leaseMs,
  } as const;
}
