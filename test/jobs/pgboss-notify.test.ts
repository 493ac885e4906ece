import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openDatabase } from '../../src/db/connection.js';
import type { DatabaseHandle } from '../../src/db/connection.js';
import { createJobQueue, defineJob } from '../../src/jobs/index.js';
import type { JobQueue } from '../../src/jobs/index.js';
import { openTestDatabase } from '../support/databases.js';
import { expectEventually } from '../support/eventually.js';

/**
 * On PostgreSQL the API and the workers may be separate processes (`printsync serve` and
 * `printsync worker`). A committed job tells them all (NOTIFY), so a worker takes it at once
 * rather than at its next poll. Here each process is a queue on a database handle of its own.
 */
describe('pg-boss: a job committed by one process wakes the workers of another', () => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  let apiHandle: DatabaseHandle;
  let api: JobQueue;
  let worker: JobQueue;
  const seen: number[] = [];
  const work = defineJob({ name: 'notify.work', payload: z.object({ n: z.number() }), handler: async ({ n }) => void seen.push(n) });

  beforeAll(async () => {
    database = await openTestDatabase('postgres');
    apiHandle = openDatabase(database.url);
    api = await createJobQueue(apiHandle, { catalog: [work], pgBoss: { supervise: false } });
    worker = await createJobQueue(database.handle, { catalog: [work], pgBoss: { supervise: false } });
    // Polling once a minute: only the notification can make it take a job within seconds.
    await worker.start({ pollIntervalMs: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 300));
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await apiHandle?.close();
    await database?.close();
  });

  const enqueueFromApi = (n: number) => apiHandle.db.transaction().execute((trx) => api.enqueue(trx, work.request({ n })));

  it('takes a job the other process enqueued at once, and nothing of a transaction that rolled back', async () => {
    await apiHandle.db
      .transaction()
      .execute(async (trx) => {
        await api.enqueue(trx, work.request({ n: 0 }));
        throw new Error('rolled back');
      })
      .catch(() => undefined);
    const id = await enqueueFromApi(1);
    await expectEventually(async () => expect((await worker.get(id!))?.state).toBe('completed'), { timeoutMs: 5_000 });
    expect(seen).toEqual([1]);
  });

  it('listens again after its connection is lost, and takes what was committed meanwhile', async () => {
    const { rows } = await sql<{ ended: boolean }>`
      select pg_terminate_backend(pid) as ended from pg_stat_activity
      where datname = current_database() and query like 'LISTEN printsync_jobs%'`.execute(apiHandle.db);
    expect(rows.map((row) => row.ended)).toEqual([true]);
    const id = await enqueueFromApi(2);
    // The listener comes back within its retry pause (5 s) and looks for what it missed.
    await expectEventually(async () => expect((await worker.get(id!))?.state).toBe('completed'), { timeoutMs: 15_000 });
    expect(seen).toEqual([1, 2]);
  });
});
