import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowIso } from './json.js';

export interface IntegrationRecord<T> {
  key: string;
  data: T;
  updatedAt: string;
  /** When the other system stopped listing it; null while it does. */
  missingSince: string | null;
}

/**
 * Documents an integration keeps about things of the other system that are not our entities
 * (an ERP's templates), keyed by that system's own id. Each integration owns the shape of its
 * documents; the core only stores them.
 */
export class IntegrationRecordStore {
  constructor(private readonly db: Kysely<Database>) {}

  async get<T>(system: string, kind: string, key: string, db: Kysely<Database> = this.db): Promise<IntegrationRecord<T> | null> {
    const row = await db
      .selectFrom('integration_records')
      .selectAll()
      .where('system', '=', system)
      .where('kind', '=', kind)
      .where('key', '=', key)
      .executeTakeFirst();
    return row ? toRecord<T>(row) : null;
  }

  /** All of a kind, in key order. */
  async list<T>(system: string, kind: string, db: Kysely<Database> = this.db): Promise<Array<IntegrationRecord<T>>> {
    const rows = await db.selectFrom('integration_records').selectAll().where('system', '=', system).where('kind', '=', kind).orderBy('key').execute();
    return rows.map((row) => toRecord<T>(row));
  }

  /** Replaces the document; a record written again is listed again (no longer missing). */
  async put<T>(system: string, kind: string, key: string, data: T, db: Kysely<Database> = this.db): Promise<void> {
    const text = JSON.stringify(data);
    const now = nowIso();
    await db
      .insertInto('integration_records')
      .values({ system, kind, key, data: text, updated_at: now, missing_since: null })
      .onConflict((oc) => oc.columns(['system', 'kind', 'key']).doUpdateSet({ data: text, updated_at: now, missing_since: null }))
      .execute();
  }

  /** Drops the record (a piece of work done, a session ended); answers whether there was one. */
  async remove(system: string, kind: string, key: string, db: Kysely<Database> = this.db): Promise<boolean> {
    const result = await db.deleteFrom('integration_records').where('system', '=', system).where('kind', '=', kind).where('key', '=', key).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Marks the records of a kind whose keys are not in `present` as missing (those already missing keep their date). Answers the keys newly marked. */
  async markMissing(system: string, kind: string, present: readonly string[], db: Kysely<Database> = this.db): Promise<string[]> {
    let query = db
      .updateTable('integration_records')
      .set({ missing_since: nowIso() })
      .where('system', '=', system)
      .where('kind', '=', kind)
      .where('missing_since', 'is', null);
    if (present.length) query = query.where('key', 'not in', [...present]);
    const rows = await query.returning('key').execute();
    return rows.map((row) => row.key);
  }
}

function toRecord<T>(row: { key: string; data: string; updated_at: string; missing_since: string | null }): IntegrationRecord<T> {
  return { key: row.key, data: JSON.parse(row.data) as T, updatedAt: row.updated_at, missingSince: row.missing_since };
}
