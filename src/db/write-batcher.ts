import { CompiledQuery } from 'kysely';
import type { Kysely, SqliteDatabase } from 'kysely';
import { bindDirect, directConnection, runDirect, unbindDirect } from './direct.js';
import type { Database } from './schema.js';

type Work<T> = (trx: Kysely<Database>) => Promise<T>;

const SAVEPOINT = CompiledQuery.raw('savepoint unit');
const ROLLBACK_TO_SAVEPOINT = CompiledQuery.raw('rollback to savepoint unit');
const RELEASE_SAVEPOINT = CompiledQuery.raw('release savepoint unit');

interface Pending {
  work: Work<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Group commit for SQLite. A commit writes every page the transaction touched to the WAL, and
 * that write costs more than the statements before it; an order touches a dozen pages. Units
 * of work that arrive together therefore share one transaction, each inside its own savepoint:
 * a unit that fails is rolled back alone, and every caller hears its outcome only after the
 * shared commit, so nothing is acknowledged that is not durable.
 *
 * Units must only use the database (no network calls): the batch holds the write lock while
 * they run.
 */
export class SqliteWriteBatcher {
  readonly #queue: Pending[] = [];
  #flushing = false;

  constructor(
    private readonly db: Kysely<Database>,
    /** The connection under `db`: the batch's statements then skip Kysely's layers (db/direct.ts). */
    private readonly sqlite?: SqliteDatabase,
    private readonly maxUnitsPerCommit = 100,
  ) {}

  run<T>(work: Work<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.#flushing) {
        this.#flushing = true;
        // Let requests parsed in the same turn of the event loop join this commit.
        setImmediate(() => void this.#flushAll());
      }
    });
  }

  async #flushAll(): Promise<void> {
    try {
      while (this.#queue.length > 0) await this.#flush(this.#queue.splice(0, this.maxUnitsPerCommit));
    } finally {
      this.#flushing = false;
    }
  }

  async #flush(batch: Pending[]): Promise<void> {
    const outcomes: Outcome[] = [];
    try {
      const trx = await this.db.startTransaction().execute();
      if (this.sqlite) bindDirect(trx, this.sqlite);
      try {
        if (batch.length === 1) {
          // Alone, a unit needs no savepoint: if it fails, the whole transaction is its own.
          const outcome = await settle(() => batch[0]!.work(trx));
          outcomes.push(outcome);
          unbindDirect(trx);
          if (outcome.ok) await trx.commit().execute();
          else await trx.rollback().execute();
        } else {
          for (const unit of batch) {
            // Plain statements rather than Kysely's savepoint objects: one savepoint at a time,
            // each released before the next, so one name serves them all.
            await execute(trx, SAVEPOINT);
            const outcome = await settle(() => unit.work(trx));
            if (!outcome.ok) await execute(trx, ROLLBACK_TO_SAVEPOINT);
            await execute(trx, RELEASE_SAVEPOINT);
            outcomes.push(outcome);
          }
          unbindDirect(trx);
          await trx.commit().execute();
        }
      } catch (error) {
        unbindDirect(trx);
        await trx.rollback().execute().catch(() => undefined);
        throw error;
      }
    } catch (error) {
      // The shared transaction failed (e.g. disk full): nothing of the batch was stored.
      for (const unit of batch) unit.reject(error);
      return;
    }
    batch.forEach((unit, index) => {
      const outcome = outcomes[index]!;
      if (outcome.ok) unit.resolve(outcome.value);
      else unit.reject(outcome.error);
    });
  }
}

async function execute(trx: Kysely<Database>, query: CompiledQuery): Promise<void> {
  const direct = directConnection(trx);
  if (direct) runDirect(direct, query.sql, query.parameters);
  else await trx.executeQuery(query);
}

async function settle(work: () => Promise<unknown>): Promise<Outcome> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    return { ok: false, error };
  }
}

const batchers = new WeakMap<Kysely<Database>, SqliteWriteBatcher>();

export function registerWriteBatcher(db: Kysely<Database>, batcher: SqliteWriteBatcher): void {
  batchers.set(db, batcher);
}

export function writeBatcherFor(db: Kysely<Database>): SqliteWriteBatcher | undefined {
  return batchers.get(db);
}
