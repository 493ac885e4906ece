import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { DatabaseHandle } from '../../src/db/connection.js';
import { createJobQueue, defineJob } from '../../src/jobs/index.js';
import type { JobQueue } from '../../src/jobs/index.js';
import { openTestDatabase } from '../support/databases.js';
import { deferred, expectEventually } from '../support/eventually.js';

/**
 * Two live pg-boss workers and one job. Worker A runs it, stalls past its lease, the job dies
 * (pg-boss's expiry sweep with no retries left) and an admin replays it; worker B takes the
 * replay. A replay resets `retry_count`, so A's claim and B's looked alike when claims were told
 * apart by the count alone: A, waking up, completed B's claim with its stale run, and B's own
 * completion was lost. Claims are now fenced by their start time too: only B's run counts.
 */
describe('pg-boss: a stale worker and the replayed job', () => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  let handle: DatabaseHandle;
  const queues: JobQueue[] = [];

  beforeAll(async () => {
    database = await openTestDatabase('postgres');
    handle = database.handle;
    await sql`create table race_effects (job_id text not null, worker text not null)`.execute(handle.db);
  });
  afterAll(async () => {
    for (const queue of queues) await queue.close();
    await database?.close();
  });

  it('lets only the current claim complete the job: one run counts', async () => {
    const firstStarted = deferred();
    const releaseFirst = deferred();
    const secondStarted = deferred();
    const releaseSecond = deferred();
    const firstOutcome: string[] = [];
    let runs = 0;

    // One definition for both workers: whichever of them takes the replay, the first run is the
    // stale one and the second run is the current one.
    const job = defineJob({
      name: 'race.export',
      payload: z.object({ orderId: z.number() }),
      maxAttempts: 1,
      leaseMs: 1_000,
      handler: async (_payload, ctx) => {
        const run = ++runs === 1 ? 'first' : 'second';
        if (run === 'first') {
          firstStarted.resolve();
          // Stalls, deaf to its signal, like a run stuck on a call without a deadline.
          await releaseFirst.promise;
        } else {
          secondStarted.resolve();
          await releaseSecond.promise;
        }
        try {
          await ctx.completeWith(async (trx) => {
            await sql`insert into race_effects (job_id, worker) values (${ctx.jobId}, ${run})`.execute(trx);
          });
          if (run === 'first') firstOutcome.push('completed');
        } catch (error) {
          if (run === 'first') firstOutcome.push((error as Error).name);
          throw error;
        }
      },
    });
    const open = async () => {
      const queue = await createJobQueue(handle, { catalog: [job], pgBoss: { supervise: false } });
      queues.push(queue);
      return queue;
    };
    const a = await open();
    const b = await open();

    const id = (await handle.db.transaction().execute((trx) => a.enqueue(trx, job.request({ orderId: 42 }))))!;
    await a.start({ pollIntervalMs: 20 });
    await firstStarted.promise;
    // What pg-boss's maintenance does to an active job past its lease with no retries left.
    await sql`update pgboss.job set state = 'failed', completed_on = now(), output = '{"message":"lease expired"}' where id = ${id}::uuid`.execute(handle.db);
    expect(await b.replay(id)).toBe(true);
    await b.start({ pollIntervalMs: 20 });
    await secondStarted.promise;

    // The first run wakes up while the second holds the replay.
    releaseFirst.resolve();
    await expectEventually(() => expect(firstOutcome).toEqual(['LeaseLostError']));
    releaseSecond.resolve();
    await expectEventually(async () => expect((await b.get(id))?.state).toBe('completed'));
    const effects = await sql<{ worker: string }>`select worker from race_effects where job_id = ${id}`.execute(handle.db);
    expect(effects.rows.map((r) => r.worker)).toEqual(['second']);
  });
});
