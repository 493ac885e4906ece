import { describeError, isRetryable, retryAfterMsOf } from './errors.js';

/** How a job definition retries. Every field has a default, so `{}` is a valid policy. */
export interface RetryPolicy {
  /** Runs in total, the first included, before the job goes dead. @default 10 */
  maxAttempts: number;
  /** Delay before the second attempt, before jitter. @default 5_000 */
  baseDelayMs: number;
  /** Growth per attempt. @default 2 */
  factor: number;
  /** Upper bound of any delay. @default 3_600_000 (one hour) */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 10,
  baseDelayMs: 5_000,
  factor: 2,
  maxDelayMs: 3_600_000,
};

export function resolveRetryPolicy(partial: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy = { ...DEFAULT_RETRY_POLICY, ...partial };
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) throw new Error(`retry policy: maxAttempts must be an integer ≥ 1, got ${policy.maxAttempts}`);
  if (!(policy.baseDelayMs >= 0) || !(policy.maxDelayMs >= policy.baseDelayMs)) throw new Error('retry policy: need 0 ≤ baseDelayMs ≤ maxDelayMs');
  if (!(policy.factor >= 1)) throw new Error('retry policy: factor must be ≥ 1');
  return policy;
}

/**
 * Delay after the given failed attempt (1-based): exponential, capped, with "equal jitter" —
 * half of the step is fixed and half random, so retries of many jobs that failed together
 * (a CRM outage) spread out, yet no retry comes sooner than half its step.
 * `random` returns a number in [0, 1), like Math.random; tests pass a fixed one.
 */
export function backoffDelayMs(failedAttempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const exponent = Math.max(0, failedAttempt - 1);
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * policy.factor ** exponent);
  const half = step / 2;
  return Math.round(half + half * random());
}

export type FailureDecision =
  | { kind: 'retry'; delayMs: number; reason: string }
  | { kind: 'dead'; reason: string };

/** What happens to a job whose run `attempt` (1-based) threw `error`. The same for every driver. */
export function decideAfterFailure(error: unknown, attempt: number, policy: RetryPolicy, random: () => number = Math.random): FailureDecision {
  const reason = describeError(error);
  if (!isRetryable(error)) return { kind: 'dead', reason: `permanent error: ${reason}` };
  if (attempt >= policy.maxAttempts) return { kind: 'dead', reason: `gave up after ${attempt} attempts: ${reason}` };
  const delayMs = Math.max(backoffDelayMs(attempt, policy, random), retryAfterMsOf(error));
  return { kind: 'retry', delayMs, reason };
}
