import type { Kysely, QueryResult, SqliteDatabase } from 'kysely';
import type { Database } from './schema.js';

/**
 * SQLite statements run straight on the connection a group commit holds (see write-batcher.ts).
 * Kysely passes every query through half a dozen asynchronous layers (executor, connection
 * provider, the connection's mutex) before better-sqlite3 runs it synchronously; an order create
 * runs about ten statements, and those layers and the promises they make cost more than some of
 * the statements. Inside a batch the transaction already owns the one connection, so the hot
 * prepared statements (db/prepared.ts) and the batch's savepoints run on it directly, with the
 * same statement cache and the same results Kysely's SQLite driver gives.
 *
 * Only a live batch transaction is bound: it is unbound before its commit or rollback, so a
 * statement can never run this way outside the transaction that holds the connection.
 */
const bound = new WeakMap<Kysely<Database>, SqliteDatabase>();

export function bindDirect(trx: Kysely<Database>, sqlite: SqliteDatabase): void {
  bound.set(trx, sqlite);
}

export function unbindDirect(trx: Kysely<Database>): void {
  bound.delete(trx);
}

/** The connection `db` may run statements on directly: only a bound batch transaction has one. */
export function directConnection(db: Kysely<Database>): SqliteDatabase | undefined {
  return bound.get(db);
}

/** What Kysely's SqliteConnection.executeQuery answers, computed the same way, synchronously. */
export function runDirect<Row>(sqlite: SqliteDatabase, sql: string, parameters: readonly unknown[]): QueryResult<Row> {
  const statement = sqlite.prepare(sql);
  if (statement.reader) return { rows: statement.all(parameters) as Row[] };
  const { changes, lastInsertRowid } = statement.run(parameters);
  return {
    numAffectedRows: changes !== undefined && changes !== null ? BigInt(changes) : undefined,
    insertId: lastInsertRowid !== undefined && lastInsertRowid !== null ? BigInt(lastInsertRowid) : undefined,
    rows: [],
  };
}
