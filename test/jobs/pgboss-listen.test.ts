import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openDatabase } from '../../src/db/connection.js';
import type { DatabaseHandle } from '../../src/db/connection.js';
import { createJobQueue, defineJob } from '../../src/jobs/index.js';
import type { JobQueue } from '../../src/jobs/index.js';
import { openTestDatabase } from '../support/databases.js';
import { expectEventually } from '../support/eventually.js';
import { startTcpProxy } from '../support/tcp-proxy.js';
import type { TcpProxy } from '../support/tcp-proxy.js';

/**
 * The connection that hears committed jobs (LISTEN) can go half-open — a NAT forgets it, a
 * failover drops it without a reset — and then nothing says so: no error, no end. The worker
 * must notice by itself, listen again, and still stop at once. Here the listening connection
 * goes through a proxy that can freeze it; the worker polls only once a minute, so only its
 * notifications can make it take a job within seconds.
 */
describe('pg-boss: a listening connection that goes silent', () => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  let apiHandle: DatabaseHandle;
  let api: JobQueue;
  let worker: JobQueue;
  let proxy: TcpProxy;
  const seen: number[] = [];
  const work = defineJob({ name: 'listen.work', payload: z.object({ n: z.number() }), handler: async ({ n }) => void seen.push(n) });

  beforeAll(async () => {
    database = await openTestDatabase('postgres');
    const url = new URL(database.url);
    proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    const listenUrl = new URL(database.url);
    listenUrl.hostname = '127.0.0.1';
    listenUrl.port = String(proxy.port);
    apiHandle = openDatabase(database.url);
    api = await createJobQueue(apiHandle, { catalog: [work], pgBoss: { supervise: false } });
    worker = await createJobQueue(database.handle, {
      catalog: [work],
      pgBoss: { supervise: false, listen: { url: listenUrl.toString(), heartbeatMs: 200, timeoutMs: 300, retryMs: 100 } },
    });
    await worker.start({ pollIntervalMs: 60_000 });
    await expectEventually(() => expect(proxy.opened).toBe(1));
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await apiHandle?.close();
    await proxy?.close();
    await database?.close();
  });

  const enqueue = (n: number) => apiHandle.db.transaction().execute((trx) => api.enqueue(trx, work.request({ n })));
  const completed = (id: string | null) => expectEventually(async () => expect((await worker.get(id!))?.state).toBe('completed'), { timeoutMs: 5_000 });

  it('notices the silence by its heartbeat, listens again, and takes what was committed meanwhile', async () => {
    await completed(await enqueue(1));
    proxy.freeze();
    await completed(await enqueue(2));
    expect(proxy.opened).toBeGreaterThanOrEqual(2);
    expect(seen).toEqual([1, 2]);
  });

  it('stops at once although its listening connection does not answer', async () => {
    await expectEventually(() => expect(proxy.opened).toBeGreaterThanOrEqual(2));
    proxy.freeze();
    const stopped = worker.stop({ timeoutMs: 1_000 }).then(() => 'stopped');
    const hung = new Promise((resolve) => setTimeout(() => resolve('still stopping after 5 s'), 5_000));
    expect(await Promise.race([stopped, hung])).toBe('stopped');
  });
});
