import { DomainError } from '../domain/errors.js';
import { redactText } from '../domain/redaction.js';

/**
 * The job runner's error model: an error decides whether it is worth retrying through a
 * `retryable` flag, never through its class name or message. Any error object with
 * `retryable: false` (an integration's own error class, say) is dead-lettered at once;
 * everything else, including plain `Error`s and non-errors thrown, is retried.
 */
export class JobError extends Error {
  readonly retryable: boolean;
  /** Wait at least this long before the next attempt (e.g. a rate limit's Retry-After). */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: { retryable?: boolean; retryAfterMs?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'JobError';
    this.retryable = options.retryable ?? true;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** Thrown by a handler when another attempt cannot help (bad payload, entity gone, 4xx): dead at once. */
export class PermanentJobError extends JobError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, retryable: false });
    this.name = 'PermanentJobError';
  }
}

/** Enqueueing a name with no definition: a programming error, so the caller's transaction fails. */
export class UnknownJobError extends Error {
  constructor(name: string, known: readonly string[]) {
    super(`unknown job "${name}"; defined jobs: ${known.length ? known.join(', ') : '(none)'}`);
    this.name = 'UnknownJobError';
  }
}

/**
 * A payload that does not match its job's schema: at enqueue a programming error (the caller's
 * transaction fails), at claim a job no attempt can help (it goes dead with this message).
 */
export class InvalidJobPayloadError extends Error {
  readonly retryable = false;

  constructor(
    readonly jobName: string,
    readonly problems: readonly string[],
  ) {
    super(`payload of job "${jobName}" does not match its schema: ${problems.join('; ')}`);
    this.name = 'InvalidJobPayloadError';
  }
}

/** A run took longer than its job's `maxRunMs`; it was aborted and is retried like any failure. */
export class JobTimeoutError extends Error {
  readonly retryable = true;

  constructor(jobName: string, maxRunMs: number) {
    super(`job "${jobName}" ran longer than its limit of ${formatDuration(maxRunMs)} and was aborted`);
    this.name = 'JobTimeoutError';
  }
}

function formatDuration(ms: number): string {
  return ms % 1_000 === 0 ? `${ms / 1_000} s` : `${ms} ms`;
}

/** The worker no longer holds the job (lease expired and it may run elsewhere); nothing was completed. */
export class LeaseLostError extends Error {
  constructor(jobId: string) {
    super(`lease on job ${jobId} was lost; the job will run again elsewhere`);
    this.name = 'LeaseLostError';
  }
}

/**
 * Whether another attempt may help. An error says so through `retryable`; the core's own
 * "this record does not exist" and "this input is invalid" never get better by waiting.
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof DomainError) return error.code !== 'not_found' && error.code !== 'validation_failed';
  if (typeof error === 'object' && error !== null && 'retryable' in error) return (error as { retryable: unknown }).retryable !== false;
  return true;
}

export function retryAfterMsOf(error: unknown): number {
  if (typeof error === 'object' && error !== null && 'retryAfterMs' in error) {
    const value = (error as { retryAfterMs: unknown }).retryAfterMs;
    if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value;
  }
  return 0;
}

/**
 * The reason stored with a failed job: the message, with the class name when it adds something.
 * Credentials an HTTP error quotes (a webhook URL, `?apikey=`, a Bearer token) are masked first:
 * managers read this on the health page and in `printsync jobs dead`.
 */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const prefix = error.name && error.name !== 'Error' ? `${error.name}: ` : '';
    const text = redactText(`${prefix}${error.message}`);
    // Keep rows small; the stack of a job error is rarely worth a page of text.
    return text.length > 2_000 ? `${text.slice(0, 2_000)}…` : text;
  }
  return redactText(String(error));
}
