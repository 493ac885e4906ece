import { createQueryId } from 'kysely';
import type { Compilable, CompiledQuery, Kysely, QueryResult } from 'kysely';
import type { Database } from './schema.js';
import { isPostgres } from './dialect.js';
import { directConnection, runDirect } from './direct.js';

const MARK = '\u0000prepared:';

/** Stands in for a named parameter while a prepared query is built. */
export type Param = <T>(name: string) => T;

/**
 * A query written once with Kysely's builder and compiled once per dialect, then run with new
 * parameters. Kysely builds and compiles every query anew — about as long as SQLite takes to run
 * an insert — and an order create runs a handful of them per request, so the hot ones are
 * prepared this way. The query reads as any other; values that change are `p('name')`.
 *
 * @example
 * const insertEvent = prepare((db, p) => db.insertInto('domain_events').values({ type: p('type'), … }).returning('id'));
 * const { rows } = await insertEvent.run(trx, { type: 'order.created', … });
 */
export function prepare<Row>(build: (db: Kysely<Database>, param: Param) => Compilable<Row>): PreparedQuery<Row> {
  return new PreparedQuery(build);
}

export class PreparedQuery<Row> {
  // One compiled form per dialect: SQLite and PostgreSQL write placeholders differently.
  readonly #compiled = new Map<boolean, { query: CompiledQuery<Row>; names: Array<string | null> }>();

  constructor(private readonly build: (db: Kysely<Database>, param: Param) => Compilable<Row>) {}

  async run(db: Kysely<Database>, params: Readonly<Record<string, unknown>>): Promise<QueryResult<Row>> {
    const { query, names } = this.#compiledFor(db);
    const parameters = query.parameters.map((constant, index) => {
      const name = names[index] ?? null;
      if (name === null) return constant;
      if (!(name in params)) throw new Error(`prepared query: parameter "${name}" was not given`);
      return params[name];
    });
    // In a group commit on SQLite, straight on the connection the batch holds (db/direct.ts).
    const direct = directConnection(db);
    if (direct) return runDirect<Row>(direct, query.sql, parameters);
    return db.executeQuery<Row>({ ...query, parameters, queryId: createQueryId() });
  }

  #compiledFor(db: Kysely<Database>): { query: CompiledQuery<Row>; names: Array<string | null> } {
    const postgres = isPostgres(db);
    let compiled = this.#compiled.get(postgres);
    if (!compiled) {
      const query = this.build(db, <T>(name: string) => `${MARK}${name}` as unknown as T).compile();
      const names = query.parameters.map((value) => (typeof value === 'string' && value.startsWith(MARK) ? value.slice(MARK.length) : null));
      compiled = { query, names };
      this.#compiled.set(postgres, compiled);
    }
    return compiled;
  }
}

/** Prepared queries keyed by a shape (an insert of N rows): each shape is compiled once. */
export class PreparedShapes<Row> {
  readonly #byShape = new Map<number, PreparedQuery<Row>>();

  constructor(private readonly build: (shape: number) => (db: Kysely<Database>, param: Param) => Compilable<Row>) {}

  for(shape: number): PreparedQuery<Row> {
    let query = this.#byShape.get(shape);
    if (!query) this.#byShape.set(shape, (query = new PreparedQuery(this.build(shape))));
    return query;
  }
}

