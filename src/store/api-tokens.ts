import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { nowIso } from './json.js';

export interface ApiTokenIdentity {
  id: number;
  name: string;
}

const TOKEN_PREFIX = 'pst_';

/**
 * Bearer tokens for API clients. Only a SHA-256 of each token is stored: a token is 32 random
 * bytes, so a fast hash is enough (there is nothing to brute-force) and lookups stay indexed.
 */
export class ApiTokenStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** Returns the token itself; it is shown once and never stored. */
  async create(name: string): Promise<{ id: number; name: string; token: string }> {
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const { id } = await this.db
      .insertInto('api_tokens')
      .values({ name, token_hash: hashToken(token), created_at: nowIso() })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { id, name, token };
  }

  async verify(token: string): Promise<ApiTokenIdentity | null> {
    if (!token.startsWith(TOKEN_PREFIX)) return null;
    const row = await this.db
      .selectFrom('api_tokens')
      .select(['id', 'name'])
      .where('token_hash', '=', hashToken(token))
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return row ?? null;
  }

  async list(): Promise<Array<{ id: number; name: string; createdAt: string; revokedAt: string | null }>> {
    const rows = await this.db.selectFrom('api_tokens').select(['id', 'name', 'created_at', 'revoked_at']).orderBy('id').execute();
    return rows.map((r) => ({ id: r.id, name: r.name, createdAt: r.created_at, revokedAt: r.revoked_at }));
  }

  async revoke(id: number): Promise<boolean> {
    const result = await this.db
      .updateTable('api_tokens')
      .set({ revoked_at: nowIso() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
