import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADDRESS_POLICY, LOGIN_POLICY } from '../../src/auth/login-throttle.js';
import { startTestApi } from '../support/api-server.js';
import type { TestApi } from '../support/api-server.js';
import { TEST_DIALECTS } from '../support/databases.js';

interface Outcome {
  status: number;
  retryAfter: number | null;
  code: string;
  message: string;
}

describe.each(TEST_DIALECTS)('login throttle under parallel attempts on %s', (dialect) => {
  let api: TestApi;

  beforeAll(async () => {
    // Behind one trusted proxy hop the address is X-Forwarded-For, so each test gets its own
    // address and the address counters of the tests stay apart.
    api = await startTestApi(dialect, { env: { TRUST_PROXY_HOPS: '1' } });
    for (const login of ['anna', 'boris', 'vera', 'gleb']) {
      await api.services.stores.users.create({ login, password: 'secret-pass', displayName: login, role: 'manager' });
    }
  });
  afterAll(async () => api?.close());

  const attempt = async (login: string, password: string, address: string): Promise<Outcome> => {
    const response = await fetch(`${api.baseUrl}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
      body: JSON.stringify({ login, password }),
    });
    const body = (await response.json()) as { code?: string; message?: string };
    const retryAfter = response.headers.get('retry-after');
    return { status: response.status, retryAfter: retryAfter === null ? null : Number(retryAfter), code: body.code ?? '', message: body.message ?? '' };
  };

  /**
   * `count` attempts at once. The connections are opened first: 200 fresh TCP handshakes reach the
   * server in a trickle, and a tail arriving after the first checks have ended is, for the
   * server, a client that waited for its answers (which may try again at once).
   */
  const burst = async (count: number, make: (index: number) => Promise<Outcome>) => {
    await Promise.all(Array.from({ length: count }, () => fetch(`${api.baseUrl}/health`).then((r) => r.arrayBuffer())));
    return Promise.all(Array.from({ length: count }, (_, index) => make(index)));
  };
  const withStatus = (outcomes: Outcome[], status: number) => outcomes.filter((o) => o.status === status);

  const expectRefusedProperly = (outcomes: Outcome[]) => {
    for (const refused of withStatus(outcomes, 429)) {
      expect(refused.retryAfter).toBeGreaterThanOrEqual(1);
      expect(refused.code).toBe('too_many_attempts');
      expect(refused.message).toBe(`too many failed logins; try again in ${refused.retryAfter} s`);
    }
    for (const checked of withStatus(outcomes, 401)) expect(checked.code).toBe('invalid_credentials');
  };

  const row = (key: string) => api.services.database.db.selectFrom('login_throttle').selectAll().where('key', '=', key).executeTakeFirst();

  /** Moves a counter's clock back, as if `seconds` had passed (nothing here sleeps). */
  const travel = async (key: string, seconds: number) => {
    const current = await row(key);
    if (!current) return;
    const shifted: Record<string, string> = {};
    for (const [column, value] of Object.entries(current)) {
      if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value)) {
        shifted[column] = new Date(Date.parse(value) - seconds * 1000).toISOString();
      }
    }
    await api.services.database.db.updateTable('login_throttle').set(shifted).where('key', '=', key).execute();
  };

  it('checks at most the free failures of one login when 200 wrong passwords arrive at once', async () => {
    const outcomes = await burst(200, (i) => attempt('anna', `wrong-${i}`, '10.0.1.1'));
    const checked = withStatus(outcomes, 401).length;
    expect(checked).toBeGreaterThanOrEqual(1);
    expect(checked).toBeLessThanOrEqual(LOGIN_POLICY.freeFailures);
    expect(withStatus(outcomes, 429)).toHaveLength(200 - checked);
    expectRefusedProperly(outcomes);
    expect(await row('login:anna')).toMatchObject({ failures: checked, pending: 0 });
  });

  it('checks at most the free failures of one address across many logins at once', async () => {
    const outcomes = await burst(200, (i) => attempt(i % 2 ? `nobody-${i}` : 'boris', `wrong-${i}`, '10.0.2.1'));
    const checked = withStatus(outcomes, 401).length;
    expect(checked).toBeGreaterThanOrEqual(1);
    expect(checked).toBeLessThanOrEqual(ADDRESS_POLICY.freeFailures);
    expect(withStatus(outcomes, 429)).toHaveLength(200 - checked);
    expectRefusedProperly(outcomes);
    expect(await row('ip:10.0.2.1')).toMatchObject({ failures: checked, pending: 0 });

    // One by one, the address gets its free failures and one more; then it waits, and so does
    // everyone behind it, even with the right password.
    await travel('ip:10.0.2.1', 60);
    let failures = checked;
    for (let i = 0; failures <= ADDRESS_POLICY.freeFailures; i++) {
      expect((await attempt(`nobody-else-${i}`, 'wrong', '10.0.2.1')).status).toBe(401);
      failures++;
    }
    const right = await attempt('gleb', 'secret-pass', '10.0.2.1');
    expect(right.status).toBe(429);
    expect(right.retryAfter).toBeGreaterThanOrEqual(1);
    await travel('ip:10.0.2.1', 60);
    expect((await attempt('gleb', 'secret-pass', '10.0.2.1')).status).toBe(200);
  });

  it('after the free failures lets one attempt through per wait, and the right password waits too', async () => {
    const address = '10.0.3.1';
    const first = await burst(50, (i) => attempt('vera', `wrong-${i}`, address));
    expect(withStatus(first, 401).length).toBeLessThanOrEqual(LOGIN_POLICY.freeFailures);

    // The wait is over: one more attempt may be checked, however many arrive together.
    await travel('login:vera', 60);
    const second = await burst(50, (i) => attempt('vera', `wrong-again-${i}`, address));
    expect(withStatus(second, 401).length).toBeLessThanOrEqual(1);
    expect(withStatus(second, 429).length).toBeGreaterThanOrEqual(49);
    expectRefusedProperly(second);

    const refused = await attempt('vera', 'secret-pass', address);
    expect(refused.status).toBe(429);
    expect(refused.retryAfter).toBeGreaterThanOrEqual(1);
    expect(refused.retryAfter).toBeLessThanOrEqual(LOGIN_POLICY.maxDelaySeconds);

    await travel('login:vera', LOGIN_POLICY.maxDelaySeconds);
    expect((await attempt('vera', 'secret-pass', address)).status).toBe(200);
    // A successful login clears its login's counter: the free failures are there again.
    expect((await row('login:vera'))?.failures ?? 0).toBe(0);
    expect((await attempt('vera', 'wrong', address)).status).toBe(401);
  });

  it('counts a reservation whose request never finished as a failure once its lease runs out', async () => {
    const keys = [
      { key: 'login:gleb', policy: LOGIN_POLICY },
      { key: 'ip:10.0.4.1', policy: ADDRESS_POLICY },
    ];
    // Two requests reserved their attempts and died before the password check ended.
    const throttle = api.services.stores.loginThrottle;
    expect((await throttle.reserve(keys)).granted).toBe(true);
    expect((await throttle.reserve(keys)).granted).toBe(true);
    expect((await attempt('gleb', 'secret-pass', '10.0.4.1')).status).toBe(429);

    await travel('login:gleb', 120);
    await travel('ip:10.0.4.1', 120);
    const counter = await throttle.reserve([{ key: 'login:gleb', policy: LOGIN_POLICY }]);
    expect(counter.granted).toBe(true);
    expect(await row('login:gleb')).toMatchObject({ failures: 2, pending: 1 });
    if (counter.granted) await counter.succeeded();
    expect(await row('login:gleb')).toBeUndefined();
    expect((await attempt('gleb', 'secret-pass', '10.0.4.1')).status).toBe(200);
  });

  it('forgets failures 15 minutes after the last one', async () => {
    const address = '10.0.5.1';
    await burst(20, (i) => attempt('nobody-forgotten', `wrong-${i}`, address));
    await travel('login:nobody-forgotten', LOGIN_POLICY.forgetAfterSeconds + 1);
    await travel(`ip:${address}`, ADDRESS_POLICY.forgetAfterSeconds + 1);
    const outcomes = await burst(LOGIN_POLICY.freeFailures, (i) => attempt('nobody-forgotten', `wrong-later-${i}`, address));
    expect(outcomes.map((o) => o.status)).toEqual(Array(LOGIN_POLICY.freeFailures).fill(401));
  });
});
