import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect, SqliteDriver } from 'kysely';
import type { DatabaseConnection, Driver, SqliteDatabase, SqliteDialectConfig, SqliteStatement } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import { SqliteWriteBatcher, registerWriteBatcher } from './write-batcher.js';

export type DialectName = 'sqlite' | 'postgres';

export interface DatabaseHandle {
  db: Kysely<Database>;
  dialect: DialectName;
  /** The URL with any password masked, for logs. */
  displayUrl: string;
  /** PostgreSQL connection string (pg-boss needs it); null on SQLite. */
  postgresUrl: string | null;
  close(): Promise<void>;
}

export const DEFAULT_DATABASE_URL = 'sqlite:data/printsync.db';

/** `sqlite:PATH`, `sqlite::memory:` or `postgres://…` / `postgresql://…`. */
export function parseDatabaseUrl(url: string): { dialect: DialectName; location: string } {
  if (url.startsWith('sqlite:')) {
    const location = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (!location) throw new Error('DATABASE_URL: "sqlite:" needs a file path, e.g. sqlite:data/printsync.db');
    return { dialect: 'sqlite', location };
  }
  if (/^postgres(ql)?:\/\//.test(url)) return { dialect: 'postgres', location: url };
  throw new Error(`DATABASE_URL: expected "sqlite:PATH" or "postgres://…", got "${maskPassword(url)}"`);
}

/** Masks `user:PASSWORD@` and query parameters such as `?password=` / `sslpassword=` (pg reads both). */
export function maskPassword(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@').replace(/([?&][^=&#]*password=)[^&#]*/gi, '$1***');
}

export function openDatabase(url: string): DatabaseHandle {
  const { dialect, location } = parseDatabaseUrl(url);
  if (dialect === 'sqlite') return openSqlite(location, url);
  return openPostgres(location);
}

function openSqlite(location: string, url: string): DatabaseHandle {
  if (location !== ':memory:') mkdirSync(dirname(resolve(location)), { recursive: true });
  const sqlite = new BetterSqlite3(location);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  // Savepoint journals (one per unit of a group commit) and temp b-trees stay in memory.
  sqlite.pragma('temp_store = MEMORY');
  sqlite.pragma('cache_size = -32000');
  // Several processes (serve, CLI commands) may share the file: wait for a lock rather than fail.
  sqlite.pragma('busy_timeout = 10000');
  // An order rewrites the same few pages (the last leaf of each table and index) commit after
  // commit. A checkpoint copies each page once however many times the WAL holds it, so fewer,
  // larger checkpoints copy far less: every 10,000 pages (about 40 MB of WAL) instead of 1,000.
  // The WAL file is cut back to 64 MB after a checkpoint.
  sqlite.pragma('wal_autocheckpoint = 10000');
  sqlite.pragma('journal_size_limit = 67108864');
  const connection = withStatementCache(sqlite);
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: connection }) });
  registerWriteBatcher(db, new SqliteWriteBatcher(db, connection));
  return { db, dialect: 'sqlite', displayUrl: url, postgresUrl: null, close: () => db.destroy() };
}

// Money and counters are bigint columns; they stay far below 2^53, so plain numbers are safe.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

function openPostgres(url: string): DatabaseHandle {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle connection the server closes (restart, failover, admin) emits 'error' on the pool;
  // without a listener that would crash the process. The pool drops it and reconnects on demand.
  pool.on('error', (error) => process.emitWarning(`PostgreSQL connection lost: ${error.message}`));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', displayUrl: maskPassword(url), postgresUrl: url, close: () => db.destroy() };
}

/**
 * Kysely opens SQLite transactions with a deferred `begin`. A deferred transaction that reads
 * and then writes can fail at once with SQLITE_BUSY when another process writes meanwhile
 * (busy_timeout does not apply to that upgrade). Every printsync transaction writes, so take
 * the write lock up front and let busy_timeout queue the processes.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}

const STATEMENT_CACHE_SIZE = 1_000;

/**
 * Kysely asks better-sqlite3 to prepare every query anew, which costs more than running it.
 * printsync issues a few hundred distinct statements, so prepared ones are kept by their SQL and
 * reused. A hit is one map lookup: keeping them in use order cost more than it saved, and the
 * cache is large enough that eviction (oldest first) is rare.
 */
function withStatementCache(sqlite: BetterSqlite3.Database): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string): SqliteStatement {
      let statement = cache.get(sql);
      if (!statement) {
        statement = sqlite.prepare(sql) as unknown as SqliteStatement;
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}
