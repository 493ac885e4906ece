import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { JobListFilter, JobNameStats, JobRequest, JobThroughputBucket, JobView } from './driver.js';

/** A job a worker holds. `token` fences its lease: a completion from an older holder matches nothing. */
export interface ClaimedJob {
  id: string;
  name: string;
  payload: Record<string, unknown>;
  attempt: number;
  maxAttempts: number;
  token: string;
}

/** What a new job row needs besides the request; the catalog supplies it. */
export interface EnqueueDefaults {
  maxAttempts: number;
  leaseMs: number;
  /** Only pg-boss uses these, for the jobs its own expiry sweep retries (see pgboss.driver.ts). */
  baseDelayMs: number;
}

/**
 * Storage behind the queue. Each driver implements it; `JobRunner` holds the worker loop,
 * leases and retry decisions, so both drivers share one set of semantics.
 */
export interface JobStore {
  readonly kind: 'sqlite' | 'pg-boss';
  enqueue(trx: Kysely<Database>, job: JobRequest, defaults: EnqueueDefaults): Promise<string | null>;
  /** Takes up to `limit` runnable jobs among `names` under a lease of `leaseMsByName[name]`. */
  claim(names: readonly string[], limit: number, leaseMsByName: ReadonlyMap<string, number>): Promise<ClaimedJob[]>;
  /** Extends the lease; false when the job is no longer ours. */
  renew(job: ClaimedJob, leaseMs: number): Promise<boolean>;
  /** Marks the job completed through `db` (the pool or a transaction); false when it is no longer ours. */
  complete(db: Kysely<Database>, job: ClaimedJob): Promise<boolean>;
  retryLater(job: ClaimedJob, delayMs: number, reason: string): Promise<boolean>;
  bury(job: ClaimedJob, reason: string): Promise<boolean>;
  /** Whether a job of this name and key waits, retries or runs (through `db`, e.g. a transaction). */
  hasUnfinished(db: Kysely<Database>, name: string, key: string): Promise<boolean>;
  list(filter: JobListFilter): Promise<JobView[]>;
  get(id: string): Promise<JobView | null>;
  replay(id: string, maxAttempts: number | undefined): Promise<boolean>;
  stats(): Promise<JobNameStats[]>;
  throughput(hours: number): Promise<JobThroughputBucket[]>;
  /**
   * Calls `onEnqueued` whenever any process commits a job, so every worker takes it at once
   * instead of at its next poll; resolves to a function that stops watching. Absent where a
   * store cannot tell other processes (SQLite): the queue then wakes only its own worker.
   */
  watch?(onEnqueued: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
