import { describe, expect, it } from 'vitest';
import { JobError, PermanentJobError } from '../../src/jobs/errors.js';
import { backoffDelayMs, decideAfterFailure, resolveRetryPolicy } from '../../src/jobs/retry-policy.js';

const policy = resolveRetryPolicy({ maxAttempts: 5, baseDelayMs: 1_000, factor: 2, maxDelayMs: 6_000 });

describe('retry policy', () => {
  it('grows exponentially, jitters within the upper half of each step, and caps', () => {
    const low = () => 0;
    const high = () => 0.999_999;
    expect([1, 2, 3, 4, 5].map((a) => backoffDelayMs(a, policy, low))).toEqual([500, 1_000, 2_000, 3_000, 3_000]);
    expect([1, 2, 3, 4, 5].map((a) => backoffDelayMs(a, policy, high))).toEqual([1_000, 2_000, 4_000, 6_000, 6_000]);
    expect(backoffDelayMs(2, policy, () => 0.5)).toBe(1_500);
  });

  it('retries ordinary errors until the budget is spent, then goes dead with the reason', () => {
    expect(decideAfterFailure(new Error('timeout'), 1, policy, () => 0)).toEqual({ kind: 'retry', delayMs: 500, reason: 'timeout' });
    expect(decideAfterFailure(new Error('timeout'), 4, policy, () => 0)).toMatchObject({ kind: 'retry' });
    expect(decideAfterFailure(new Error('timeout'), 5, policy, () => 0)).toEqual({ kind: 'dead', reason: 'gave up after 5 attempts: timeout' });
    expect(decideAfterFailure('a string', 1, policy, () => 0)).toMatchObject({ kind: 'retry', reason: 'a string' });
  });

  it('sends errors that are not retryable to the dead letters at once', () => {
    expect(decideAfterFailure(new PermanentJobError('bad INN'), 1, policy)).toEqual({ kind: 'dead', reason: 'permanent error: PermanentJobError: bad INN' });
    expect(decideAfterFailure(Object.assign(new Error('403'), { retryable: false }), 1, policy)).toMatchObject({ kind: 'dead' });
    expect(decideAfterFailure(new JobError('flaky', { retryable: true }), 1, policy, () => 0)).toMatchObject({ kind: 'retry' });
  });

  it('waits at least as long as the error asks', () => {
    expect(decideAfterFailure(new JobError('429', { retryAfterMs: 30_000 }), 1, policy, () => 0)).toMatchObject({ kind: 'retry', delayMs: 30_000 });
  });

  it('has sane defaults and rejects nonsense', () => {
    expect(resolveRetryPolicy()).toEqual({ maxAttempts: 10, baseDelayMs: 5_000, factor: 2, maxDelayMs: 3_600_000 });
    expect(() => resolveRetryPolicy({ maxAttempts: 0 })).toThrow(/maxAttempts/);
    expect(() => resolveRetryPolicy({ baseDelayMs: 10, maxDelayMs: 5 })).toThrow(/maxDelayMs/);
  });
});
