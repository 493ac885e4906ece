import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/connection.js';
import { defineJob } from '../../src/jobs/catalog.js';
import { createJobQueue } from '../../src/jobs/index.js';
import type { JobQueue } from '../../src/jobs/index.js';
import { scheduledJobPayload, Scheduler } from '../../src/jobs/scheduler.js';
import type { ScheduleDefinition } from '../../src/jobs/scheduler.js';
import { silentLogger } from '../../src/jobs/job-runner.js';
import { SyncLogStore } from '../../src/store/sync-log.js';
import { openTestDatabase, TEST_DIALECTS } from '../support/databases.js';
import { deferred, expectEventually } from '../support/eventually.js';
import { killAll, startReadyProcess } from '../support/processes.js';

const WORKER = fileURLToPath(new URL('./fixtures/scheduled-worker.ts', import.meta.url));

/**
 * Recurring jobs (issue 5, "Scheduler"): fired once per interval whatever the number of worker
 * processes, remembered across restarts, and never piling up behind a slow run.
 */
describe.each(TEST_DIALECTS)('scheduler on %s', (dialect) => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  let handle: DatabaseHandle;
  const queues: JobQueue[] = [];
  let seq = 0;

  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    handle = database.handle;
  });
  afterEach(async () => {
    while (queues.length) await queues.pop()?.close();
  });
  afterAll(async () => database?.close());

  async function scheduled(handler: (scheduledAt: string) => Promise<void>) {
    const job = defineJob({ name: `sched.job${++seq}`, payload: scheduledJobPayload, handler: async ({ scheduledAt }) => handler(scheduledAt) });
    const queue = await createJobQueue(handle, { catalog: [job], pgBoss: { supervise: false } });
    queues.push(queue);
    return { job, queue };
  }

  it('fires once per interval, and a restarted process remembers when it last fired', async () => {
    const { job, queue } = await scheduled(async () => {});
    let now = new Date('2026-12-01T10:00:00.000Z');
    const schedule: ScheduleDefinition = { job, intervalMs: async () => 60_000 };
    const first = new Scheduler(handle.db, queue, [schedule], silentLogger, { now: () => now });
    expect(await first.fire(schedule)).toBe('fired');
    await queue.start({ pollIntervalMs: 20 });
    await expectEventually(async () => expect((await queue.list({ name: job.name })).map((j) => j.state)).toEqual(['completed']));

    now = new Date('2026-12-01T10:00:59.000Z');
    expect(await first.fire(schedule)).toBe('not-due');
    // A new process (after a restart) reads the same row.
    const restarted = new Scheduler(handle.db, queue, [schedule], silentLogger, { now: () => now });
    expect(await restarted.fire(schedule)).toBe('not-due');
    // Hours of downtime: one run, not one per missed interval.
    await queue.stop();
    now = new Date('2026-12-01T15:00:00.000Z');
    expect(await restarted.fire(schedule)).toBe('fired');
    expect(await restarted.fire(schedule)).toBe('not-due');
    // Due again while that run still waits: it waits too, rather than adding a second run.
    now = new Date('2026-12-01T15:01:01.000Z');
    expect(await restarted.fire(schedule)).toBe('busy');
    const jobs = await queue.list({ name: job.name });
    expect(jobs.map((j) => j.payload)).toEqual([{ scheduledAt: '2026-12-01T15:00:00.000Z' }, { scheduledAt: '2026-12-01T10:00:00.000Z' }]);
  });

  it('never piles up: while a run is unfinished it waits, and fires once that run has ended', async () => {
    const release = deferred();
    const started: string[] = [];
    const { job, queue } = await scheduled(async (scheduledAt) => {
      started.push(scheduledAt);
      if (started.length === 1) await release.promise;
    });
    const schedule: ScheduleDefinition = { job, intervalMs: async () => 50 };
    const scheduler = new Scheduler(handle.db, queue, [schedule], silentLogger, { tickMs: 20 });
    await queue.start({ pollIntervalMs: 20 });
    scheduler.start();
    try {
      await expectEventually(() => expect(started).toHaveLength(1));
      // Many intervals pass while the first run hangs: nothing new is enqueued.
      await expectEventually(async () => expect(await scheduler.fire(schedule)).toBe('busy'));
      expect((await queue.list({ name: job.name })).map((j) => j.state)).toEqual(['active']);
      release.resolve();
      await expectEventually(() => expect(started.length).toBeGreaterThanOrEqual(2));
    } finally {
      await scheduler.stop();
    }
  });

  it('is off while its interval is null (its integration switched off)', async () => {
    const { job, queue } = await scheduled(async () => {});
    let interval: number | null = null;
    const schedule: ScheduleDefinition = { job, intervalMs: async () => interval };
    const scheduler = new Scheduler(handle.db, queue, [schedule], silentLogger);
    expect(await scheduler.fire(schedule)).toBe('off');
    interval = 1_000;
    expect(await scheduler.fire(schedule)).toBe('fired');
  });

  it('refuses the same job scheduled twice', async () => {
    const { job, queue } = await scheduled(async () => {});
    expect(() => new Scheduler(handle.db, queue, [{ job, intervalMs: async () => 1 }, { job, intervalMs: async () => 2 }], silentLogger)).toThrow(/scheduled twice/);
  });
});

describe.each(TEST_DIALECTS)('one schedule, two worker processes on %s', (dialect) => {
  let database: Awaited<ReturnType<typeof openTestDatabase>> | undefined;
  const children: ChildProcess[] = [];

  afterEach(async () => {
    killAll(children);
    await database?.close();
  });

  async function startWorker(label: string, intervalMs: number): Promise<void> {
    children.push(await startReadyProcess(WORKER, { DATABASE_URL: database!.url, WORKER_LABEL: label, INTERVAL_MS: String(intervalMs) }, `worker ${label}`));
  }

  it('runs exactly once per interval', { timeout: 60_000 }, async () => {
    database = await openTestDatabase(dialect);
    const intervalMs = 700;
    await Promise.all([startWorker('a', intervalMs), startWorker('b', intervalMs)]);
    const log = new SyncLogStore(database.handle.db);
    const runs = await expectEventually(
      async () => {
        const entries = (await log.list({ system: 'ticker', limit: 100 })).items;
        expect(entries.length).toBeGreaterThanOrEqual(5);
        return entries.map((e) => e.response as { scheduledAt: string; worker: string });
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    for (const child of children) child.kill('SIGTERM');
    const firedAt = runs.map((r) => Date.parse(r.scheduledAt)).sort((a, b) => a - b);
    // Each firing made one run (no slot twice), and firings are at least an interval apart.
    expect(new Set(firedAt).size).toBe(firedAt.length);
    for (let i = 1; i < firedAt.length; i++) expect(firedAt[i]! - firedAt[i - 1]!, `runs ${i - 1} and ${i}`).toBeGreaterThanOrEqual(intervalMs);
    expect(new Set(runs.map((r) => r.worker)).size).toBeGreaterThanOrEqual(1);
  });
});
