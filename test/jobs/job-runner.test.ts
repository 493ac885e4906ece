import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openDatabase } from '../../src/db/connection.js';
import type { DatabaseHandle } from '../../src/db/connection.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { JobCatalog, defineJob } from '../../src/jobs/catalog.js';
import type { JobDefinition } from '../../src/jobs/catalog.js';
import { JobRunner, silentLogger } from '../../src/jobs/job-runner.js';
import type { ClaimedJob } from '../../src/jobs/job-store.js';
import { SqliteJobStore } from '../../src/jobs/sqlite.driver.js';
import { createTestDatabase } from '../support/databases.js';
import type { TestDatabase } from '../support/databases.js';
import { deferred, expectEventually } from '../support/eventually.js';

/**
 * The runner's own bookkeeping (leases of the jobs it holds, what it waits for at stop), with a
 * store whose lease renewals can be watched or broken. The conformance suite covers the rest.
 */
describe('job runner', () => {
  let database: TestDatabase;
  let handle: DatabaseHandle;
  const runners: JobRunner[] = [];
  let seq = 0;

  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
    handle = openDatabase(database.url);
    await migrateToLatest(handle.db);
  });
  afterEach(async () => {
    while (runners.length) await runners.pop()?.stop({ timeoutMs: 50 });
  });
  afterAll(async () => {
    await handle?.close();
    await database?.drop();
  });

  /** A SQLite store that counts lease renewals and can be told to fail them. */
  class WatchedStore extends SqliteJobStore {
    renewals = 0;
    failRenewals = false;
    override async renew(job: ClaimedJob, leaseMs: number): Promise<boolean> {
      this.renewals++;
      if (this.failRenewals) throw new Error('database is locked');
      return super.renew(job, leaseMs);
    }
  }

  function runner(store: SqliteJobStore, ...jobs: JobDefinition[]): JobRunner {
    const started = new JobRunner(store, handle.db, new JobCatalog(jobs), silentLogger, () => 0);
    runners.push(started);
    return started;
  }

  async function enqueue(store: SqliteJobStore, job: JobDefinition): Promise<string> {
    const id = await handle.db.transaction().execute((trx) =>
      store.enqueue(trx, job.request({} as never), { maxAttempts: job.retry.maxAttempts, leaseMs: job.leaseMs, baseDelayMs: job.retry.baseDelayMs }),
    );
    return id!;
  }

  it('stops renewing the lease of a handler it gave up on at stop, so another worker takes the job', async () => {
    const name = `runner.job${++seq}`;
    const started = deferred();
    // Ignores the abort signal and never ends, like a handler stuck on a call without a deadline.
    const stuck = defineJob({ name, payload: z.object({}), leaseMs: 1_000, handler: () => (started.resolve(), new Promise<void>(() => {})) });
    const store = new WatchedStore(handle.db);
    const id = await enqueue(store, stuck);
    const first = runner(store, stuck);
    first.start({ pollIntervalMs: 20 });
    await started.promise;
    await first.stop({ timeoutMs: 50 });

    const renewalsAtStop = store.renewals;
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(store.renewals).toBe(renewalsAtStop);

    const ran: number[] = [];
    const healthy = defineJob({ name, payload: z.object({}), leaseMs: 1_000, handler: async (_payload, ctx) => void ran.push(ctx.attempt) });
    const second = new SqliteJobStore(handle.db);
    runner(second, healthy).start({ pollIntervalMs: 20 });
    await expectEventually(async () => expect((await second.get(id))?.state).toBe('completed'), { timeoutMs: 5_000 });
    expect(ran).toEqual([2]);
  });

  it('keeps track of a job it claims again after losing its lease, while the first run is still going', async () => {
    const name = `runner.job${++seq}`;
    const releaseFirst = deferred();
    const releaseSecond = deferred();
    const secondStarted = deferred();
    const job = defineJob({
      name,
      payload: z.object({}),
      leaseMs: 1_000,
      handler: async (_payload, ctx) => {
        if (ctx.attempt === 1) return releaseFirst.promise;
        secondStarted.resolve();
        return releaseSecond.promise;
      },
    });
    const store = new WatchedStore(handle.db);
    // Renewals fail (a locked database), so the lease runs out under the first run and this
    // same runner claims the job again.
    store.failRenewals = true;
    const id = await enqueue(store, job);
    const worker = runner(store, job);
    worker.start({ pollIntervalMs: 20, concurrency: 2 });
    await secondStarted.promise;
    expect(worker.activeCount).toBe(2);

    releaseFirst.resolve();
    await expectEventually(() => expect(worker.activeCount).toBe(1));
    // stop() waits for the run that still holds the job and records its outcome.
    const stopping = worker.stop({ timeoutMs: 5_000 });
    setTimeout(() => releaseSecond.resolve(), 50);
    await stopping;
    expect(worker.activeCount).toBe(0);
    expect(await store.get(id)).toMatchObject({ state: 'completed', attempts: 2 });
  });
});
