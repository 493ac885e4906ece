import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiTokenStore, TOKEN_TRUST_MS } from '../../src/store/api-tokens.js';
import { openTestDatabase, TEST_DIALECTS } from '../support/databases.js';

/**
 * A verified token is trusted for a few seconds instead of being looked up on every request
 * (issue 6, speed). A revocation still works: at once in the process that revokes, and within
 * TOKEN_TRUST_MS in the others (the CLI revokes while `serve` runs).
 */
describe.each(TEST_DIALECTS)('API tokens on %s', (dialect) => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  beforeAll(async () => {
    database = await openTestDatabase(dialect);
  });
  afterAll(async () => database?.close());

  it('trusts a verified token for TOKEN_TRUST_MS, then sees a revocation made elsewhere', async () => {
    let now = 1_000_000;
    const server = new ApiTokenStore(database.handle.db, () => now);
    const cli = new ApiTokenStore(database.handle.db);
    const { id, token } = await server.create('storefront');
    expect(await server.verify(token)).toEqual({ id, name: 'storefront' });
    expect(await cli.revoke(id)).toBe(true);
    now += TOKEN_TRUST_MS - 1;
    expect(await server.verify(token)).toEqual({ id, name: 'storefront' });
    now += 2;
    expect(await server.verify(token)).toBeNull();
  });

  it('stops trusting at once in the process that revokes; never trusts an unknown token', async () => {
    const store = new ApiTokenStore(database.handle.db);
    const { id, token } = await store.create('script');
    expect(await store.verify(token)).not.toBeNull();
    await store.revoke(id);
    expect(await store.verify(token)).toBeNull();
    expect(await store.verify(`${token}x`)).toBeNull();
    expect(await store.verify('not-a-token')).toBeNull();
  });
});
