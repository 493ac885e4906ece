import type { JobHandler, JobRequest } from './driver.js';
import { UnknownJobError } from './errors.js';
import { resolveRetryPolicy } from './retry-policy.js';
import type { RetryPolicy } from './retry-policy.js';

// Dotted lower-camel segments (`bitrix24.exportOrder`); pg-boss queue names allow `.` too.
const JOB_NAME = /^[a-z][a-zA-Z0-9]*(\.[a-z][a-zA-Z0-9]*)*$/;

export interface JobDefinition<TPayload extends Record<string, unknown> = Record<string, unknown>> {
  readonly name: string;
  readonly retry: RetryPolicy;
  /** How long a worker holds the job before others may take it; renewed while the handler runs. */
  readonly leaseMs: number;
  readonly handler: JobHandler<TPayload>;
  /** Builds a request for this job, typed by its payload. */
  request(payload: TPayload, options?: { key?: string; runAt?: Date }): JobRequest;
}

export interface DefineJobOptions<TPayload extends Record<string, unknown>> {
  name: string;
  handler: JobHandler<TPayload>;
  /** @default 10 */
  maxAttempts?: number;
  /** Backoff shape; see `RetryPolicy` for the defaults. */
  backoff?: Partial<Omit<RetryPolicy, 'maxAttempts'>>;
  /** @default 60_000 */
  leaseMs?: number;
}

export const DEFAULT_LEASE_MS = 60_000;

/**
 * Declares a job: its name, handler and retry budget.
 *
 * @example
 * const exportOrder = defineJob<{ orderId: number }>({
 *   name: 'bitrix24.exportOrder',
 *   maxAttempts: 8,
 *   handler: async ({ orderId }, ctx) => {
 *     if (!order) throw new PermanentJobError(`order ${orderId} is gone`);
 *     await pushDeal(order, { signal: ctx.signal });
 *   },
 * });
 * await queue.enqueue(trx, exportOrder.request({ orderId: 42 }, { key: 'order:42' }));
 */
export function defineJob<TPayload extends Record<string, unknown> = Record<string, unknown>>(
  options: DefineJobOptions<TPayload>,
): JobDefinition<TPayload> {
  if (!JOB_NAME.test(options.name)) throw new Error(`job name "${options.name}" must be dotted lowerCamel segments, e.g. bitrix24.exportOrder`);
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  // pg-boss counts expiry in whole seconds; below a second a lease would be renewed too often to matter.
  if (!Number.isFinite(leaseMs) || leaseMs < 1_000) throw new Error(`job ${options.name}: leaseMs must be ≥ 1_000`);
  return {
    name: options.name,
    retry: resolveRetryPolicy({ ...options.backoff, ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }) }),
    leaseMs,
    handler: options.handler,
    request: (payload, requestOptions = {}) => ({ name: options.name, payload, ...requestOptions }),
  };
}

/** Every job this deployment knows, by name. Both the enqueuing and the working side need it. */
export class JobCatalog {
  readonly #byName = new Map<string, JobDefinition>();

  constructor(definitions: readonly JobDefinition<never>[] = []) {
    for (const definition of definitions) this.add(definition);
  }

  add(definition: JobDefinition<never>): this {
    if (this.#byName.has(definition.name)) throw new Error(`job "${definition.name}" is defined twice`);
    // The catalog stores handlers type-erased; payloads are checked where requests are built.
    this.#byName.set(definition.name, definition as unknown as JobDefinition);
    return this;
  }

  get names(): string[] {
    return [...this.#byName.keys()];
  }

  find(name: string): JobDefinition | undefined {
    return this.#byName.get(name);
  }

  require(name: string): JobDefinition {
    const definition = this.#byName.get(name);
    if (!definition) throw new UnknownJobError(name, this.names);
    return definition;
  }
}
