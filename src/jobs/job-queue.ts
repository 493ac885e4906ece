import type { Kysely } from 'kysely';
import type { DatabaseHandle } from '../db/connection.js';
import type { Database } from '../db/schema.js';
import { JobCatalog, parseJobPayload } from './catalog.js';
import type { JobDefinition } from './catalog.js';
import type { JobListFilter, JobNameStats, JobQueue, JobRequest, JobThroughputBucket, JobView, StopOptions, WorkerOptions } from './driver.js';
import { JobRunner, silentLogger } from './job-runner.js';
import type { JobLogger } from './job-runner.js';
import type { JobStore } from './job-store.js';
import { PgBossJobStore } from './pgboss.driver.js';
import type { PgBossDriverOptions } from './pgboss.driver.js';
import { SqliteJobStore } from './sqlite.driver.js';

export interface JobQueueOptions {
  /** The jobs this process may enqueue and work. Enqueueing any other name throws. */
  catalog?: JobCatalog | readonly JobDefinition[];
  /** A pino logger (or anything with the same four methods). */
  logger?: JobLogger;
  /** pg-boss tuning; ignored on SQLite. */
  pgBoss?: PgBossDriverOptions;
  /** Jitter source for backoff; tests pass a fixed one. @default Math.random */
  random?: () => number;
  /** Job names not to claim right now (see `WorkerOptions.paused`); applies to every `start`. */
  paused?: WorkerOptions['paused'];
}

/**
 * Opens the job queue for a database: the embedded SQLite driver for `sqlite:` URLs,
 * pg-boss for PostgreSQL. Run migrations first. The queue never closes `handle`.
 */
export async function createJobQueue(handle: DatabaseHandle, options: JobQueueOptions = {}): Promise<JobQueue> {
  const catalog = options.catalog instanceof JobCatalog ? options.catalog : new JobCatalog(options.catalog ?? []);
  const logger = options.logger ?? silentLogger;
  let store: JobStore;
  if (handle.dialect === 'sqlite') {
    store = new SqliteJobStore(handle.db);
  } else {
    if (!handle.postgresUrl) throw new Error('the pg-boss job queue needs a PostgreSQL connection string');
    store = await PgBossJobStore.open(handle.postgresUrl, handle.db, catalog.names, options.pgBoss ?? {}, logger);
  }
  logger.info({ driver: store.kind, database: handle.displayUrl, jobs: catalog.names }, `job queue: ${store.kind} driver`);
  return new StoreBackedJobQueue(store, handle.db, catalog, logger, options.random ?? Math.random, options.paused);
}

class StoreBackedJobQueue implements JobQueue {
  readonly kind: JobQueue['kind'];
  readonly #runner: JobRunner;
  #closed = false;

  constructor(
    private readonly store: JobStore,
    db: Kysely<Database>,
    private readonly catalog: JobCatalog,
    private readonly logger: JobLogger,
    random: () => number,
    private readonly paused: WorkerOptions['paused'],
  ) {
    this.kind = store.kind;
    this.#runner = new JobRunner(store, db, catalog, logger, random);
  }

  async enqueue(trx: Kysely<Database>, job: JobRequest): Promise<string | null> {
    const definition = this.catalog.require(job.name);
    // A payload the handler could not read is refused here, failing the caller's transaction,
    // rather than dying at claim long after whoever wrote it has gone.
    parseJobPayload(definition, job.payload);
    const id = await this.store.enqueue(trx, job, {
      maxAttempts: definition.retry.maxAttempts,
      leaseMs: definition.leaseMs,
      baseDelayMs: definition.retry.baseDelayMs,
    });
    // A worker in this process takes it at once (its claim waits for the connection the enqueuing
    // transaction holds, so it sees the job once that commits). A store that tells every process
    // itself, after the commit (PostgreSQL), needs no nudge from here.
    if (!this.store.watch && (!job.runAt || job.runAt.getTime() <= Date.now())) this.#runner.nudge();
    return id;
  }

  hasUnfinished(db: Kysely<Database>, name: string, key: string): Promise<boolean> {
    return this.store.hasUnfinished(db, name, key);
  }

  async start(options?: WorkerOptions): Promise<void> {
    if (this.#closed) throw new Error('job queue is closed');
    this.#runner.start({ ...(this.paused && { paused: this.paused }), ...options });
    this.logger.info({ driver: this.kind, concurrency: options?.concurrency ?? 4 }, 'job worker started');
  }

  stop(options?: StopOptions): Promise<void> {
    return this.#runner.stop(options);
  }

  list(filter: JobListFilter = {}): Promise<JobView[]> {
    return this.store.list(filter);
  }

  get(id: string): Promise<JobView | null> {
    return this.store.get(id);
  }

  async replay(id: string): Promise<boolean> {
    const job = await this.store.get(id);
    if (!job || job.state !== 'dead') return false;
    // A fresh budget from the current definition, when this process knows it.
    return this.store.replay(id, this.catalog.find(job.name)?.retry.maxAttempts);
  }

  stats(): Promise<JobNameStats[]> {
    return this.store.stats();
  }

  throughput(hours: number): Promise<JobThroughputBucket[]> {
    return this.store.throughput(hours);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#runner.stop();
    await this.store.close();
  }
}
