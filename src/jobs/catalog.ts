import type { z } from 'zod';
import type { JobContext, JobHandler, JobRequest } from './driver.js';
import { InvalidJobPayloadError, UnknownJobError } from './errors.js';
import { resolveRetryPolicy } from './retry-policy.js';
import type { RetryPolicy } from './retry-policy.js';

// Dotted lower-camel segments (`bitrix24.exportOrder`); pg-boss queue names allow `.` too.
const JOB_NAME = /^[a-z][a-zA-Z0-9]*(\.[a-z][a-zA-Z0-9]*)*$/;

/** A job's payload: a plain JSON object, checked by the job's schema when enqueued and when claimed. */
export type JobPayload = Record<string, unknown>;

export interface JobDefinition<TPayload extends JobPayload = JobPayload> {
  readonly name: string;
  /** What a payload must look like; a request that does not match is refused at enqueue. */
  readonly payload: z.ZodType<TPayload>;
  readonly retry: RetryPolicy;
  /** How long a worker holds the job before others may take it; renewed while the handler runs. */
  readonly leaseMs: number;
  /**
   * The longest one run may take. Past it the run's `signal` is aborted, the attempt counts as
   * failed (retried by the policy) and the worker's slot is free for other jobs at once.
   */
  readonly maxRunMs: number;
  // Methods, not function-typed properties: a list of jobs with different payloads is then a
  // plain `JobDefinition[]` (method parameters are compared bivariantly).
  handler(payload: TPayload, ctx: JobContext): Promise<void>;
  /** Builds a request for this job, typed by its payload. */
  request(payload: TPayload, options?: { key?: string; runAt?: Date }): JobRequest;
}

export interface DefineJobOptions<TPayload extends JobPayload> {
  name: string;
  /** zod schema of the payload (e.g. `z.object({ orderId: z.number().int() })`). */
  payload: z.ZodType<TPayload>;
  handler: JobHandler<TPayload>;
  /** @default 10 */
  maxAttempts?: number;
  /** Backoff shape; see `RetryPolicy` for the defaults. */
  backoff?: Partial<Omit<RetryPolicy, 'maxAttempts'>>;
  /** @default 60_000 */
  leaseMs?: number;
  /** @default 300_000 (five minutes) */
  maxRunMs?: number;
}

export const DEFAULT_LEASE_MS = 60_000;
export const DEFAULT_MAX_RUN_MS = 300_000;

/**
 * Declares a job: its name, payload schema, handler, retry budget and time limits.
 *
 * @example
 * const exportOrder = defineJob({
 *   name: 'bitrix24.exportOrder',
 *   payload: z.object({ orderId: z.number().int() }),
 *   maxAttempts: 8,
 *   maxRunMs: 120_000,
 *   handler: async ({ orderId }, ctx) => {
 *     await pushDeal(orderId, { signal: ctx.signal });
 *   },
 * });
 * await queue.enqueue(trx, exportOrder.request({ orderId: 42 }, { key: 'order:42' }));
 */
export function defineJob<TPayload extends JobPayload>(options: DefineJobOptions<TPayload>): JobDefinition<TPayload> {
  if (!JOB_NAME.test(options.name)) throw new Error(`job name "${options.name}" must be dotted lowerCamel segments, e.g. bitrix24.exportOrder`);
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  // pg-boss counts expiry in whole seconds; below a second a lease would be renewed too often to matter.
  if (!Number.isFinite(leaseMs) || leaseMs < 1_000) throw new Error(`job ${options.name}: leaseMs must be ≥ 1_000`);
  const maxRunMs = options.maxRunMs ?? DEFAULT_MAX_RUN_MS;
  if (!Number.isFinite(maxRunMs) || maxRunMs < 10) throw new Error(`job ${options.name}: maxRunMs must be ≥ 10`);
  if (!options.payload || typeof options.payload.safeParse !== 'function') throw new Error(`job ${options.name}: payload must be a zod schema`);
  return {
    name: options.name,
    payload: options.payload,
    retry: resolveRetryPolicy({ ...options.backoff, ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }) }),
    leaseMs,
    maxRunMs,
    handler: options.handler,
    request: (payload, requestOptions = {}) => ({ name: options.name, payload, ...requestOptions }),
  };
}

/**
 * Checks a payload against its job's schema. Returns the parsed value (what the handler gets);
 * throws `InvalidJobPayloadError` naming the fields at fault.
 */
export function parseJobPayload<TPayload extends JobPayload>(definition: JobDefinition<TPayload>, payload: unknown): TPayload {
  const parsed = definition.payload.safeParse(payload);
  if (parsed.success) return parsed.data;
  throw new InvalidJobPayloadError(
    definition.name,
    parsed.error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(payload)'}: ${issue.message}`),
  );
}

/** Every job this deployment knows, by name. Both the enqueuing and the working side need it. */
export class JobCatalog {
  readonly #byName = new Map<string, JobDefinition>();

  constructor(definitions: readonly JobDefinition[] = []) {
    for (const definition of definitions) this.add(definition);
  }

  add(definition: JobDefinition): this {
    if (this.#byName.has(definition.name)) throw new Error(`job "${definition.name}" is defined twice`);
    this.#byName.set(definition.name, definition);
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
