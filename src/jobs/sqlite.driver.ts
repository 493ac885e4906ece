import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { sql } from 'kysely';
import type { Kysely, Selectable, Updateable } from 'kysely';
import { prepare } from '../db/prepared.js';
import type { Database, JobsTable } from '../db/schema.js';
import type { JobListFilter, JobNameStats, JobRequest, JobState, JobThroughputBucket, JobView } from './driver.js';
import type { ClaimedJob, EnqueueDefaults, JobStore } from './job-store.js';
import { emptyStats, hourBuckets } from './job-views.js';

type JobRow = Selectable<JobsTable>;

// Every change that concerns an integration enqueues through this: prepared once (db/prepared.ts).
const insertJob = prepare((db, p) =>
  db
    .insertInto('jobs')
    .values({
      name: p('name'),
      key: p('key'),
      payload: p('payload'),
      state: 'pending',
      attempts: 0,
      max_attempts: p('maxAttempts'),
      run_at: p('runAt'),
      created_at: p('now'),
      updated_at: p('now'),
    })
    // The partial unique index (name, key) among pending jobs makes this the collapse.
    .onConflict((oc) => oc.doNothing())
    .returning('id'),
);

/**
 * Jobs in the application's own SQLite file (`jobs` table, migration 002), worked by the
 * `serve` process. A claim is one conditional UPDATE … RETURNING, so two processes on the
 * same file never take the same job; a lease (`locked_until`) returns the jobs of a worker
 * that died, and `locked_by` is a per-claim token that fences late completions.
 */
export class SqliteJobStore implements JobStore {
  readonly kind = 'sqlite' as const;
  readonly #workerId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  #claims = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async enqueue(trx: Kysely<Database>, job: JobRequest, defaults: EnqueueDefaults): Promise<string | null> {
    const now = this.now().toISOString();
    const { rows } = await insertJob.run(trx, {
      name: job.name,
      key: job.key ?? null,
      payload: JSON.stringify(job.payload),
      maxAttempts: defaults.maxAttempts,
      runAt: (job.runAt ?? this.now()).toISOString(),
      now,
    });
    return rows[0] ? String(rows[0].id) : null;
  }

  async claim(names: readonly string[], limit: number, leaseMsByName: ReadonlyMap<string, number>): Promise<ClaimedJob[]> {
    // One UPDATE per distinct lease length (usually one), since locked_until depends on it.
    const byLease = new Map<number, string[]>();
    for (const name of names) {
      const leaseMs = leaseMsByName.get(name) ?? 60_000;
      byLease.set(leaseMs, [...(byLease.get(leaseMs) ?? []), name]);
    }
    const claimed: ClaimedJob[] = [];
    for (const [leaseMs, group] of byLease) {
      if (claimed.length >= limit) break;
      const now = this.now();
      const nowIso = now.toISOString();
      const token = `${this.#workerId}#${++this.#claims}`;
      const rows = await sql<Pick<JobRow, 'id' | 'name' | 'payload' | 'attempts' | 'max_attempts'>>`
        update jobs set
          state = 'active',
          attempts = attempts + 1,
          locked_by = ${token},
          locked_until = ${new Date(now.getTime() + leaseMs).toISOString()},
          started_at = ${nowIso},
          updated_at = ${nowIso},
          last_error = case when state = 'active'
            then 'lease expired: the worker holding the job stopped renewing it' else last_error end
        where id in (
          select id from jobs
          where name in (${sql.join(group)})
            and ((state in ('pending', 'retrying') and run_at <= ${nowIso})
              or (state = 'active' and locked_until <= ${nowIso}))
          order by run_at, id
          limit ${limit - claimed.length}
        )
        returning id, name, payload, attempts, max_attempts`.execute(this.db);
      for (const row of rows.rows) {
        claimed.push({
          id: String(row.id),
          name: row.name,
          payload: JSON.parse(row.payload) as Record<string, unknown>,
          attempt: row.attempts,
          maxAttempts: row.max_attempts,
          token,
        });
      }
    }
    return claimed;
  }

  async renew(job: ClaimedJob, leaseMs: number): Promise<boolean> {
    const now = this.now();
    return this.#updateHeld(this.db, job, { locked_until: new Date(now.getTime() + leaseMs).toISOString(), updated_at: now.toISOString() });
  }

  async complete(db: Kysely<Database>, job: ClaimedJob): Promise<boolean> {
    const now = this.now().toISOString();
    return this.#updateHeld(db, job, { state: 'completed', completed_at: now, updated_at: now, locked_by: null, locked_until: null });
  }

  async retryLater(job: ClaimedJob, delayMs: number, reason: string): Promise<boolean> {
    const now = this.now();
    return this.#updateHeld(this.db, job, {
      state: 'retrying',
      run_at: new Date(now.getTime() + delayMs).toISOString(),
      last_error: reason,
      failed_at: now.toISOString(),
      updated_at: now.toISOString(),
      locked_by: null,
      locked_until: null,
    });
  }

  async bury(job: ClaimedJob, reason: string): Promise<boolean> {
    const now = this.now().toISOString();
    return this.#updateHeld(this.db, job, { state: 'dead', last_error: reason, failed_at: now, updated_at: now, locked_by: null, locked_until: null });
  }

  /** Updates the job only while this claim still holds it (same token, still active). */
  async #updateHeld(db: Kysely<Database>, job: ClaimedJob, values: Updateable<JobsTable>): Promise<boolean> {
    const result = await db
      .updateTable('jobs')
      .set(values)
      .where('id', '=', Number(job.id))
      .where('state', '=', 'active')
      .where('locked_by', '=', job.token)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async hasUnfinished(db: Kysely<Database>, name: string, key: string): Promise<boolean> {
    const row = await db
      .selectFrom('jobs')
      .select('id')
      .where('name', '=', name)
      .where('key', '=', key)
      .where('state', 'in', ['pending', 'retrying', 'active'])
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  async list(filter: JobListFilter): Promise<JobView[]> {
    let query = this.db.selectFrom('jobs').selectAll();
    if (filter.state) query = query.where('state', '=', filter.state);
    if (filter.name) query = query.where('name', '=', filter.name);
    const rows = await query.orderBy('id', 'desc').limit(filter.limit ?? 50).execute();
    return rows.map(toView);
  }

  async get(id: string): Promise<JobView | null> {
    if (!/^\d+$/.test(id)) return null;
    const row = await this.db.selectFrom('jobs').selectAll().where('id', '=', Number(id)).executeTakeFirst();
    return row ? toView(row) : null;
  }

  async replay(id: string, maxAttempts: number | undefined): Promise<boolean> {
    if (!/^\d+$/.test(id)) return false;
    const now = this.now().toISOString();
    // Back to pending with a fresh budget; when a pending twin with the same key already waits,
    // the unique index forbids a second pending row, so this one waits as `retrying` instead.
    const result = await sql`
      update jobs set
        state = case when key is not null and exists (
            select 1 from jobs twin where twin.name = jobs.name and twin.key = jobs.key and twin.state = 'pending'
          ) then 'retrying' else 'pending' end,
        attempts = 0,
        max_attempts = coalesce(${maxAttempts ?? null}, max_attempts),
        run_at = ${now},
        updated_at = ${now}
      where id = ${Number(id)} and state = 'dead'`.execute(this.db);
    return (result.numAffectedRows ?? 0n) > 0n;
  }

  async stats(): Promise<JobNameStats[]> {
    const rows = await this.db
      .selectFrom('jobs')
      .select(['name', 'state', (eb) => eb.fn.countAll<number>().as('count')])
      .groupBy(['name', 'state'])
      .execute();
    return emptyStats(rows.map((r) => ({ name: r.name, state: r.state as JobState, count: Number(r.count) })));
  }

  async throughput(hours: number): Promise<JobThroughputBucket[]> {
    const since = new Date(this.now().getTime() - hours * 3_600_000).toISOString();
    const completed = await this.db
      .selectFrom('jobs')
      .select([sql<string>`substr(completed_at, 1, 13)`.as('hour'), (eb) => eb.fn.countAll<number>().as('count')])
      .where('state', '=', 'completed')
      .where('completed_at', '>=', since)
      .groupBy(sql`substr(completed_at, 1, 13)`)
      .execute();
    const dead = await this.db
      .selectFrom('jobs')
      .select([sql<string>`substr(failed_at, 1, 13)`.as('hour'), (eb) => eb.fn.countAll<number>().as('count')])
      .where('state', '=', 'dead')
      .where('failed_at', '>=', since)
      .groupBy(sql`substr(failed_at, 1, 13)`)
      .execute();
    return hourBuckets(
      completed.map((r) => ({ hour: `${r.hour}:00:00.000Z`, count: Number(r.count) })),
      dead.map((r) => ({ hour: `${r.hour}:00:00.000Z`, count: Number(r.count) })),
    );
  }

  async close(): Promise<void> {
    // The database handle belongs to the caller.
  }
}

function toView(row: JobRow): JobView {
  return {
    id: String(row.id),
    name: row.name,
    key: row.key,
    state: row.state as JobState,
    payload: JSON.parse(row.payload) as Record<string, unknown>,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    runAt: row.run_at,
    lastError: row.last_error,
    createdAt: row.created_at,
    startedAt: row.started_at,
    completedAt: row.completed_at,
    failedAt: row.failed_at,
  };
}
