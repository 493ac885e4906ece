import type { FastifyInstance, RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import type { AppServices } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { appIntegrations } from '../../src/extensions.js';
import { buildHttpServer } from '../../src/http/server.js';
import { createLogger } from '../../src/logger.js';
import type { StaffRole, StaffUser } from '../../src/store/users.js';
import { createTestDatabase } from '../support/databases.js';
import { exampleIntegration } from '../support/example-integration/index.js';
import type { TestDatabase } from '../support/databases.js';

/**
 * Every route needs credentials unless it is on this list. Adding a public route means adding it
 * here too, on purpose. `/docs…` (the OpenAPI UI and its assets) is allowed as a whole.
 */
const EXPECTED_PUBLIC = [
  'GET /',
  'GET /*',
  'GET /health',
  'HEAD /',
  'HEAD /*',
  'HEAD /health',
  'POST /api/v1/session',
  // The storefront calculator widget: its script, and the public quote API (a site's key and origins instead).
  'GET /widget/calculator.js',
  'HEAD /widget/calculator.js',
  'GET /api/v1/widget/categories/:id',
  'HEAD /api/v1/widget/categories/:id',
  'GET /api/v1/widget/products/:id/calculator',
  'HEAD /api/v1/widget/products/:id/calculator',
  'POST /api/v1/widget/products/:id/quote',
  'POST /api/v1/widget/products/:id/quotes',
  'POST /api/v1/widget/quotes/:quoteId/files',
  'OPTIONS /api/v1/widget/*',
];

/**
 * Routes other systems call (an integration's inbound routes): outside staff sessions and API
 * tokens, each authenticated by its integration's own scheme. The build's integrations have none
 * yet; the example integration of the tests (test/support/example-integration/) has one.
 */
const EXPECTED_INBOUND = [
  'POST /api/example/events (example, shared-token)',
  'POST /api/bitrix/events (bitrix24, shared-token)',
  'GET /1c_exchange (poly1c, basic)',
  'HEAD /1c_exchange (poly1c, basic)',
  'POST /1c_exchange (poly1c, basic)',
];

/**
 * Routes a manager may not call: integration settings, replaying dead jobs, catalog edits. Marking
 * a route `config: { requires: 'admin' }` means adding it here too; everything else is open to
 * every staff member.
 */
const EXPECTED_ADMIN_ONLY = [
  'DELETE /api/v1/categories/:id',
  'DELETE /api/v1/products/:id',
  'DELETE /api/v1/widget-sites/:id',
  'PATCH /api/v1/widget-sites/:id',
  'POST /api/v1/widget-sites',
  'POST /api/v1/widget-sites/:id/key',
  'PATCH /api/v1/categories/:id',
  'PATCH /api/v1/products/:id',
  'POST /api/v1/categories',
  'POST /api/v1/integrations/:name/actions/:action',
  'POST /api/v1/integrations/:name/resume',
  'POST /api/v1/integrations/asystem/templates/sync',
  'POST /api/v1/integrations/axiom/templates/sync',
  'PUT /api/v1/integrations/asystem/products/:id/template',
  'PUT /api/v1/integrations/axiom/products/:id/template',
  'POST /api/v1/integrations/poly1c/products/:id/template-file',
  'DELETE /api/v1/integrations/poly1c/products/:id/template-file',
  'PUT /api/v1/integrations/poly1c/products/:id/template-file/settings',
  'POST /api/v1/integrations/:name/test-connection',
  'POST /api/v1/jobs/:id/replay',
  'POST /api/v1/products',
  'PUT /api/v1/integrations/:name/settings',
];

describe('route authentication', () => {
  let database: TestDatabase;
  let services: AppServices;
  let server: FastifyInstance;
  const routes: RouteOptions[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
    const config = loadConfig({ DATABASE_URL: database.url, LOG_LEVEL: 'silent' });
    // The build's integrations too: a route one of them adds is held to the same rule.
    // The build's integrations, plus the tests' example one: routes an integration adds are held to the same rules.
    services = await createApp(config, { logger: createLogger('silent'), integrations: [...appIntegrations(), exampleIntegration] });
    server = await buildHttpServer(services, { onRoute: (route) => routes.push(route) });
    await server.ready();
  });

  afterAll(async () => {
    await server?.close();
    await services?.close();
    await database?.drop();
  });

  const entries = () =>
    routes.flatMap((route) =>
      [route.method].flat().map((method) => ({
        method: String(method),
        url: route.url,
        isPublic: route.config?.public === true,
        adminOnly: route.config?.requires === 'admin',
        inbound: route.config?.inbound ? `${route.config.inbound.integration}, ${route.config.inbound.scheme}` : null,
      })),
    );

  // Any value fits the path parameters: authentication and roles are checked before validation.
  const urlOf = (route: { url: string }) => route.url.replace(/:[A-Za-z_]+/g, '1').replace(/\*$/, 'x');
  const payloadOf = (route: { method: string }) => (route.method === 'GET' || route.method === 'HEAD' ? undefined : {});

  /** A fresh session per request (with its CSRF token): the sweep also calls DELETE /session, which ends it. */
  const staff = new Map<StaffRole, StaffUser>();
  const sessionHeaders = async (role: StaffRole) => {
    const user = staff.get(role) ?? (await services.stores.users.create({ login: `route-auth-${role}`, password: 'secret-pass', role }));
    staff.set(role, user);
    const { token, session } = await services.stores.sessions.create(user);
    return { cookie: `printsync_session=${token}`, 'x-csrf-token': session.csrfToken };
  };

  it('lists a public route only where that is intended', () => {
    const publicRoutes = entries()
      .filter((r) => r.isPublic && !r.url.startsWith('/docs'))
      .map((r) => `${r.method} ${r.url}`);
    expect([...new Set(publicRoutes)].sort()).toEqual([...EXPECTED_PUBLIC].sort());
    expect(entries().filter((r) => r.url.startsWith('/api/')).length).toBeGreaterThan(20);
  });

  it('lists an inbound route only where that is intended, with its integration and scheme', () => {
    const inbound = entries()
      .filter((r) => r.inbound)
      .map((r) => `${r.method} ${r.url} (${r.inbound})`);
    expect([...new Set(inbound)].sort()).toEqual([...EXPECTED_INBOUND].sort());
    expect(entries().filter((r) => r.inbound && (r.isPublic || r.adminOnly))).toEqual([]);
  });

  it("refuses every inbound route without the integration's own credentials, whatever staff credentials come along", async () => {
    const { token } = await services.stores.apiTokens.create('route-auth-inbound');
    const failures: string[] = [];
    for (const route of entries().filter((r) => r.inbound)) {
      for (const headers of [{}, { authorization: `Bearer ${token}` }, await sessionHeaders('admin')]) {
        const response = await server.inject({ method: route.method as 'GET', url: urlOf(route), payload: payloadOf(route), headers });
        if (response.statusCode !== 401 && response.statusCode !== 403) failures.push(`${route.method} ${route.url} → ${response.statusCode}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('answers 401 to every other route without credentials', async () => {
    const closed = entries().filter((r) => !r.isPublic && !r.inbound);
    const failures: string[] = [];
    for (const route of closed) {
      const response = await server.inject({ method: route.method as 'GET', url: urlOf(route), payload: payloadOf(route) });
      if (response.statusCode !== 401) failures.push(`${route.method} ${route.url} → ${response.statusCode}`);
    }
    expect(failures).toEqual([]);
    expect(closed.length).toBeGreaterThan(20);
  });

  it('lists an admin-only route only where that is intended', () => {
    const adminOnly = entries()
      .filter((r) => r.adminOnly)
      .map((r) => `${r.method} ${r.url}`);
    expect([...new Set(adminOnly)].sort()).toEqual([...EXPECTED_ADMIN_ONLY].sort());
    expect(entries().filter((r) => r.adminOnly && r.isPublic)).toEqual([]);
  });

  it("answers 403 forbidden to a manager's session on every admin-only route, and only there", async () => {
    const failures: string[] = [];
    for (const route of entries().filter((r) => !r.isPublic && !r.inbound)) {
      const response = await server.inject({ method: route.method as 'GET', url: urlOf(route), payload: payloadOf(route), headers: await sessionHeaders('manager') });
      const refused = response.statusCode === 403;
      if (refused !== route.adminOnly) failures.push(`${route.method} ${route.url} → ${response.statusCode}`);
      if (refused && route.method !== 'HEAD') {
        expect(response.json()).toEqual({ code: 'forbidden', message: 'для этого действия нужна роль администратора', details: [] });
      }
    }
    expect(failures).toEqual([]);
  });

  it('lets an admin session and an API token through on every admin-only route', async () => {
    const { token } = await services.stores.apiTokens.create('route-auth');
    const failures: string[] = [];
    for (const route of entries().filter((r) => r.adminOnly)) {
      for (const [who, headers] of [
        ['admin', await sessionHeaders('admin')],
        ['token', { authorization: `Bearer ${token}` }],
      ] as const) {
        const response = await server.inject({ method: route.method as 'GET', url: urlOf(route), payload: payloadOf(route), headers });
        // 400 or 404 here (no such id, an empty body): past the role check, into the handler.
        if (response.statusCode === 403 || response.statusCode === 401) failures.push(`${who}: ${route.method} ${route.url} → ${response.statusCode}`);
      }
    }
    expect(failures).toEqual([]);
    expect(EXPECTED_ADMIN_ONLY.length).toBeGreaterThan(0);
  });

  it('answers 401 with a wrong bearer token or a forged session cookie', async () => {
    for (const headers of [{ authorization: 'Bearer pst_nope' }, { cookie: 'printsync_session=forged' }]) {
      const response = await server.inject({ method: 'GET', url: '/api/v1/orders', headers });
      expect(response.statusCode).toBe(401);
    }
  });
});
