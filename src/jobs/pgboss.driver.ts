import { randomUUID } from 'node:crypto';
import { CompiledQuery, sql } from 'kysely';
import type { Kysely, RawBuilder } from 'kysely';
import pg from 'pg';
import PgBoss from 'pg-boss';
import type { Database } from '../db/schema.js';
import type { JobListFilter, JobNameStats, JobRequest, JobState, JobThroughputBucket, JobView } from './driver.js';
import type { JobLogger } from './job-runner.js';
import type { ClaimedJob, EnqueueDefaults, JobStore } from './job-store.js';
import { emptyStats, hourBuckets } from './job-views.js';

export interface PgBossDriverOptions {
  /** PostgreSQL schema pg-boss keeps its tables in. @default 'pgboss' */
  schema?: string;
  /**
   * How often pg-boss's maintenance runs (once per interval across all processes): it returns
   * jobs whose lease (`expire_in`) ran out, i.e. the jobs of a crashed worker. @default 30
   */
  maintenanceIntervalSeconds?: number;
  /** Run maintenance in this process. Off for one-shot CLI commands. @default true */
  supervise?: boolean;
  /** Connections of pg-boss's own pool (claims, leases, admin queries). @default 4 */
  poolSize?: number;
  /**
   * The connection that listens for committed jobs (see `watch`). `url`: where it connects, when
   * that is not where the pool goes — LISTEN needs a session of its own, which PgBouncer in
   * transaction mode does not give; point it at PostgreSQL itself. The timings are for tests.
   */
  listen?: Partial<ListenOptions>;
}

export interface ListenOptions {
  url: string;
  /** How often the listening connection proves it is alive. @default 30_000 */
  heartbeatMs: number;
  /** How long a connect or a heartbeat may take. @default 10_000 */
  timeoutMs: number;
  /** The pause before listening again after the connection was lost. @default 5_000 */
  retryMs: number;
}

// Keyless jobs still need a singleton key: the `short` policy's unique index treats a null
// key as '' and would collapse every keyless job of a name into one.
const KEYLESS_PREFIX = 'job-id:';
// Dead letters stay in the live table this long, so `jobs dead` and replay see them.
const DEAD_RETENTION_SECONDS = 30 * 24 * 3_600;
const PENDING_RETENTION = "interval '30 days'";
// Told (NOTIFY) when a job commits, so workers in every process take it at once.
const JOBS_CHANNEL = 'printsync_jobs';
// A lost LISTEN connection only costs latency (workers still poll); it is opened again after this.
const LISTEN_DEFAULTS = { heartbeatMs: 30_000, timeoutMs: 10_000, retryMs: 5_000 };
/** A polite goodbye waits for the server; a dead connection is cut after this. */
const LISTEN_CLOSE_MS = 1_000;

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The advisory lock printsync's processes take to create pg-boss queues one at a time ('printsyn'). */
const QUEUE_CREATION_LOCK = '8102099357864587630';

async function withAdvisoryLock<T>(postgresUrl: string, key: string, work: () => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1::bigint)', [key]);
    try {
      return await work();
    } finally {
      await client.query('select pg_advisory_unlock($1::bigint)', [key]);
    }
  } finally {
    await client.end();
  }
}

/** Ends a listening client; one whose server does not answer (half-open) has its socket cut. */
async function close(client: pg.Client): Promise<void> {
  await withTimeout(client.end(), LISTEN_CLOSE_MS).catch(() => {
    (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
  });
}

/**
 * Jobs in pg-boss 10 (schema `pgboss`), for any number of API and worker processes.
 *
 * pg-boss supplies the tables, queue creation, the transactional insert (`send` with a `db`
 * adapter over the caller's Kysely transaction), the claim (`fetch`, `FOR UPDATE SKIP LOCKED`),
 * the `short` policy that gives the collapse (unique (name, singleton_key) among `created`
 * jobs), lease expiry (its maintenance fails active jobs past `expire_in`) and archiving.
 * Completion, failure, lease renewal, replay and the admin views are a few statements of our
 * own against `pgboss.job`, because pg-boss 10 cannot express them: its `fail` applies its own
 * backoff formula and retry count, it has no heartbeat, and `retry` does not reset the budget.
 * See docs/decisions.md, "Job queue".
 *
 * State mapping: created → pending; retry → retrying (pending after a replay); active;
 * completed; failed → dead. The lease token of a claim is its `retry_count` (which pg-boss
 * raises on every fetch of a job that ran before) with its `started_on`, so a stale holder's
 * completion matches nothing, even after a replay has reset the count.
 */
export class PgBossJobStore implements JobStore {
  readonly kind = 'pg-boss' as const;
  readonly #schema: RawBuilder<unknown>;
  #nextName = 0;

  private constructor(
    private readonly boss: PgBoss,
    private readonly db: Kysely<Database>,
    schema: string,
    private readonly listening: ListenOptions,
    private readonly logger: JobLogger,
  ) {
    this.#schema = sql.raw(schema);
  }

  /** Starts pg-boss (installing or migrating its schema) and creates a queue per job name. */
  static async open(postgresUrl: string, db: Kysely<Database>, names: readonly string[], options: PgBossDriverOptions, logger: JobLogger): Promise<PgBossJobStore> {
    const schema = options.schema ?? 'pgboss';
    if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`pg-boss schema "${schema}" must be a lower-case SQL identifier`);
    const boss = new PgBoss({
      connectionString: postgresUrl,
      schema,
      max: options.poolSize ?? 4,
      migrate: true,
      supervise: options.supervise ?? true,
      // Cron lives elsewhere; pg-boss's timekeeper would add internal queues and a poller.
      schedule: false,
      maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? 30,
      archiveFailedAfterSeconds: DEAD_RETENTION_SECONDS,
      deleteAfterDays: 14,
    });
    boss.on('error', (error: unknown) => logger.error({ err: error }, 'pg-boss error'));
    await boss.start();
    // Idempotent (insert … on conflict do nothing); every API and worker process runs it. A queue
    // is a table partition, and two processes creating queues at once can deadlock in PostgreSQL
    // (`serve` and `worker` started together): one process at a time, the others wait their turn.
    await withAdvisoryLock(postgresUrl, QUEUE_CREATION_LOCK, async () => {
      const existing = new Set((await boss.getQueues()).map((queue) => queue.name));
      for (const name of names) if (!existing.has(name)) await boss.createQueue(name, { name, policy: 'short' });
    });
    return new PgBossJobStore(boss, db, schema, { url: postgresUrl, ...LISTEN_DEFAULTS, ...options.listen }, logger);
  }

  async enqueue(trx: Kysely<Database>, job: JobRequest, defaults: EnqueueDefaults): Promise<string | null> {
    const id = randomUUID();
    const sent = await this.boss.send(job.name, job.payload, {
      id,
      singletonKey: job.key ?? `${KEYLESS_PREFIX}${id}`,
      ...(job.runAt ? { startAfter: job.runAt } : {}),
      // Our runner decides retries; these only shape the retries pg-boss makes itself when a
      // lease expires (a crashed worker), so both paths keep the same budget.
      retryLimit: defaults.maxAttempts - 1,
      retryDelay: Math.max(1, Math.round(defaults.baseDelayMs / 1_000)),
      retryBackoff: true,
      expireInSeconds: Math.ceil(defaults.leaseMs / 1_000),
      retentionDays: 30,
      db: { executeSql: (text, values) => trx.executeQuery(CompiledQuery.raw(text, values)) },
    });
    // Delivered when the caller's transaction commits, and never if it rolls back (see watch()).
    if (sent !== null && (!job.runAt || job.runAt.getTime() <= Date.now())) {
      // One payload for every job: PostgreSQL delivers identical notifications of a transaction
      // once, so a create that enqueues several jobs wakes each worker once (it claims every name).
      await trx.executeQuery(CompiledQuery.raw('select pg_notify($1, $2)', [JOBS_CHANNEL, '']));
    }
    return sent;
  }

  async watch(onEnqueued: () => void): Promise<() => Promise<void>> {
    const { url, heartbeatMs, timeoutMs, retryMs } = this.listening;
    let client: pg.Client | null = null;
    let stopped = false;
    let retry: NodeJS.Timeout | undefined;
    let heartbeat: NodeJS.Timeout | undefined;
    const lost = (from: pg.Client, error?: unknown) => {
      if (stopped || client !== from) return;
      client = null;
      clearInterval(heartbeat);
      this.logger.warn({ err: error }, `job notifications lost; listening again in ${retryMs / 1000} s (workers poll meanwhile)`);
      void close(from);
      retry = setTimeout(() => void listen(), retryMs);
    };
    const listen = async () => {
      // Keepalive and a heartbeat: a connection a NAT or a failover left half-open sends no error
      // and no end, and notifications would stop without a word.
      const next = new pg.Client({ connectionString: url, keepAlive: true, keepAliveInitialDelayMillis: 10_000, connectionTimeoutMillis: timeoutMs });
      client = next;
      next.on('notification', () => onEnqueued());
      next.on('error', (error) => lost(next, error));
      next.on('end', () => lost(next));
      try {
        await next.connect();
        await next.query(`LISTEN ${JOBS_CHANNEL}`);
        if (client !== next) return;
        heartbeat = setInterval(() => {
          withTimeout(next.query('select 1'), timeoutMs).catch((error: unknown) => lost(next, error));
        }, heartbeatMs);
        heartbeat.unref();
        // Jobs committed while nobody listened are waiting: look now.
        if (!stopped) onEnqueued();
      } catch (error) {
        lost(next, error);
      }
    };
    // Not awaited: a worker starts (and stops) at once even when the server does not answer;
    // until it listens, it polls.
    void listen();
    return async () => {
      stopped = true;
      clearTimeout(retry);
      clearInterval(heartbeat);
      const last = client;
      client = null;
      if (last) await close(last);
    };
  }

  async claim(names: readonly string[], limit: number): Promise<ClaimedJob[]> {
    const claimed: ClaimedJob[] = [];
    // pg-boss fetches per queue; start at a rotating name so one busy queue cannot starve others.
    const start = this.#nextName++ % Math.max(1, names.length);
    for (let i = 0; i < names.length && claimed.length < limit; i++) {
      const name = names[(start + i) % names.length] as string;
      const jobs = await this.boss.fetch<Record<string, unknown>>(name, { batchSize: limit - claimed.length, includeMetadata: true });
      for (const job of jobs) {
        claimed.push({
          id: job.id,
          name: job.name,
          payload: job.data ?? {},
          attempt: job.retryCount + 1,
          maxAttempts: job.retryLimit + 1,
          token: claimToken(job.retryCount, job.startedOn),
        });
      }
    }
    return claimed;
  }

  async renew(job: ClaimedJob, leaseMs: number): Promise<boolean> {
    // Push expiry out by moving `expire_in` rather than `started_on`, which stays the real start.
    return this.#updateHeld(this.db, job, sql`expire_in = (now() - started_on) + ${leaseMs} * interval '1 millisecond'`);
  }

  async complete(db: Kysely<Database>, job: ClaimedJob): Promise<boolean> {
    return this.#updateHeld(db, job, sql`state = 'completed', completed_on = now()`);
  }

  async retryLater(job: ClaimedJob, delayMs: number, reason: string): Promise<boolean> {
    return this.#updateHeld(
      this.db,
      job,
      sql`state = 'retry',
        start_after = now() + ${delayMs} * interval '1 millisecond',
        keep_until = greatest(keep_until, now() + ${sql.raw(PENDING_RETENTION)}),
        output = jsonb_build_object('message', ${reason}::text, 'failedOn', now())`,
    );
  }

  async bury(job: ClaimedJob, reason: string): Promise<boolean> {
    return this.#updateHeld(this.db, job, sql`state = 'failed', completed_on = now(), output = jsonb_build_object('message', ${reason}::text, 'failedOn', now())`);
  }

  async #updateHeld(db: Kysely<Database>, job: ClaimedJob, set: RawBuilder<unknown>): Promise<boolean> {
    const { retryCount, startedMs } = parseClaimToken(job.token);
    // started_on tells two claims with the same retry_count apart: a replay resets retry_count,
    // so a worker that lost its lease before the job died would otherwise match the new claim.
    // The driver's Date keeps milliseconds; the column has microseconds.
    const result = await sql`
      update ${this.#schema}.job set ${set}
      where name = ${job.name} and id = ${job.id}::uuid and state = 'active' and retry_count = ${retryCount}
        and abs(extract(epoch from started_on) * 1000 - ${startedMs}) < 1`.execute(db);
    return (result.numAffectedRows ?? 0n) > 0n;
  }

  async hasUnfinished(db: Kysely<Database>, name: string, key: string): Promise<boolean> {
    const rows = await sql`
      select 1 from ${this.#schema}.job
      where name = ${name} and singleton_key = ${key} and state in ('created', 'retry', 'active')
      limit 1`.execute(db);
    return rows.rows.length > 0;
  }

  async list(filter: JobListFilter): Promise<JobView[]> {
    const rows = await sql<PgJobRow>`
      select ${sql.raw(COLUMNS)} from ${this.#all()} j
      where ${this.#stateFilter(filter.state)}
        and (${filter.name ?? null}::text is null or name = ${filter.name ?? null})
      order by created_on desc, id desc
      limit ${filter.limit ?? 50}`.execute(this.db);
    return rows.rows.map(toView);
  }

  async get(id: string): Promise<JobView | null> {
    if (!UUID.test(id)) return null;
    const rows = await sql<PgJobRow>`select ${sql.raw(COLUMNS)} from ${this.#all()} j where id = ${id}::uuid limit 1`.execute(this.db);
    const row = rows.rows[0];
    return row ? toView(row) : null;
  }

  async replay(id: string, maxAttempts: number | undefined): Promise<boolean> {
    if (!UUID.test(id)) return false;
    // `created` when no pending twin holds the key (the short policy's unique index allows
    // one), else `retry`, which that index does not cover. started_on = null makes the next
    // fetch count from attempt 1 again.
    const result = await sql`
      update ${this.#schema}.job j set
        state = (case when exists (
            select 1 from ${this.#schema}.job twin
            where twin.name = j.name and twin.singleton_key = j.singleton_key and twin.state = 'created'
          ) then 'retry' else 'created' end)::${this.#schema}.job_state,
        retry_count = 0,
        retry_limit = coalesce(${maxAttempts === undefined ? null : maxAttempts - 1}::int, retry_limit),
        started_on = null,
        completed_on = null,
        start_after = now(),
        keep_until = now() + ${sql.raw(PENDING_RETENTION)}
      where id = ${id}::uuid and state = 'failed'`.execute(this.db);
    return (result.numAffectedRows ?? 0n) > 0n;
  }

  async stats(): Promise<JobNameStats[]> {
    const rows = await sql<{ name: string; state: JobState; count: number }>`
      select name, ${sql.raw(STATE_EXPRESSION)} as state, count(*)::int as count
      from ${this.#all()} j group by 1, 2`.execute(this.db);
    return emptyStats(rows.rows);
  }

  async throughput(hours: number): Promise<JobThroughputBucket[]> {
    const rows = await sql<{ hour: string; state: string; count: number }>`
      select to_char(date_trunc('hour', completed_on at time zone 'UTC'), 'YYYY-MM-DD"T"HH24":00:00.000Z"') as hour,
        state::text as state, count(*)::int as count
      from ${this.#all()} j
      where state in ('completed', 'failed') and completed_on >= now() - ${hours} * interval '1 hour'
      group by 1, 2`.execute(this.db);
    return hourBuckets(
      rows.rows.filter((r) => r.state === 'completed'),
      rows.rows.filter((r) => r.state === 'failed'),
    );
  }

  async close(): Promise<void> {
    await this.boss.stop({ graceful: true, timeout: 1_000 });
  }

  /** Live and archived jobs of our queues (pg-boss archives completed jobs after 12 hours). */
  #all(): RawBuilder<unknown> {
    return sql`(select ${sql.raw(COLUMNS)} from ${this.#schema}.job where name not like '\\_\\_pgboss%'
      union all select ${sql.raw(COLUMNS)} from ${this.#schema}.archive where name not like '\\_\\_pgboss%')`;
  }

  #stateFilter(state: JobState | undefined): RawBuilder<unknown> {
    return state ? sql`${sql.raw(STATE_EXPRESSION)} = ${state}` : sql`true`;
  }
}

/** A claim's lease token: the job's retry count and the start of this claim. */
function claimToken(retryCount: number, startedOn: Date): string {
  return `${retryCount}@${startedOn.getTime()}`;
}

function parseClaimToken(token: string): { retryCount: number; startedMs: number } {
  const [retryCount, startedMs] = token.split('@').map(Number);
  return { retryCount: retryCount ?? -1, startedMs: startedMs ?? 0 };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const COLUMNS = 'id, name, singleton_key, state, data, retry_count, retry_limit, start_after, started_on, created_on, completed_on, output';

const STATE_EXPRESSION = `case
  when state = 'created' then 'pending'
  when state = 'retry' and started_on is null then 'pending'
  when state = 'retry' then 'retrying'
  when state = 'active' then 'active'
  when state = 'completed' then 'completed'
  else 'dead' end`;

interface PgJobRow {
  id: string;
  name: string;
  singleton_key: string | null;
  state: string;
  data: Record<string, unknown> | null;
  retry_count: number;
  retry_limit: number;
  start_after: Date;
  started_on: Date | null;
  created_on: Date;
  completed_on: Date | null;
  output: { message?: string; failedOn?: string; value?: { message?: string } } | null;
}

function toView(row: PgJobRow): JobView {
  const state: JobState =
    row.state === 'created' || (row.state === 'retry' && row.started_on === null)
      ? 'pending'
      : row.state === 'retry'
        ? 'retrying'
        : row.state === 'active' || row.state === 'completed'
          ? row.state
          : 'dead';
  const failedOn = row.output?.failedOn ?? null;
  return {
    id: row.id,
    name: row.name,
    key: row.singleton_key?.startsWith(KEYLESS_PREFIX) ? null : row.singleton_key,
    state,
    payload: row.data ?? {},
    attempts: row.started_on === null ? 0 : row.retry_count + 1,
    maxAttempts: row.retry_limit + 1,
    runAt: row.start_after.toISOString(),
    // pg-boss's own expiry writes { value: { message } }; ours writes { message }.
    lastError: row.output?.message ?? row.output?.value?.message ?? null,
    createdAt: row.created_on.toISOString(),
    startedAt: row.started_on?.toISOString() ?? null,
    completedAt: state === 'completed' ? (row.completed_on?.toISOString() ?? null) : null,
    failedAt: state === 'dead' ? (row.completed_on?.toISOString() ?? null) : failedOn ? new Date(failedOn).toISOString() : null,
  };
}
