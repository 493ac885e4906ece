import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/** A job as handed to the queue. */
export interface JobRequest {
  /** Dotted job name, e.g. `bitrix24.exportOrder`; one definition (and handler) per name. */
  name: string;
  payload: Record<string, unknown>;
  /**
   * Collapse key: while a job with the same name and key is still waiting to run, enqueueing
   * another one adds nothing (the handler reads the current state when it runs). A job that is
   * already running does not absorb new ones, so the last change is never lost.
   */
  key?: string;
  /** Earliest start; defaults to now. */
  runAt?: Date;
}

/**
 * - `pending`: waiting for its first run (or replayed); the only state that absorbs collapsing jobs;
 * - `retrying`: failed at least once and waits for its backoff to pass;
 * - `active`: held by a worker under a lease;
 * - `completed`: done;
 * - `dead`: retry budget spent or a permanent error; waits for an admin to replay it.
 */
export type JobState = 'pending' | 'retrying' | 'active' | 'completed' | 'dead';
export const JOB_STATES: readonly JobState[] = ['pending', 'retrying', 'active', 'completed', 'dead'];

export interface JobView {
  id: string;
  name: string;
  key: string | null;
  state: JobState;
  payload: Record<string, unknown>;
  /** Runs started so far (a run cut short by a crash counts). */
  attempts: number;
  maxAttempts: number;
  /** When it may run next (pending/retrying), or when it last became runnable. */
  runAt: string;
  /** The reason of the last failure; for a dead job, why it is dead. */
  lastError: string | null;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  /** When the last failure happened (retrying or dead). */
  failedAt: string | null;
}

export interface JobListFilter {
  state?: JobState;
  name?: string;
  /** Default 50; newest first. */
  limit?: number;
}

/** Counts for one job name; what a health page shows. */
export interface JobNameStats {
  name: string;
  pending: number;
  retrying: number;
  active: number;
  completed: number;
  dead: number;
}

/** One hour of the "completed / failed per hour" chart. */
export interface JobThroughputBucket {
  /** Start of the hour, ISO 8601 UTC (`2026-11-28T10:00:00.000Z`). */
  hour: string;
  completed: number;
  /** Jobs that went dead in that hour. */
  dead: number;
}

export interface JobContext {
  jobId: string;
  name: string;
  /** 1 on the first run. */
  attempt: number;
  maxAttempts: number;
  /**
   * Aborted when the lease is lost, the run exceeds its job's `maxRunMs`, or the worker stops;
   * handlers pass it to every call that may take long (HTTP, batches).
   */
  signal: AbortSignal;
  /**
   * Runs `effect` and marks this job completed in one database transaction, and only if this
   * worker still holds the job's lease (otherwise the transaction rolls back and the run ends
   * with a `LeaseLostError`). A database-local side effect made this way happens exactly once,
   * even if the worker is killed at any point. Call it at most once, as the handler's last step.
   * Inside `effect`, use only `trx`: on SQLite the one connection is held by the transaction,
   * so a query through the outer database handle would wait forever.
   */
  completeWith(effect: (trx: Kysely<Database>) => Promise<void>): Promise<void>;
}

export type JobHandler<TPayload = Record<string, unknown>> = (payload: TPayload, ctx: JobContext) => Promise<void>;

/** The part of the queue the outbox needs: adding jobs inside the caller's transaction. */
export interface JobQueueDriver {
  readonly kind: 'sqlite' | 'pg-boss';
  /**
   * Adds a job inside the caller's transaction (the outbox): the job exists if and only if the
   * change that caused it commits. Returns the new job id, or null when it collapsed into a
   * pending job with the same key. Throws `UnknownJobError` for a name with no definition.
   */
  enqueue(trx: Kysely<Database>, job: JobRequest): Promise<string | null>;
  /** Whether a job of this name and collapse key is pending, retrying or running (through `db`). */
  hasUnfinished(db: Kysely<Database>, name: string, key: string): Promise<boolean>;
}

export interface WorkerOptions {
  /** Handlers running at once in this process, over all job names. @default 4 */
  concurrency?: number;
  /** Pause between polls when there was nothing to claim. @default 1_000 */
  pollIntervalMs?: number;
  /**
   * Names of jobs not to claim right now, asked before every claim: the jobs of an integration
   * whose credentials were refused wait, untouched, until an administrator fixes its settings.
   */
  paused?: () => Promise<ReadonlySet<string>>;
}

export interface StopOptions {
  /** How long to wait for running handlers before aborting them; their leases then expire. @default 30_000 */
  timeoutMs?: number;
}

/** The whole queue: what `serve`, `worker`, the admin panel and `printsync jobs` use. */
export interface JobQueue extends JobQueueDriver {
  /** Starts working every job defined in the catalog in this process. */
  start(options?: WorkerOptions): Promise<void>;
  /** Stops claiming, waits (bounded) for running handlers. Safe to call twice. */
  stop(options?: StopOptions): Promise<void>;
  list(filter?: JobListFilter): Promise<JobView[]>;
  get(id: string): Promise<JobView | null>;
  /** A dead job goes back to pending with a fresh retry budget; false if it is not dead or unknown. */
  replay(id: string): Promise<boolean>;
  stats(): Promise<JobNameStats[]>;
  /** Completed and dead jobs per hour over the last `hours` hours (only hours with any). */
  throughput(hours: number): Promise<JobThroughputBucket[]>;
  /** Stops the worker and releases what the driver opened (never the caller's database handle). */
  close(): Promise<void>;
}
