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
/** How long a verified token is taken on trust before it is looked up again. */
export const TOKEN_TRUST_MS = 5_000;
const MAX_TRUSTED_TOKENS = 1_000;

export class ApiTokenStore {
  /** Tokens verified in the last few seconds: the storefront sends one token with every request. */
  readonly #trusted = new Map<string, { identity: ApiTokenIdentity; until: number }>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => number = Date.now,
  ) {}

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

  /**
   * The token's identity, or null. A token seen valid within the last `TOKEN_TRUST_MS` is not
   * looked up again (a lookup per request was a tenth of an order's create): a revocation, which
   * is done on the server's CLI, takes effect within that time in every process.
   */
  async verify(token: string): Promise<ApiTokenIdentity | null> {
    if (!token.startsWith(TOKEN_PREFIX)) return null;
    const hash = hashToken(token);
    const now = this.now();
    const trusted = this.#trusted.get(hash);
    if (trusted && trusted.until > now) return trusted.identity;
    const identity = await this.#lookup(hash);
    if (identity) {
      if (this.#trusted.size >= MAX_TRUSTED_TOKENS) this.#trusted.clear();
      this.#trusted.set(hash, { identity, until: now + TOKEN_TRUST_MS });
    } else {
      this.#trusted.delete(hash);
    }
    return identity;
  }

  async #lookup(hash: string): Promise<ApiTokenIdentity | null> {
    const row = await this.db
      .selectFrom('api_tokens')
      .select(['id', 'name'])
      .where('token_hash', '=', hash)
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
    // This process stops trusting it at once; others within TOKEN_TRUST_MS.
    this.#trusted.clear();
    return result.numUpdatedRows > 0n;
  }
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
