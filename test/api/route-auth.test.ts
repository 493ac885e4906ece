import type { FastifyInstance, RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import type { AppServices } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { appExtensions } from '../../src/extensions.js';
import { buildHttpServer } from '../../src/http/server.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase } from '../support/databases.js';
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
    services = await createApp(config, { logger: createLogger('silent'), extensions: appExtensions() });
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
      [route.method].flat().map((method) => ({ method: String(method), url: route.url, isPublic: route.config?.public === true })),
    );

  it('lists a public route only where that is intended', () => {
    const publicRoutes = entries()
      .filter((r) => r.isPublic && !r.url.startsWith('/docs'))
      .map((r) => `${r.method} ${r.url}`);
    expect([...new Set(publicRoutes)].sort()).toEqual([...EXPECTED_PUBLIC].sort());
    expect(entries().filter((r) => r.url.startsWith('/api/')).length).toBeGreaterThan(20);
  });

  it('answers 401 to every other route without credentials', async () => {
    const closed = entries().filter((r) => !r.isPublic);
    const failures: string[] = [];
    for (const route of closed) {
      // Any value fits the path parameters: authentication runs before validation.
      const url = route.url.replace(/:[A-Za-z_]+/g, '1').replace(/\*$/, 'x');
      const response = await server.inject({ method: route.method as 'GET', url, payload: route.method === 'GET' || route.method === 'HEAD' ? undefined : {} });
      if (response.statusCode !== 401) failures.push(`${route.method} ${route.url} → ${response.statusCode}`);
    }
    expect(failures).toEqual([]);
    expect(closed.length).toBeGreaterThan(20);
  });

  it('answers 401 with a wrong bearer token or a forged session cookie', async () => {
    for (const headers of [{ authorization: 'Bearer pst_nope' }, { cookie: 'printsync_session=forged' }]) {
      const response = await server.inject({ method: 'GET', url: '/api/v1/orders', headers });
      expect(response.statusCode).toBe(401);
    }
  });
});
