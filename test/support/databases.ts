import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase } from '../../src/db/connection.js';
import type { DatabaseHandle } from '../../src/db/connection.js';
import { migrateToLatest } from '../../src/db/migrate.js';

/**
 * Where the PostgreSQL test server is: scripts/test.sh exports TEST_POSTGRES_URL after making
 * sure a server runs (the machine's own, or one the project starts). Running a single test
 * file by hand falls back to the machine's default server.
 */
export const TEST_POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export type TestDialect = 'sqlite' | 'postgres';
export const TEST_DIALECTS: TestDialect[] = ['sqlite', 'postgres'];

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A new, empty database of the given dialect: a temp SQLite file, or a fresh PostgreSQL database. */
export async function createTestDatabase(dialect: TestDialect): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'printsync-test-'));
    return { url: `sqlite:${join(dir, 'printsync.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `printsync_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
      await client.connect();
      try {
        // Closed pools can take a moment to say goodbye; FORCE would kill their connections with
        // 57P01 errors surfacing in the test. So wait for them, and force only what lingers.
        for (let attempt = 0; attempt < 50; attempt++) {
          const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1', [name]);
          if (rows[0]?.n === '0') break;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** A new, migrated database of the given dialect with an open handle; `close()` closes it and drops the database. */
export async function openTestDatabase(dialect: TestDialect): Promise<{ handle: DatabaseHandle; url: string; close(): Promise<void> }> {
  const database = await createTestDatabase(dialect);
  const handle = openDatabase(database.url);
  await migrateToLatest(handle.db);
  return {
    handle,
    url: database.url,
    async close() {
      await handle.close();
      await database.drop();
    },
  };
}
