import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { DomainError } from '../domain/errors.js';
import { nowIso } from './json.js';
import { transact } from './transaction.js';

export interface StoredResponse {
  statusCode: number;
  body: unknown;
  /** True when this response was recorded by an earlier request with the same key. */
  replayed: boolean;
}

/**
 * `Idempotency-Key` support for creates. The key is recorded in the same transaction as the
 * create, so "created" and "key used" commit together: a retry after a lost response, or a
 * duplicate sent in parallel, gets the first response instead of a second order. A parallel
 * duplicate waits on the key's unique index (PostgreSQL) or the write lock (SQLite) and then
 * reads the committed record.
 */
export class IdempotencyStore {
  constructor(private readonly db: Kysely<Database>) {}

  async run(
    scope: string,
    key: string,
    request: unknown,
    create: (trx: Kysely<Database>) => Promise<{ statusCode: number; body: unknown }>,
  ): Promise<StoredResponse> {
    const requestHash = createHash('sha256').update(JSON.stringify(request)).digest('hex');
    const earlier = await this.find(scope, key);
    if (earlier) return this.replay(earlier, requestHash);
    try {
      return await transact(this.db, async (trx) => {
        await trx
          .insertInto('idempotency_keys')
          .values({ scope, key, request_hash: requestHash, status_code: null, response_body: null, created_at: nowIso() })
          .execute();
        const response = await create(trx);
        await trx
          .updateTable('idempotency_keys')
          .set({ status_code: response.statusCode, response_body: JSON.stringify(response.body) })
          .where('scope', '=', scope)
          .where('key', '=', key)
          .execute();
        return { ...response, replayed: false };
      });
    } catch (error) {
      // Lost the race to a parallel request with the same key: answer with what it recorded.
      const winner = await this.find(scope, key);
      if (winner) return this.replay(winner, requestHash);
      throw error;
    }
  }

  private async find(scope: string, key: string) {
    return this.db
      .selectFrom('idempotency_keys')
      .select(['request_hash', 'status_code', 'response_body'])
      .where('scope', '=', scope)
      .where('key', '=', key)
      .executeTakeFirst();
  }

  private replay(
    record: { request_hash: string; status_code: number | null; response_body: string | null },
    requestHash: string,
  ): StoredResponse {
    if (record.request_hash !== requestHash) {
      throw new DomainError('conflict', 'this Idempotency-Key was already used with a different request body; use a new key', [
        { path: 'headers.idempotency-key', message: 'already used with a different request body' },
      ]);
    }
    return { statusCode: record.status_code ?? 201, body: JSON.parse(record.response_body ?? 'null'), replayed: true };
  }

  /** Keys older than the retention window are forgotten (clients retry within minutes, not days). */
  async purgeOlderThan(cutoff: Date): Promise<number> {
    const result = await this.db.deleteFrom('idempotency_keys').where('created_at', '<', cutoff.toISOString()).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
