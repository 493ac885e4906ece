import { execFile } from 'node:child_process';
import { z } from 'zod';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connection.js';
import type { DatabaseHandle } from '../../src/db/connection.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createJobQueue, defineJob, PermanentJobError } from '../../src/jobs/index.js';
import type { JobQueue, JobView } from '../../src/jobs/index.js';
import { createTestDatabase, TEST_DIALECTS } from '../support/databases.js';
import type { TestDatabase } from '../support/databases.js';
import { expectEventually } from '../support/eventually.js';

const BIN = fileURLToPath(new URL('../../bin/printsync.js', import.meta.url));
const run = promisify(execFile);

describe.each(TEST_DIALECTS)('printsync jobs on %s', (dialect) => {
  let database: TestDatabase;
  let handle: DatabaseHandle;
  let queue: JobQueue;

  afterEach(async () => {
    await queue?.close();
    await handle?.close();
    await database?.drop();
  });

  async function cli(...args: string[]): Promise<string> {
    const { stdout } = await run(process.execPath, [BIN, 'jobs', ...args, '--db', database.url], { env: { ...process.env, DATABASE_URL: '' } });
    return stdout;
  }

  it('lists jobs, shows dead letters with their reason and replays one', async () => {
    database = await createTestDatabase(dialect);
    handle = openDatabase(database.url);
    await migrateToLatest(handle.db);
    const ok = defineJob({ name: 'cli.ok', payload: z.object({}), handler: async () => {} });
    const broken = defineJob({
      name: 'cli.broken',
      payload: z.object({ orderId: z.number() }),
      handler: async () => {
        throw new PermanentJobError('contact 17 not found');
      },
    });
    queue = await createJobQueue(handle, { catalog: [ok, broken], pgBoss: { supervise: false } });
    await handle.db.transaction().execute(async (trx) => {
      await queue.enqueue(trx, ok.request({}, { key: 'order:1' }));
      await queue.enqueue(trx, broken.request({ orderId: 2 }, { key: 'order:2' }));
    });
    await queue.start({ pollIntervalMs: 20 });
    await expectEventually(async () => expect(await queue.list({ state: 'dead' })).toHaveLength(1));
    await queue.stop();

    const table = await cli('list');
    expect(table).toMatch(/^ID\s+NAME\s+KEY\s+STATE/);
    expect(table).toMatch(/cli\.broken\s+order:2\s+dead/);
    expect(table).toMatch(/cli\.ok\s+order:1\s+completed/);

    const dead = JSON.parse(await cli('dead', '--json')) as JobView[];
    expect(dead).toEqual([expect.objectContaining({ name: 'cli.broken', state: 'dead', lastError: expect.stringMatching(/contact 17 not found/) })]);
    expect(await cli('dead')).toMatch(/contact 17 not found/);

    expect(await cli('replay', dead[0]!.id)).toMatch(/is pending again/);
    expect((await queue.get(dead[0]!.id))?.state).toBe('pending');
    await expect(cli('replay', dead[0]!.id)).rejects.toMatchObject({ stderr: expect.stringMatching(/only dead jobs can be replayed/) });
    await expect(cli('list', '--state', 'sleeping')).rejects.toMatchObject({ stderr: expect.stringMatching(/--state must be one of/) });
    // Each command is a fresh `node` + tsx start, a few seconds on a loaded machine.
  }, 90_000);
});
