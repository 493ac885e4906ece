import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { delayAfter, LOGIN_POLICY } from '../../src/auth/login-throttle.js';
import { hashPassword, verifyPassword } from '../../src/auth/passwords.js';
import { startTestApi } from '../support/api-server.js';
import type { TestApi } from '../support/api-server.js';
import { TEST_DIALECTS } from '../support/databases.js';
import { SESSION_MAX_MS } from '../../src/store/sessions.js';

describe('passwords and delays', () => {
  it('hashes with a salt and verifies', async () => {
    const a = await hashPassword('correct horse');
    const b = await hashPassword('correct horse');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(await verifyPassword('correct horse', a)).toBe(true);
    expect(await verifyPassword('correct hors', a)).toBe(false);
  });

  it('grows the delay after the free attempts, up to a cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => delayAfter(n, LOGIN_POLICY))).toEqual([0, 0, 1, 2, 4, 8]);
    expect(delayAfter(100, LOGIN_POLICY)).toBe(300);
  });
});

describe.each(TEST_DIALECTS)('staff session on %s', (dialect) => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi(dialect);
    await api.services.stores.users.create({ login: 'anna', password: 'secret-pass', displayName: 'Анна', role: 'manager' });
  });
  afterAll(async () => api?.close());

  const login = (password: string, loginName = 'anna') =>
    fetch(`${api.baseUrl}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: loginName, password }),
    });

  it('logs in with a cookie, needs the CSRF token to change data, and logs out', async () => {
    const response = await login('secret-pass', 'ANNA');
    expect(response.status).toBe(200);
    const cookie = response.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^printsync_session=[^;]+; HttpOnly; SameSite=Lax; Path=\//);
    const session = (await response.json()) as { csrfToken: string; user: { displayName: string } };
    expect(session.user.displayName).toBe('Анна');
    const sessionCookie = cookie.split(';')[0]!;

    const me = await fetch(`${api.baseUrl}/api/v1/session`, { headers: { cookie: sessionCookie } });
    expect(((await me.json()) as { csrfToken: string }).csrfToken).toBe(session.csrfToken);

    const person = { lastName: 'Петров' };
    const withoutCsrf = await fetch(`${api.baseUrl}/api/v1/persons`, {
      method: 'POST',
      headers: { cookie: sessionCookie, 'content-type': 'application/json' },
      body: JSON.stringify(person),
    });
    expect(withoutCsrf.status).toBe(403);
    expect(((await withoutCsrf.json()) as { code: string }).code).toBe('csrf_token_invalid');

    const withCsrf = await fetch(`${api.baseUrl}/api/v1/persons`, {
      method: 'POST',
      headers: { cookie: sessionCookie, 'content-type': 'application/json', 'x-csrf-token': session.csrfToken },
      body: JSON.stringify(person),
    });
    expect(withCsrf.status).toBe(201);

    const logout = await fetch(`${api.baseUrl}/api/v1/session`, { method: 'DELETE', headers: { cookie: sessionCookie, 'x-csrf-token': session.csrfToken } });
    expect(logout.status).toBe(204);
    expect(logout.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    const after = await fetch(`${api.baseUrl}/api/v1/orders`, { headers: { cookie: sessionCookie } });
    expect(after.status).toBe(401);
  });

  it('treats a malformed session cookie as no session: 401 on the API, public routes still answer', async () => {
    const cookie = 'printsync_session=%E0%A4%A';
    expect((await fetch(`${api.baseUrl}/health`, { headers: { cookie } })).status).toBe(200);
    const orders = await fetch(`${api.baseUrl}/api/v1/orders`, { headers: { cookie } });
    expect(orders.status).toBe(401);
    expect((await fetch(`${api.baseUrl}/api/v1/session`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'anna', password: 'secret-pass' }),
    })).status).toBe(200);
  });

  it('ends the sessions of a staff member whose password is changed', async () => {
    await api.services.stores.users.create({ login: 'vera', password: 'old-password' });
    const response = await login('old-password', 'vera');
    const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0]!;
    expect((await fetch(`${api.baseUrl}/api/v1/orders`, { headers: { cookie } })).status).toBe(200);
    expect(await api.services.stores.users.setPassword('vera', 'new-password')).toBe(true);
    expect((await fetch(`${api.baseUrl}/api/v1/orders`, { headers: { cookie } })).status).toBe(401);
    expect((await login('new-password', 'vera')).status).toBe(200);
  });

  it('keeps the cookie as long as the session may live, so a session in use slides past 12 hours', async () => {
    const response = await login('secret-pass');
    const maxAge = Number(/Max-Age=(\d+)/.exec(response.headers.get('set-cookie') ?? '')?.[1]);
    // The server ends idle sessions after SESSION_IDLE_MS; the browser must not end active ones sooner.
    expect(maxAge).toBeGreaterThanOrEqual(SESSION_MAX_MS / 1000);
  });

  it('bearer tokens need no CSRF token', async () => {
    expect((await api.request('POST', '/api/v1/persons', { lastName: 'Сидоров' })).status).toBe(201);
  });

  it('answers 401 to a wrong password and 429 with Retry-After once failures pile up', async () => {
    await api.services.stores.users.create({ login: 'boris', password: 'secret-pass' });
    expect((await login('wrong-1', 'boris')).status).toBe(401);
    expect((await login('wrong-2', 'boris')).status).toBe(401);
    expect((await login('wrong-3', 'boris')).status).toBe(401);
    const blocked = await login('secret-pass', 'boris');
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await blocked.json()) as { code: string }).code).toBe('too_many_attempts');
    // Other logins from the same address are not blocked yet.
    expect((await login('secret-pass')).status).toBe(200);
  });

  it('an unknown login fails like a wrong password', async () => {
    const response = await login('whatever', 'nobody');
    expect(response.status).toBe(401);
    expect(((await response.json()) as { code: string }).code).toBe('invalid_credentials');
  });
});
