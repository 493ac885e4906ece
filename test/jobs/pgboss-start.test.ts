import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openDatabase } from '../../src/db/connection.js';
import type { DatabaseHandle } from '../../src/db/connection.js';
import { createJobQueue, defineJob } from '../../src/jobs/index.js';
import type { JobQueue } from '../../src/jobs/index.js';
import { openTestDatabase } from '../support/databases.js';

/**
 * `printsync serve` and `printsync worker` started together on a new database (or after a
 * release that added jobs) each create pg-boss's queues for every job name. pg-boss creates a
 * queue as a table partition, and two processes doing that at once can deadlock in PostgreSQL:
 * one of them then failed to start (seen in CI).
 */
describe('pg-boss: processes starting at once on one database', () => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  const handles: DatabaseHandle[] = [];
  const queues: JobQueue[] = [];

  beforeAll(async () => {
    database = await openTestDatabase('postgres');
  });
  afterAll(async () => {
    for (const queue of queues) await queue.close();
    for (const handle of handles) await handle.close();
    await database?.close();
  });

  it('all start, each creating the queues of every job', async () => {
    const jobs = Array.from({ length: 8 }, (_, i) => defineJob({ name: `start.job${i}`, payload: z.object({}), handler: async () => {} }));
    const started = await Promise.allSettled(
      Array.from({ length: 4 }, async () => {
        const handle = openDatabase(database.url);
        handles.push(handle);
        const queue = await createJobQueue(handle, { catalog: jobs, pgBoss: { supervise: false } });
        queues.push(queue);
        return queue;
      }),
    );
    expect(started.filter((s) => s.status === 'rejected').map((s) => String((s as PromiseRejectedResult).reason))).toEqual([]);
    // Each can take work at once.
    const id = await database.handle.db.transaction().execute((trx) => queues[0]!.enqueue(trx, jobs[7]!.request({})));
    expect((await queues[3]!.get(id!))?.state).toBe('pending');
  });
});
