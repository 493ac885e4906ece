import type { FastifyInstance, RouteOptions } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import type { AppServices } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { orderCreateSchema } from '../../src/domain/orders.js';
import { appIntegrations } from '../../src/extensions.js';
import { buildHttpServer } from '../../src/http/server.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase, TEST_DIALECTS } from '../support/databases.js';
import type { TestDatabase } from '../support/databases.js';

/**
 * Issue 6, security 1: a key like `constructor` in an external-id map once replaced
 * `Object.keys` for the whole process (every later request answered 500, even after a restart).
 * Every create and update route is sent the reserved names as keys — at the top of the body and
 * in the maps keyed by input (external ids, order item parameters, settings) — and afterwards the
 * process must be untouched and still answer.
 */
const RESERVED = ['__proto__', 'constructor', 'prototype'];

function processIsIntact(): void {
  expect(Object.keys({ a: 1 })).toEqual(['a']);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(({} as Record<string, unknown>).keys).toBeUndefined();
  expect(typeof Object.prototype.hasOwnProperty).toBe('function');
  expect(Object.getPrototypeOf({})).toBe(Object.prototype);
}

describe.each(TEST_DIALECTS)('reserved names as keys on %s', (dialect) => {
  let database: TestDatabase;
  let services: AppServices;
  let server: FastifyInstance;
  let token: string;
  const routes: RouteOptions[] = [];
  const prototypeNames = Object.getOwnPropertyNames(Object.prototype).sort();

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    services = await createApp(loadConfig({ DATABASE_URL: database.url, LOG_LEVEL: 'silent' }), { logger: createLogger('silent'), integrations: appIntegrations() });
    server = await buildHttpServer(services, { onRoute: (route) => routes.push(route) });
    await server.ready();
    token = (await services.stores.apiTokens.create('reserved-keys')).token;
    await services.stores.users.create({ login: 'anna', password: 'secret-pass', role: 'admin' });
  });
  afterAll(async () => {
    await server?.close();
    await services?.close();
    await database?.drop();
  });

  const send = (method: string, url: string, payload: string) =>
    server.inject({ method: method as 'POST', url, payload, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });

  const stillAnswers = async () => {
    processIsIntact();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeNames);
    expect((await server.inject({ method: 'GET', url: '/api/v1/orders', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200);
    expect((await server.inject({ method: 'GET', url: '/api/v1/persons', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200);
    const login = await server.inject({ method: 'POST', url: '/api/v1/session', payload: { login: 'anna', password: 'secret-pass' } });
    expect(login.statusCode).toBe(200);
  };

  it('refuses the reported body with a 400 naming the key, and stores nothing', async () => {
    const before = await services.stores.persons.list();
    const response = await send('POST', '/api/v1/persons', JSON.stringify({ lastName: 'x', externalIds: { constructor: { keys: 'pwn' } } }));
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'validation_failed', details: [{ path: 'body.externalIds.constructor' }] });
    expect((await services.stores.persons.list()).items).toHaveLength(before.items.length);
    await stillAnswers();
  });

  it('sends every reserved name as a key to every create and update route; the process stays whole', async () => {
    const person = await services.stores.persons.create({ lastName: 'Ключева', phones: [], emails: [], isGuest: false });
    const organization = await services.stores.organizations.create({ title: 'ООО «Ключ»' });
    const order = await services.stores.orders.create(orderCreateSchema.parse({ personId: person.id, items: [{ name: 'Визитки', quantity: 100, total: 59_000 }] }));
    // Bodies that reach the maps keyed by input on the routes that have them.
    const nested = (key: string): Record<string, string[]> => ({
      'POST /api/v1/persons': [`{"lastName":"x","externalIds":{"${key}":{"contact":"1"}}}`, `{"lastName":"x","externalIds":{"bitrix24":{"${key}":"1"}}}`],
      'PATCH /api/v1/persons/:id': [`{"externalIds":{"${key}":{"contact":"1"}}}`, `{"externalIds":{"bitrix24":{"${key}":"1"}}}`],
      'POST /api/v1/organizations': [`{"title":"x","externalIds":{"${key}":{"company":"1"}}}`],
      'PATCH /api/v1/organizations/:id': [`{"externalIds":{"bitrix24":{"${key}":"1"}}}`],
      'POST /api/v1/orders': [`{"personId":${person.id},"items":[{"name":"x","quantity":1,"unitPrice":1,"parameters":{"${key}":"x"}}]}`],
      'PATCH /api/v1/orders/:id': [`{"version":1,"items":[{"name":"x","quantity":1,"unitPrice":1,"parameters":{"${key}":{"polluted":"yes"}}}]}`],
      'PUT /api/v1/integrations/:name/settings': [`{"version":0,"enabled":false,"settings":{"${key}":{"polluted":"yes"}}}`],
      'POST /api/v1/integrations/:name/test-connection': [`{"settings":{"${key}":{"polluted":"yes"}}}`],
    });
    const urlOf = (route: string) =>
      route
        .replace(':name', 'bitrix24')
        .replace('/persons/:id', `/persons/${person.id}`)
        .replace('/organizations/:id', `/organizations/${organization.id}`)
        .replace(/:id/g, String(order.id));
    const mutating = [
      ...new Set(
        routes.flatMap((route) =>
          [route.method]
            .flat()
            .filter((method) => ['POST', 'PUT', 'PATCH'].includes(String(method)) && route.url.startsWith('/api/v1'))
            .map((method) => `${String(method)} ${route.url}`),
        ),
      ),
    ];
    expect(mutating.length).toBeGreaterThan(15);
    const failures: string[] = [];
    for (const key of RESERVED) {
      for (const entry of mutating) {
        const [method, route] = entry.split(' ') as [string, string];
        for (const body of [`{"${key}":{"polluted":"yes","keys":"pwn"}}`, ...(nested(key)[entry] ?? [])]) {
          const response = await send(method, urlOf(route), body);
          if (response.statusCode >= 500) failures.push(`${entry} ${body} → ${response.statusCode}`);
          if (response.statusCode < 300 && body.includes('"parameters"')) failures.push(`${entry} ${body} → ${response.statusCode} (accepted)`);
          if (response.statusCode < 300 && body.includes('"externalIds"')) failures.push(`${entry} ${body} → ${response.statusCode} (accepted)`);
        }
        processIsIntact();
      }
    }
    expect(failures).toEqual([]);
    await stillAnswers();
  });

  it('reads rows stored before the keys were refused without harm', async () => {
    const person = await services.stores.persons.create({ lastName: 'Старый', phones: [], emails: [], isGuest: false });
    const order = await services.stores.orders.create(orderCreateSchema.parse({ personId: person.id, items: [{ name: 'Визитки', quantity: 100, total: 59_000 }] }));
    const db = services.database.db;
    for (const [system, kind] of [['constructor', 'keys'], ['bitrix24', '__proto__'], ['__proto__', 'polluted'], ['bitrix24', 'contact']]) {
      await db.insertInto('external_links').values({ entity_type: 'person', entity_id: person.id, system: system!, kind: kind!, external_id: '17', updated_at: new Date().toISOString() }).execute();
    }
    await sql`update order_items set parameters = ${'{"__proto__":{"polluted":"yes"},"constructor":{"keys":"pwn"},"Бумага":"мелованная"}'} where order_id = ${order.id}`.execute(db);

    const read = await server.inject({ method: 'GET', url: `/api/v1/persons/${person.id}`, headers: { authorization: `Bearer ${token}` } });
    expect(read.statusCode).toBe(200);
    expect(read.json().externalIds).toEqual({ bitrix24: { contact: '17' } });
    for (const url of ['/api/v1/persons', `/api/v1/orders/${order.id}`, '/api/v1/orders']) {
      expect((await server.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } })).statusCode, url).toBe(200);
    }
    const stored = await server.inject({ method: 'GET', url: `/api/v1/orders/${order.id}`, headers: { authorization: `Bearer ${token}` } });
    expect(stored.json().items[0].parameters).toMatchObject({ Бумага: 'мелованная' });
    await stillAnswers();
  });
});
