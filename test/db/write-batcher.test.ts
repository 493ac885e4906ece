import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connection.js';
import type { DatabaseHandle } from '../../src/db/connection.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { transact } from '../../src/store/transaction.js';
import { createTestDatabase } from '../support/databases.js';
import type { TestDatabase } from '../support/databases.js';

describe('SQLite group commit', () => {
  let database: TestDatabase;
  let handle: DatabaseHandle;
  afterEach(async () => {
    await handle?.close();
    await database?.drop();
  });

  const open = async () => {
    database = await createTestDatabase('sqlite');
    handle = openDatabase(database.url);
    await migrateToLatest(handle.db);
    return handle.db;
  };

  const insertToken = (name: string) => (trx: typeof handle.db) =>
    trx.insertInto('api_tokens').values({ name, token_hash: name, created_at: new Date().toISOString() }).execute();

  it('commits concurrent units together, and a failing unit rolls back alone', async () => {
    const db = await open();
    const results = await Promise.allSettled([
      transact(db, insertToken('a')),
      transact(db, async (trx) => {
        await insertToken('b')(trx);
        throw new Error('unit b changed its mind');
      }),
      // Same hash as "a": a constraint violation in the middle of the batch.
      transact(db, insertToken('a')),
      transact(db, insertToken('c')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    const names = (await db.selectFrom('api_tokens').select('name').orderBy('name').execute()).map((r) => r.name);
    expect(names).toEqual(['a', 'c']);
  });

  it('rolls back a unit that fails alone in its commit, with what it wrote before failing', async () => {
    const db = await open();
    await expect(
      transact(db, async (trx) => {
        await insertToken('lonely')(trx);
        throw new Error('alone and failing');
      }),
    ).rejects.toThrow('alone and failing');
    await transact(db, insertToken('next'));
    expect((await db.selectFrom('api_tokens').select('name').execute()).map((r) => r.name)).toEqual(['next']);
  });

  it('answers a unit only once its commit is on disk: a second connection sees the row', async () => {
    const db = await open();
    await transact(db, insertToken('durable'));
    const other = openDatabase(database.url);
    try {
      const row = await other.db.selectFrom('api_tokens').select('name').where('name', '=', 'durable').executeTakeFirst();
      expect(row?.name).toBe('durable');
    } finally {
      await other.close();
    }
  });
});
