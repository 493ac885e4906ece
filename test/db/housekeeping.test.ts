import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/connection.js';
import type { Database } from '../../src/db/schema.js';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { Housekeeping, RETENTION_DAYS } from '../../src/store/housekeeping.js';
import { TEST_DIALECTS, createTestDatabase, openTestDatabase } from '../support/databases.js';
import { expectEventually } from '../support/eventually.js';

const NOW = new Date('2026-12-02T12:00:00Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000).toISOString();
const OLD = (days: number) => daysAgo(days + 1);
const RECENT = (days: number) => daysAgo(days - 1);

describe.each(TEST_DIALECTS)('housekeeping on %s: what outlived its retention goes, what someone may need stays', (dialect) => {
  let database: { handle: DatabaseHandle; close(): Promise<void> };
  let db: Kysely<Database>;

  beforeAll(async () => {
    database = await openTestDatabase(dialect);
    db = database.handle.db;
  });

  afterAll(async () => {
    await database?.close();
  });

  const ids = async (table: 'jobs' | 'domain_events' | 'inbound_events' | 'sync_log') =>
    (await db.selectFrom(table).select('id').orderBy('id').execute()).map((row) => Number(row.id));

  it('removes old idempotency keys, expired sessions, finished and dead jobs, and old domain events; keeps the rest', async () => {
    const key = (name: string, createdAt: string) => ({ scope: 'token:1 POST /orders', key: name, request_hash: 'h', status_code: 201, response_body: '{}', created_at: createdAt });
    await db.insertInto('idempotency_keys').values([key('old', OLD(RETENTION_DAYS.idempotencyKeys)), key('recent', RECENT(RETENTION_DAYS.idempotencyKeys))]).execute();
    const user = await db
      .insertInto('users')
      .values({ login: 'anna', display_name: 'Анна', password_hash: 'x', role: 'manager', created_at: daysAgo(400) })
      .returning('id')
      .executeTakeFirstOrThrow();
    const session = (id: string, expiresAt: string) => ({ id, user_id: Number(user.id), csrf_token: 'c', created_at: daysAgo(2), expires_at: expiresAt, last_seen_at: daysAgo(1) });
    await db.insertInto('sessions').values([session('expired', daysAgo(0.01)), session('live', new Date(NOW.getTime() + 3_600_000).toISOString())]).execute();

    const job = (state: string, at: string | null, field: 'completed_at' | 'failed_at' = 'completed_at') => ({
      name: 'bitrix24.exportOrder', key: null, payload: '{}', state, attempts: 1, max_attempts: 10, run_at: daysAgo(400),
      created_at: daysAgo(400), updated_at: daysAgo(400), [field]: at,
    });
    await db
      .insertInto('jobs')
      .values([
        job('completed', OLD(RETENTION_DAYS.completedJobs)),
        job('completed', RECENT(RETENTION_DAYS.completedJobs)),
        job('dead', OLD(RETENTION_DAYS.deadJobs), 'failed_at'),
        job('dead', RECENT(RETENTION_DAYS.deadJobs), 'failed_at'),
        // Work still to do is never touched, however old.
        job('pending', null),
        job('retrying', null),
      ])
      .execute();
    const event = (occurredAt: string) => ({ type: 'order.updated', entity_type: 'order', entity_id: 1, payload: '{}', occurred_at: occurredAt, origin: null });
    await db.insertInto('domain_events').values([event(OLD(RETENTION_DAYS.domainEvents)), event(RECENT(RETENTION_DAYS.domainEvents))]).execute();
    const jobsBefore = await ids('jobs');
    const eventsBefore = await ids('domain_events');

    const deleted = await new Housekeeping(db).purge(NOW);
    expect(deleted).toMatchObject({ idempotencyKeys: 1, sessions: 1, completedJobs: 1, deadJobs: 1, domainEvents: 1 });
    expect((await db.selectFrom('idempotency_keys').select('key').execute()).map((row) => row.key)).toEqual(['recent']);
    expect((await db.selectFrom('sessions').select('id').execute()).map((row) => row.id)).toEqual(['live']);
    expect(await ids('jobs')).toEqual([jobsBefore[1], jobsBefore[3], jobsBefore[4], jobsBefore[5]]);
    expect(await ids('domain_events')).toEqual([eventsBefore[1]]);
    // A second run finds nothing more.
    expect(Object.values(await new Housekeeping(db).purge(NOW)).every((count) => count === 0)).toBe(true);
  });

  it('keeps the newest event of each record, and pending ones, however old', async () => {
    const event = (externalId: string, receivedAt: string, state = 'applied') => ({
      system: 'bitrix24', dedupe_key: `${externalId}:${receivedAt}:${state}`, event: 'ONCRMDEALUPDATE', entity_kind: 'deal', external_id: externalId,
      received_at: receivedAt, state, settled_at: state === 'pending' ? null : receivedAt, note: null,
    });
    const old = OLD(RETENTION_DAYS.inboundEvents);
    await db
      .insertInto('inbound_events')
      .values([
        event('10', daysAgo(200)), // older than the newest of deal 10: goes
        event('10', old, 'echo'), // goes
        event('10', daysAgo(100)), // the newest of deal 10: stays for its card
        event('11', daysAgo(300)), // the only one of deal 11: stays
        event('12', daysAgo(300), 'pending'), // pending: stays
        event('12', RECENT(RETENTION_DAYS.inboundEvents)), // recent: stays
      ])
      .execute();
    const before = await ids('inbound_events');
    expect((await new Housekeeping(db).purge(NOW)).inboundEvents).toBe(2);
    expect(await ids('inbound_events')).toEqual(before.slice(2));
  });

  it('keeps, per record and system, the last attempt, the last success and the last that named the record', async () => {
    const attempt = (entityId: number, system: string, outcome: string, externalId: string | null, createdAt: string) => ({
      entity_type: 'order', entity_id: entityId, system, operation: 'export', outcome, request: null, response: null,
      external_id: externalId, error: outcome === 'error' ? 'timeout' : null, duration_ms: 10, job_id: null, created_at: createdAt,
    });
    const old = (n: number) => daysAgo(RETENTION_DAYS.syncLog + 100 - n);
    await db
      .insertInto('sync_log')
      .values([
        attempt(1, 'asystem', 'ok', 'A-1', old(0)), // the last that named the record: stays
        attempt(1, 'asystem', 'ok', null, old(1)), // the last success: stays
        attempt(1, 'asystem', 'error', null, old(2)), // goes
        attempt(1, 'asystem', 'error', null, old(3)), // the last attempt: stays
        attempt(1, 'bitrix24', 'error', null, old(0)), // goes
        attempt(1, 'bitrix24', 'ok', '77', old(1)), // last success and id: stays
        attempt(1, 'bitrix24', 'error', null, RECENT(RETENTION_DAYS.syncLog)), // recent: stays
      ])
      .execute();
    const before = await ids('sync_log');
    expect((await new Housekeeping(db).purge(NOW)).syncLog).toBe(2);
    expect(await ids('sync_log')).toEqual([before[0], before[1], before[3], before[5], before[6]]);
  });

  it('deletes expired quotes nobody ordered, with their files; a quote an order was priced from stays', async () => {
    const category = await db.insertInto('categories').values({ name: 'Визитки', created_at: daysAgo(400), updated_at: daysAgo(400) } as never).returning('id').executeTakeFirstOrThrow();
    const product = await db
      .insertInto('products')
      .values({ category_id: Number(category.id), name: 'Визитки 90×50', tiers: '[]', created_at: daysAgo(400), updated_at: daysAgo(400) } as never)
      .returning('id')
      .executeTakeFirstOrThrow();
    const expired = daysAgo(RETENTION_DAYS.expiredQuotes + 1);
    const quote = (id: string, expiresAt: string) => ({ id, product_id: Number(product.id), site_id: null, quantity: 100, data: '{}', created_at: daysAgo(60), expires_at: expiresAt });
    await db.insertInto('calculator_quotes').values([quote('q_abandoned', expired), quote('q_ordered', expired), quote('q_fresh', daysAgo(-10))]).execute();
    await db
      .insertInto('calculator_files')
      .values(['q_abandoned', 'q_ordered'].map((quoteId) => ({ id: `f_${quoteId}`, quote_id: quoteId, name: 'макет.pdf', content_type: 'application/pdf', size: 3, content: Buffer.from('pdf'), created_at: daysAgo(60) })))
      .execute();
    const person = await db.insertInto('persons').values({ first_name: 'Анна', created_at: daysAgo(60), updated_at: daysAgo(60) } as never).returning('id').executeTakeFirstOrThrow();
    const order = await db
      .insertInto('orders')
      .values({
        number: 'H-1', source: 'site', person_id: Number(person.id), status: 'NotProcessed', payment_status: 'not_paid', currency: 'RUB', items_total: 0, delivery_price: 0,
        discount: 0, total: 0, render_status: 'pending', created_at: daysAgo(60), updated_at: daysAgo(60),
      } as never)
      .returning('id')
      .executeTakeFirstOrThrow();
    await db.insertInto('order_quotes').values({ order_id: Number(order.id), position: 1, quote_id: 'q_ordered' }).execute();

    expect((await new Housekeeping(db).purge(NOW)).expiredQuotes).toBe(1);
    expect((await db.selectFrom('calculator_quotes').select('id').orderBy('id').execute()).map((row) => row.id)).toEqual(['q_fresh', 'q_ordered']);
    expect((await db.selectFrom('calculator_files').select('id').execute()).map((row) => row.id)).toEqual(['f_q_ordered']);
  });

  it('works in chunks and leaves the rest to the next run when a run is capped', async () => {
    const old = OLD(RETENTION_DAYS.domainEvents);
    await db
      .insertInto('domain_events')
      .values(Array.from({ length: 25 }, () => ({ type: 'order.updated', entity_type: 'order', entity_id: 2, payload: '{}', occurred_at: old, origin: null })))
      .execute();
    const housekeeping = new Housekeeping(db);
    expect((await housekeeping.purge(NOW, { chunk: 4, maxPerKind: 10 })).domainEvents).toBe(10);
    expect((await housekeeping.purge(NOW, { chunk: 4 })).domainEvents).toBe(15);
    const stopped = new AbortController();
    stopped.abort();
    await db.insertInto('domain_events').values({ type: 'order.updated', entity_type: 'order', entity_id: 2, payload: '{}', occurred_at: old, origin: null }).execute();
    expect((await housekeeping.purge(NOW, { signal: stopped.signal })).domainEvents).toBe(0);
  });
});

describe.each(TEST_DIALECTS)('housekeeping as the worker runs it on %s', (dialect) => {
  it('runs when the worker starts and then every hour, as the job printsync.housekeeping', async () => {
    const database = await createTestDatabase(dialect);
    const services = await createApp(loadConfig({ DATABASE_URL: database.url, LOG_LEVEL: 'silent' }), { logger: createLogger('silent'), integrations: [], schedulerTickMs: 50 });
    try {
      const old = new Date(Date.now() - (RETENTION_DAYS.domainEvents + 1) * 86_400_000).toISOString();
      await services.database.db.insertInto('domain_events').values({ type: 'order.updated', entity_type: 'order', entity_id: 1, payload: '{}', occurred_at: old, origin: null }).execute();
      await services.startWorker({ pollIntervalMs: 50 });
      await expectEventually(async () => {
        expect(await services.database.db.selectFrom('domain_events').select('id').execute()).toEqual([]);
        const [run] = await services.queue.list({ name: 'printsync.housekeeping' });
        expect(run?.state).toBe('completed');
      });
      const schedule = await services.database.db.selectFrom('schedules').selectAll().where('name', '=', 'printsync.housekeeping').executeTakeFirstOrThrow();
      expect(schedule.last_fired_at).not.toBeNull();
    } finally {
      await services.close();
      await database.drop();
    }
  });
});
