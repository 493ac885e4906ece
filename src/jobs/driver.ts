import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/** A job as handed to the queue. */
export interface JobRequest {
  /** Dotted job name, e.g. `bitrix24.exportOrder`; one handler per name. */
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

export type JobState = 'pending' | 'active' | 'completed' | 'dead';

export interface JobView {
  id: string;
  name: string;
  key: string | null;
  state: JobState;
  payload: Record<string, unknown>;
  attempts: number;
  maxAttempts: number;
  runAt: string;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface JobContext {
  jobId: string;
  attempt: number;
  /** Aborted when the lease is lost or the worker stops; long handlers should pass it on. */
  signal: AbortSignal;
}

export type JobHandler = (payload: Record<string, unknown>, ctx: JobContext) => Promise<void>;

export interface JobQueueDriver {
  readonly kind: 'sqlite' | 'pg-boss';
  /**
   * Adds a job inside the caller's transaction (the outbox): the job exists if and only if the
   * change that caused it commits. Returns the new job id, or null when it collapsed into a
   * pending job with the same key.
   */
  enqueue(trx: Kysely<Database>, job: JobRequest): Promise<string | null>;
}
