/**
 * One error model for every integration. A transport turns whatever went wrong — a refused
 * connection, an HTTP status, a vendor's error code — into an `IntegrationError` with a
 * `failure` kind, and the kind alone decides what happens next:
 *
 * | failure          | retried?                          | the integration                       |
 * |------------------|-----------------------------------|---------------------------------------|
 * | `unreachable`    | yes, with backoff                 | keeps working                         |
 * | `server`         | yes, with backoff                 | keeps working                         |
 * | `rate_limited`   | yes, not before `retryAfterMs`    | keeps working                         |
 * | `aborted`        | yes (we gave up: stop, time limit)| keeps working                         |
 * | `credentials`    | no                                | parked until its settings are fixed   |
 * | `permission`     | no                                | parked until its settings are fixed   |
 * | `misconfigured`  | no                                | parked until its settings are fixed   |
 * | `rejected`       | no: this entity's data was refused| keeps working; the job is dead        |
 * | `not_found`      | no: the object is gone there      | keeps working; the job is dead        |
 *
 * "Parked" means the integration's jobs wait, untouched, and the settings page and the sync
 * health page say why, until an administrator saves its settings (or resumes it).
 */
export type IntegrationFailure =
  /** Nothing answered: refused connection, DNS, TLS, timeout. */
  | 'unreachable'
  /** The system answered with a server error (5xx). */
  | 'server'
  /** Too many requests, or an operating-time budget spent: wait and repeat. */
  | 'rate_limited'
  /** Our side gave up on the call (the worker stopped, the job's time limit passed). */
  | 'aborted'
  /** The key, token or webhook code was refused. */
  | 'credentials'
  /** Accepted, but not allowed to do this (a missing scope or right). */
  | 'permission'
  /** The address answers, but it is not that system (a web page, a redirect, a plan without API). */
  | 'misconfigured'
  /** The system refused the data we sent (validation): sending it again will not help. */
  | 'rejected'
  /** The object we asked about does not exist there (any more). */
  | 'not_found';

const RETRYABLE: ReadonlySet<IntegrationFailure> = new Set(['unreachable', 'server', 'rate_limited', 'aborted']);
const PARKING: ReadonlySet<IntegrationFailure> = new Set(['credentials', 'permission', 'misconfigured']);

export interface IntegrationErrorOptions {
  /** The other side said when to come back (`Retry-After`, a limit's reset). */
  retryAfterMs?: number | undefined;
  /** HTTP status, when there was an answer. */
  status?: number | null | undefined;
  /** The vendor's own error code (`QUERY_LIMIT_EXCEEDED`, `ERP_TEMPLATE_NOT_FOUND`). */
  code?: string | null | undefined;
  cause?: unknown;
}

/**
 * An integration's error. The message is for people (Russian, secrets already masked: build it
 * from the answer, never from the request URL). Subclass it per integration to keep a finer
 * vendor-specific reason next to the common `failure`.
 */
export class IntegrationError extends Error {
  readonly retryAfterMs: number | undefined;
  readonly status: number | null;
  readonly code: string | null;

  constructor(
    /** The integration's name, e.g. `bitrix24`. */
    readonly integration: string,
    readonly failure: IntegrationFailure,
    message: string,
    options: IntegrationErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'IntegrationError';
    this.retryAfterMs = options.retryAfterMs;
    this.status = options.status ?? null;
    this.code = options.code ?? null;
  }

  /** Read by the job runner: only transient failures are worth another attempt. */
  get retryable(): boolean {
    return RETRYABLE.has(this.failure);
  }

  /** Whether the integration must stop until an administrator acts (its credentials are wrong). */
  get parks(): boolean {
    return PARKING.has(this.failure);
  }
}

/** Any error that says it parks its integration: an `IntegrationError`, or another class with `parks: true`. */
export function parksIntegration(error: unknown): error is { parks: true; message: string; failure?: IntegrationFailure } {
  return typeof error === 'object' && error !== null && (error as { parks?: unknown }).parks === true;
}
