import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { DatabaseHandle } from '../../src/db/connection.js';
import { DomainError } from '../../src/domain/errors.js';
import { defineJob, InvalidJobPayloadError, JobError, PermanentJobError, UnknownJobError } from '../../src/jobs/index.js';
import type { DefineJobOptions, JobDefinition, JobQueue } from '../../src/jobs/index.js';
import { openTestDatabase } from '../support/databases.js';
import type { TestDialect } from '../support/databases.js';
import { deferred, expectEventually } from '../support/eventually.js';

export interface QueueUnderTest {
  dialect: TestDialect;
  /** Opens the driver under test over a migrated database with the given jobs. */
  makeQueue(handle: DatabaseHandle, jobs: readonly JobDefinition[]): Promise<JobQueue>;
}

const POLL = { pollIntervalMs: 20 };

/**
 * The behaviour every job queue driver must have (CORE-5), run against a real database.
 * Each test uses job names of its own, so tests share one database per driver.
 */
export function runJobQueueSuite(name: string, subject: QueueUnderTest): void {
  describe(`job queue conformance: ${name}`, () => {
    let database: Awaited<ReturnType<typeof openTestDatabase>>;
    let handle: DatabaseHandle;
    const queues: JobQueue[] = [];
    let seq = 0;

    beforeAll(async () => {
      database = await openTestDatabase(subject.dialect);
      handle = database.handle;
    });
    afterEach(async () => {
      while (queues.length) await queues.pop()?.close();
    });
    afterAll(async () => database?.close());

    /** A job definition with a name unique to this test; any object payload unless the test gives a schema. */
    function job<P extends Record<string, unknown>>(options: Omit<DefineJobOptions<P>, 'name' | 'payload'> & { payload?: z.ZodType<P> }): JobDefinition<P> {
      return defineJob<P>({ name: `suite.job${++seq}`, payload: z.looseObject({}) as unknown as z.ZodType<P>, ...options });
    }

    async function open(...jobs: JobDefinition[]): Promise<JobQueue> {
      const queue = await subject.makeQueue(handle, jobs);
      queues.push(queue);
      return queue;
    }

    function enqueueCommitted(queue: JobQueue, request: Parameters<JobQueue['enqueue']>[1]): Promise<string | null> {
      return handle.db.transaction().execute((trx) => queue.enqueue(trx, request));
    }

    it('runs a job enqueued in a committed transaction', async () => {
      const seen: number[] = [];
      const work = job<{ n: number }>({ handler: async ({ n }) => void seen.push(n) });
      const queue = await open(work);
      const id = await enqueueCommitted(queue, work.request({ n: 7 }));
      expect(id).toEqual(expect.any(String));
      expect((await queue.get(id!))?.state).toBe('pending');

      await queue.start(POLL);
      await expectEventually(async () => expect((await queue.get(id!))?.state).toBe('completed'));
      expect(seen).toEqual([7]);
      const view = await queue.get(id!);
      expect(view).toMatchObject({ name: work.name, payload: { n: 7 }, attempts: 1, lastError: null });
      expect(view?.completedAt).toEqual(expect.any(String));
    });

    it('takes a job enqueued in this process at once, not at its next poll', async () => {
      const work = job<{ n: number }>({ handler: async () => {} });
      const queue = await open(work);
      await queue.start({ pollIntervalMs: 60_000 });
      // The worker has polled and found nothing: the next poll is a minute away.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const id = await enqueueCommitted(queue, work.request({ n: 1 }));
      await expectEventually(async () => expect((await queue.get(id!))?.state).toBe('completed'), { timeoutMs: 5_000 });
    });

    it('stops at once when stop() comes while the worker is claiming, whatever its poll interval', async () => {
      const work = job({ handler: async () => {} });
      const queue = await open(work);
      let claiming!: () => void;
      const claimStarted = new Promise<void>((resolve) => (claiming = resolve));
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      // The claim first asks which names are paused: hold it there.
      await queue.start({ pollIntervalMs: 600_000, paused: async () => (claiming(), await released, new Set<string>()) });
      await claimStarted;
      const stopped = queue.stop();
      release();
      // Before the fix, the loop went on to wait out the whole poll interval (past this test's timeout).
      await stopped;
    });

    it('leaves no job behind when the transaction rolls back', async () => {
      const work = job({ handler: async () => {} });
      const queue = await open(work);
      let id: string | null = null;
      await expect(
        handle.db.transaction().execute(async (trx) => {
          id = await queue.enqueue(trx, work.request({}));
          throw new Error('domain change rejected');
        }),
      ).rejects.toThrow('domain change rejected');
      expect(id).not.toBeNull();
      expect(await queue.get(id!)).toBeNull();
      expect(await queue.list({ name: work.name })).toEqual([]);
    });

    it('rejects an unknown job name and fails the caller’s transaction', async () => {
      const queue = await open(job({ handler: async () => {} }));
      await expect(enqueueCommitted(queue, { name: 'nobody.defined', payload: {} })).rejects.toBeInstanceOf(UnknownJobError);
    });

    it('collapses jobs with the same key while one is pending, but not into a running one', async () => {
      const release = deferred();
      const runs: number[] = [];
      const work = job<{ n: number }>({
        handler: async ({ n }) => {
          runs.push(n);
          if (runs.length === 1) await release.promise;
        },
      });
      const other = job({ handler: async () => {} });
      const queue = await open(work, other);

      const first = await enqueueCommitted(queue, work.request({ n: 1 }, { key: 'order:1' }));
      expect(first).not.toBeNull();
      expect(await enqueueCommitted(queue, work.request({ n: 2 }, { key: 'order:1' }))).toBeNull();
      expect(await enqueueCommitted(queue, work.request({ n: 3 }, { key: 'order:1' }))).toBeNull();
      // Other keys, other names and keyless jobs do not collapse.
      expect(await enqueueCommitted(queue, other.request({}, { key: 'order:1' }))).not.toBeNull();
      expect(await enqueueCommitted(queue, other.request({}))).not.toBeNull();
      expect(await enqueueCommitted(queue, other.request({}))).not.toBeNull();
      expect(await queue.list({ name: work.name })).toHaveLength(1);

      await queue.start(POLL);
      await expectEventually(async () => expect((await queue.get(first!))?.state).toBe('active'));
      // A change made while the job runs gets a job of its own, so it is never lost.
      const second = await enqueueCommitted(queue, work.request({ n: 4 }, { key: 'order:1' }));
      expect(second).not.toBeNull();
      release.resolve();
      await expectEventually(async () => expect((await queue.get(second!))?.state).toBe('completed'));
      expect(runs).toEqual([1, 4]);
    });

    it('retries with exponential backoff, then parks the job as dead with the last error', async () => {
      const startedAt: number[] = [];
      const work = job({
        maxAttempts: 3,
        backoff: { baseDelayMs: 100, maxDelayMs: 1_000 },
        handler: async (_payload, ctx) => {
          startedAt.push(Date.now());
          throw new Error(`boom ${ctx.attempt}`);
        },
      });
      const queue = await open(work);
      const id = await enqueueCommitted(queue, work.request({}));
      await queue.start(POLL);

      await expectEventually(async () => expect((await queue.get(id!))?.state).toBe('dead'));
      const dead = await queue.get(id!);
      expect(dead).toMatchObject({ attempts: 3, maxAttempts: 3 });
      expect(dead?.lastError).toMatch(/gave up after 3 attempts: boom 3/);
      expect(dead?.failedAt).toEqual(expect.any(String));
      expect(startedAt).toHaveLength(3);
      // The suite's queues jitter with random() = 0, i.e. exactly half of each step: 50, 100 ms.
      // A few ms of slack for clocks: pg-boss compares start_after with the server's clock.
      expect(startedAt[1]! - startedAt[0]!).toBeGreaterThanOrEqual(45);
      expect(startedAt[2]! - startedAt[1]!).toBeGreaterThanOrEqual(95);
      expect((await queue.list({ state: 'dead', name: work.name })).map((j) => j.id)).toEqual([id]);
    });

    it('keeps the retry budget a job was enqueued with when its definition changes (a deploy)', async () => {
      const name = `suite.job${++seq}`;
      const before = defineJob({ name, payload: z.object({}), maxAttempts: 2, handler: async () => {} });
      const runs: number[] = [];
      // The next release raised the budget; the job already waiting keeps the one it was given.
      const after = defineJob({
        name,
        payload: z.object({}),
        maxAttempts: 5,
        backoff: { baseDelayMs: 10 },
        handler: async (_payload, ctx) => {
          runs.push(ctx.attempt);
          throw new Error(`boom ${ctx.attempt}`);
        },
      });
      const enqueuer = await open(before);
      const id = await enqueueCommitted(enqueuer, before.request({}));
      const worker = await open(after);
      await worker.start(POLL);
      await expectEventually(async () => expect((await worker.get(id!))?.state).toBe('dead'));
      expect(runs).toEqual([1, 2]);
      // The real reason, not "the last runs never finished (worker crashed or stalled)".
      expect(await worker.get(id!)).toMatchObject({ attempts: 2, maxAttempts: 2, lastError: expect.stringMatching(/^gave up after 2 attempts: boom 2$/) });
    });

    it('shows a failed job as retrying until its backoff passes', async () => {
      const work = job({
        maxAttempts: 5,
        backoff: { baseDelayMs: 60_000 },
        handler: async () => {
          throw new JobError('ERP is down', { retryAfterMs: 120_000 });
        },
      });
      const queue = await open(work);
      const id = await enqueueCommitted(queue, work.request({}));
      await queue.start(POLL);
      await expectEventually(async () => expect((await queue.get(id!))?.state).toBe('retrying'));
      const view = await queue.get(id!);
      expect(view?.lastError).toMatch(/ERP is down/);
      // Retry-After wins over a shorter backoff step.
      expect(Date.parse(view!.runAt) - Date.now()).toBeGreaterThan(100_000);
    });

    it('sends a job whose error is not retryable to the dead letters at once', async () => {
      const permanent = job({
        handler: async () => {
          throw new PermanentJobError('order 42 no longer exists');
        },
      });
      // Any error object can say so: integrations carry `retryable` on their own error classes.
      const flagged = job({
        handler: async () => {
          throw Object.assign(new Error('400 Bad Request'), { retryable: false });
        },
      });
      const queue = await open(permanent, flagged);
      const a = await enqueueCommitted(queue, permanent.request({}));
      const b = await enqueueCommitted(queue, flagged.request({}));
      await queue.start(POLL);
      await expectEventually(async () => {
        expect((await queue.get(a!))?.state).toBe('dead');
        expect((await queue.get(b!))?.state).toBe('dead');
      });
      expect(await queue.get(a!)).toMatchObject({ attempts: 1, lastError: expect.stringMatching(/permanent error: .*order 42 no longer exists/) });
      expect(await queue.get(b!)).toMatchObject({ attempts: 1, lastError: expect.stringMatching(/400 Bad Request/) });
    });

    it('keeps credentials quoted by an error out of the job’s last error (managers read it on the health page)', async () => {
      const work = job({
        maxAttempts: 1,
        handler: async () => {
          throw new Error('POST https://p.bitrix24.ru/rest/1/q1w2e3r4t5y6u7i8/crm.deal.add.json failed; retried https://erp.local/api?apikey=K3yV4lu3 with Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig');
        },
      });
      const queue = await open(work);
      const id = await enqueueCommitted(queue, work.request({}));
      await queue.start(POLL);
      await expectEventually(async () => expect((await queue.get(id!))?.state).toBe('dead'));
      const { lastError } = (await queue.get(id!))!;
      expect(lastError).toBe(
        'gave up after 1 attempts: POST https://p.bitrix24.ru/rest/1/***/crm.deal.add.json failed; retried https://erp.local/api?apikey=*** with Bearer ***',
      );
    });

    it('replays a dead job with a fresh retry budget', async () => {
      let fixed = false;
      const runs: number[] = [];
      const work = job({
        maxAttempts: 2,
        backoff: { baseDelayMs: 10 },
        handler: async (_payload, ctx) => {
          runs.push(ctx.attempt);
          if (!fixed) throw new Error('still broken');
        },
      });
      const queue = await open(work);
      const id = await enqueueCommitted(queue, work.request({}, { key: 'order:9' }));
      await queue.start(POLL);
      await expectEventually(async () => expect((await queue.get(id!))?.state).toBe('dead'));
      expect(await queue.replay(id!)).toBe(true);
      expect((await queue.get(id!))?.state).toMatch(/pending|active|retrying|dead/);

      await expectEventually(async () => expect((await queue.get(id!))?.state).toBe('dead'));
      fixed = true;
      expect(await queue.replay(id!)).toBe(true);
      await expectEventually(async () => expect((await queue.get(id!))?.state).toBe('completed'));
      // Each replay starts counting from attempt 1 again.
      expect(runs).toEqual([1, 2, 1, 2, 1]);
      expect(await queue.replay(id!)).toBe(false);
      expect(await queue.replay('12345')).toBe(false);
      expect(await queue.replay('00000000-0000-4000-8000-000000000000')).toBe(false);
    });

    it('never runs more handlers at once than its concurrency', async () => {
      let running = 0;
      let peak = 0;
      const work = job({
        handler: async () => {
          running++;
          peak = Math.max(peak, running);
          await new Promise((resolve) => setTimeout(resolve, 40));
          running--;
        },
      });
      const queue = await open(work);
      const ids = [];
      for (let i = 0; i < 8; i++) ids.push(await enqueueCommitted(queue, work.request({ i })));
      await queue.start({ ...POLL, concurrency: 3 });
      await expectEventually(async () => {
        const done = await queue.list({ name: work.name, state: 'completed' });
        expect(done).toHaveLength(8);
      });
      expect(peak).toBe(3);
    });

    it('stop() waits for running handlers and records their outcome', async () => {
      const release = deferred();
      const started = deferred();
      const work = job({
        handler: async () => {
          started.resolve();
          await release.promise;
        },
      });
      const queue = await open(work);
      const id = await enqueueCommitted(queue, work.request({}));
      await queue.start(POLL);
      await started.promise;

      let stopped = false;
      const stopping = queue.stop().then(() => (stopped = true));
      await new Promise((resolve) => setImmediate(resolve));
      expect(stopped).toBe(false);
      release.resolve();
      await stopping;
      expect((await queue.get(id!))?.state).toBe('completed');

      // Stopped means stopped: nothing new is claimed.
      const later = await enqueueCommitted(queue, work.request({}));
      expect((await queue.get(later!))?.state).toBe('pending');
    });

    it('stop() is bounded: a stuck handler is aborted and left to its lease', async () => {
      let aborted = false;
      const started = deferred();
      const work = job({
        handler: (_payload, ctx) =>
          new Promise<void>((_resolve, reject) => {
            started.resolve();
            ctx.signal.addEventListener('abort', () => {
              aborted = true;
              reject(ctx.signal.reason as Error);
            });
          }),
      });
      const queue = await open(work);
      await enqueueCommitted(queue, work.request({}));
      await queue.start(POLL);
      await started.promise;
      await queue.stop({ timeoutMs: 100 });
      expect(aborted).toBe(true);
    });

    it('makes a database effect atomic with completion via ctx.completeWith', async () => {
      const work = job<{ entityId: number }>({
        handler: async ({ entityId }, ctx) => {
          await ctx.completeWith(async (trx) => {
            await trx
              .insertInto('domain_events')
              .values({ type: 'test.effect', entity_type: 'job', entity_id: entityId, payload: ctx.jobId, occurred_at: new Date().toISOString() })
              .execute();
          });
        },
      });
      const failing = job<{ entityId: number }>({
        maxAttempts: 1,
        handler: async ({ entityId }, ctx) => {
          await ctx.completeWith(async (trx) => {
            await trx
              .insertInto('domain_events')
              .values({ type: 'test.effect', entity_type: 'job', entity_id: entityId, payload: ctx.jobId, occurred_at: new Date().toISOString() })
              .execute();
            throw new Error('fails after the effect');
          });
        },
      });
      const queue = await open(work, failing);
      const entityId = 900_000 + seq;
      const ok = await enqueueCommitted(queue, work.request({ entityId }));
      const bad = await enqueueCommitted(queue, failing.request({ entityId: entityId + 1 }));
      await queue.start(POLL);
      await expectEventually(async () => {
        expect((await queue.get(ok!))?.state).toBe('completed');
        expect((await queue.get(bad!))?.state).toBe('dead');
      });
      const effects = await handle.db.selectFrom('domain_events').select(['entity_id', 'payload']).where('type', '=', 'test.effect').where('entity_id', 'in', [entityId, entityId + 1]).execute();
      expect(effects).toEqual([{ entity_id: entityId, payload: ok }]);
    });

    it('refuses a payload that does not match the job\'s schema at enqueue, failing the caller\'s transaction', async () => {
      const work = job({ payload: z.object({ orderId: z.number().int().positive() }), handler: async () => {} });
      const queue = await open(work);
      const bad = { name: work.name, payload: { orderId: 'forty-two' } };
      await expect(enqueueCommitted(queue, bad)).rejects.toBeInstanceOf(InvalidJobPayloadError);
      await expect(enqueueCommitted(queue, bad)).rejects.toThrow(/payload of job "suite\.job\d+" does not match its schema: orderId: /);
      expect(await queue.list({ name: work.name })).toEqual([]);
      expect(await enqueueCommitted(queue, work.request({ orderId: 42 }))).not.toBeNull();
    });

    it('sends a job whose stored payload no longer matches its schema to the dead letters without running it', async () => {
      const name = `suite.job${++seq}`;
      const runs: unknown[] = [];
      // An older release enqueued { orderId }; this one wants { orderIds }.
      const before = defineJob({ name, payload: z.object({ orderId: z.number() }), handler: async () => {} });
      const after = defineJob({ name, payload: z.object({ orderIds: z.array(z.number()) }), handler: async (payload) => void runs.push(payload) });
      const id = await enqueueCommitted(await open(before), before.request({ orderId: 7 }));
      const worker = await open(after);
      await worker.start(POLL);
      await expectEventually(async () => expect((await worker.get(id!))?.state).toBe('dead'));
      expect(runs).toEqual([]);
      expect((await worker.get(id!))?.lastError).toMatch(/does not match its schema: orderIds: /);
    });

    it('aborts a run that exceeds its maximum run time, frees its slot and retries it', async () => {
      const signals: AbortSignal[] = [];
      let attempts = 0;
      const hanging = job({
        maxRunMs: 150,
        maxAttempts: 3,
        // Long enough that the check below sees the job between attempts: a worker woken by the
        // enqueue notification takes a retry the moment its backoff ends.
        backoff: { baseDelayMs: 400 },
        // Ignores its signal and never ends on the first two attempts: what a stuck HTTP call does.
        handler: async (_payload, ctx) => {
          attempts++;
          signals.push(ctx.signal);
          if (ctx.attempt < 3) await new Promise(() => {});
        },
      });
      const quick = job({ handler: async () => {} });
      const queue = await open(hanging, quick);
      const stuck = await enqueueCommitted(queue, hanging.request({}));
      await queue.start({ ...POLL, concurrency: 1 });
      await expectEventually(async () => expect((await queue.get(stuck!))?.state).toBe('retrying'));
      expect(signals[0]?.aborted).toBe(true);
      expect((await queue.get(stuck!))?.lastError).toMatch(/JobTimeoutError: job "suite\.job\d+" ran longer than its limit of 150 ms and was aborted/);
      // With one slot, another job runs although the first handler never returned.
      const other = await enqueueCommitted(queue, quick.request({}));
      await expectEventually(async () => expect((await queue.get(other!))?.state).toBe('completed'));
      await expectEventually(async () => expect((await queue.get(stuck!))?.state).toBe('completed'));
      expect(attempts).toBe(3);
    });

    it('does not retry a job whose entity is gone or whose input is invalid (DomainError)', async () => {
      const gone = job({ handler: async () => Promise.reject(new DomainError('not_found', 'order 42 not found')) });
      const invalid = job({ handler: async () => Promise.reject(new DomainError('validation_failed', 'body.phones[0]: not a phone')) });
      const busy = job({ maxAttempts: 2, backoff: { baseDelayMs: 10 }, handler: async () => Promise.reject(new DomainError('version_conflict', 'changed meanwhile')) });
      const queue = await open(gone, invalid, busy);
      const ids = [await enqueueCommitted(queue, gone.request({})), await enqueueCommitted(queue, invalid.request({})), await enqueueCommitted(queue, busy.request({}))];
      await queue.start(POLL);
      await expectEventually(async () => {
        for (const id of ids) expect((await queue.get(id!))?.state).toBe('dead');
      });
      expect((await Promise.all(ids.map((id) => queue.get(id!)))).map((j) => j?.attempts)).toEqual([1, 1, 2]);
    });

    it('does not claim jobs whose names the worker is told are paused, and claims them once they are not', async () => {
      const paused = new Set<string>();
      const held = job({ handler: async () => {} });
      const free = job({ handler: async () => {} });
      const queue = await open(held, free);
      paused.add(held.name);
      const a = await enqueueCommitted(queue, held.request({}));
      const b = await enqueueCommitted(queue, free.request({}));
      await queue.start({ ...POLL, paused: async () => paused });
      await expectEventually(async () => expect((await queue.get(b!))?.state).toBe('completed'));
      expect((await queue.get(a!))?.state).toBe('pending');
      paused.clear();
      await expectEventually(async () => expect((await queue.get(a!))?.state).toBe('completed'));
    });

    it('tells whether a job of a name and key is unfinished', async () => {
      const release = deferred();
      const work = job({ handler: async () => release.promise });
      const queue = await open(work);
      expect(await queue.hasUnfinished(handle.db, work.name, 'schedule:x')).toBe(false);
      const id = await enqueueCommitted(queue, work.request({}, { key: 'schedule:x' }));
      expect(await queue.hasUnfinished(handle.db, work.name, 'schedule:x')).toBe(true);
      expect(await queue.hasUnfinished(handle.db, work.name, 'schedule:y')).toBe(false);
      await queue.start(POLL);
      await expectEventually(async () => expect((await queue.get(id!))?.state).toBe('active'));
      expect(await queue.hasUnfinished(handle.db, work.name, 'schedule:x')).toBe(true);
      release.resolve();
      await expectEventually(async () => expect((await queue.get(id!))?.state).toBe('completed'));
      expect(await queue.hasUnfinished(handle.db, work.name, 'schedule:x')).toBe(false);
    });

    it('reports counts per job name and state, and completions per hour', async () => {
      const good = job({ handler: async () => {} });
      const bad = job({ handler: async () => Promise.reject(new PermanentJobError('no')) });
      const later = job({ handler: async () => {} });
      const queue = await open(good, bad, later);
      for (let i = 0; i < 3; i++) await enqueueCommitted(queue, good.request({ i }));
      await enqueueCommitted(queue, bad.request({}));
      await enqueueCommitted(queue, later.request({}, { runAt: new Date(Date.now() + 3_600_000) }));
      await queue.start(POLL);
      await expectEventually(async () => {
        const stats = await queue.stats();
        expect(stats.find((s) => s.name === good.name)).toEqual({ name: good.name, pending: 0, retrying: 0, active: 0, completed: 3, dead: 0 });
        expect(stats.find((s) => s.name === bad.name)).toEqual({ name: bad.name, pending: 0, retrying: 0, active: 0, completed: 0, dead: 1 });
        expect(stats.find((s) => s.name === later.name)).toEqual({ name: later.name, pending: 1, retrying: 0, active: 0, completed: 0, dead: 0 });
      });
      const listed = await queue.list({ name: good.name, limit: 2 });
      expect(listed).toHaveLength(2);
      expect(listed.every((j) => j.state === 'completed')).toBe(true);
      const hours = await queue.throughput(24);
      const total = hours.reduce((sum, h) => ({ completed: sum.completed + h.completed, dead: sum.dead + h.dead }), { completed: 0, dead: 0 });
      expect(total.completed).toBeGreaterThanOrEqual(3);
      expect(total.dead).toBeGreaterThanOrEqual(1);
      expect(hours[0]?.hour).toMatch(/^\d{4}-\d\d-\d\dT\d\d:00:00\.000Z$/);
    });
  });
}
