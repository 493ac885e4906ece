import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { domainEventJobPayload } from '../../src/events/domain-events.js';
import { defineJob } from '../../src/jobs/catalog.js';
import { createLogger } from '../../src/logger.js';
import { defineIntegration } from '../../src/platform/integration.js';
import { createTestDatabase } from '../support/databases.js';
import { TEST_DIALECTS } from '../support/databases.js';
import { startTestApi } from '../support/api-server.js';
import type { TestApi } from '../support/api-server.js';
import { expectEventually } from '../support/eventually.js';

/**
 * CORE-5: changes integrations care about become jobs in the same transaction as the change,
 * and the core knows nothing of who subscribes. A counting subscriber stands in for an integration.
 */
function countingSubscriber() {
  const runs: Array<{ type: string; entityType: string; entityId: number }> = [];
  const sync = defineJob({
    name: 'counting.sync',
    payload: domainEventJobPayload,
    handler: async (payload) => {
      runs.push({ type: payload.type, entityType: payload.entityType, entityId: payload.entityId });
    },
  });
  const integration = defineIntegration({
    name: 'counting',
    title: { ru: 'Счётчик', en: 'Counter' },
    setup: () => ({
      jobs: [sync],
      subscriptions: [
        {
          job: sync,
          events: ['order.created', 'order.updated', 'order.status_changed', 'order.commented', 'order.rendered', 'client.created', 'client.updated'],
        },
      ],
    }),
  });
  return { runs, integration };
}

describe.each(TEST_DIALECTS)('outbox on %s', (dialect) => {
  let api: TestApi;
  const counting = countingSubscriber();
  let personId: number;

  beforeAll(async () => {
    api = await startTestApi(dialect, { integrations: [counting.integration] });
    personId = (await api.request<{ id: number }>('POST', '/api/v1/persons', { firstName: 'Ева' })).body.id;
  });
  afterAll(async () => api?.close());

  const pendingFor = async (key: string) =>
    (await api.services.queue.list({ name: 'counting.sync', limit: 200 })).filter((j) => j.key === key && j.state === 'pending');

  it('collapses a burst of changes of one order into one pending job, run once', async () => {
    const order = await api.request<{ id: number; version: number }>('POST', '/api/v1/orders', {
      personId,
      items: [{ name: 'Фото 10×15', quantity: 10, unitPrice: 1_900 }],
    });
    let version = order.body.version;
    for (const manager of ['Анна', 'Игорь', 'Анна']) {
      version = (await api.request<{ version: number }>('PATCH', `/api/v1/orders/${order.body.id}`, { version, manager })).body.version;
    }
    await api.request('POST', `/api/v1/orders/${order.body.id}/status`, { status: 'Printing' });
    await api.request('POST', `/api/v1/orders/${order.body.id}/comments`, { author: 'Анна', text: 'В работе' });

    expect(await pendingFor(`order:${order.body.id}`)).toHaveLength(1);

    await api.services.queue.start({ pollIntervalMs: 20 });
    await expectEventually(() => expect(counting.runs.filter((r) => r.entityId === order.body.id && r.entityType === 'order')).toHaveLength(1));
    await api.services.queue.stop();
  });

  it('writes no job for a change that was refused', async () => {
    const before = (await api.services.queue.list({ name: 'counting.sync', limit: 200 })).length;
    const refused = await api.request('POST', '/api/v1/orders', { personId, items: [{ name: 'X', quantity: 0, unitPrice: 1 }] });
    expect(refused.status).toBe(400);
    const stale = await api.request('PATCH', `/api/v1/persons/${personId}`, { firstName: 'Ева', version: 999 });
    expect(stale.status).toBe(409);
    expect((await api.services.queue.list({ name: 'counting.sync', limit: 200 })).length).toBe(before);
  });
});

describe('outbox atomicity', () => {
  it('does not store a change whose job cannot be recorded', async () => {
    // A subscription whose payload does not fit its job makes the enqueue fail inside the transaction.
    const sync = defineJob({ name: 'broken.sync', payload: z.object({ personId: z.number() }), handler: async () => undefined });
    const broken = defineIntegration({
      name: 'broken',
      title: { ru: 'Сломанная', en: 'Broken' },
      setup: () => ({ jobs: [sync], subscriptions: [{ job: sync, events: ['client.created'], payload: () => ({ personId: Number.NaN }) }] }),
    });
    const api = await startTestApi('sqlite', { integrations: [broken] });
    try {
      const response = await api.request('POST', '/api/v1/persons', { firstName: 'Никто' });
      expect(response.status).toBe(500);
      const persons = await api.request<{ items: unknown[] }>('GET', '/api/v1/persons');
      expect(persons.body.items).toEqual([]);
      const events = await api.services.database.db.selectFrom('domain_events').select('id').execute();
      expect(events).toEqual([]);
    } finally {
      await api.close();
    }
  });

  it('refuses to start with a subscription or resend target naming a job the integration does not run', async () => {
    const listed = defineJob({ name: 'typo.sync', payload: domainEventJobPayload, handler: async () => undefined });
    const forgotten = defineJob({ name: 'typo.export', payload: domainEventJobPayload, handler: async () => undefined });
    const database = await createTestDatabase('sqlite');
    const start = (setup: Parameters<typeof defineIntegration>[0]['setup']) =>
      createApp(loadConfig({ DATABASE_URL: database.url, LOG_LEVEL: 'silent' }), {
        logger: createLogger('silent'),
        integrations: [defineIntegration({ name: 'typo', title: { ru: 'Опечатка', en: 'Typo' }, setup })],
      });
    try {
      await expect(start(() => ({ jobs: [listed], subscriptions: [{ job: forgotten, events: ['client.created'] }] }))).rejects.toThrow(
        'typo: a subscription to client.created names job "typo.export", which is not in the jobs its setup returns',
      );
      await expect(start(() => ({ jobs: [listed], resend: [{ entityType: 'order', job: forgotten }] }))).rejects.toThrow(/resend of order names job "typo.export"/);
      // A job that cannot take a domain event as its payload needs a mapper.
      const picky = defineJob({ name: 'typo.picky', payload: z.object({ orderIds: z.array(z.number()) }), handler: async () => undefined });
      await expect(start(() => ({ jobs: [picky], subscriptions: [{ job: picky, events: ['order.created'] }] }))).rejects.toThrow(/cannot take a domain event as its payload/);
      const foreign = defineJob({ name: 'other.sync', payload: domainEventJobPayload, handler: async () => undefined });
      await expect(start(() => ({ jobs: [foreign] }))).rejects.toThrow(/job "other.sync" must be named typo.<something>/);
    } finally {
      await database.drop();
    }
  });
});

describe.each(TEST_DIALECTS)('outbox subscriptions that consult the database on %s', (dialect) => {
  it('asks `wants` with the change\'s transaction, so it can read settings or the new row without blocking the change', async () => {
    // e.g. "is the integration switched on?", "is this person a guest?": on SQLite the root handle
    // would wait for the very transaction that is asking, so `wants` gets the transaction's handle.
    const sync = defineJob({ name: 'picky.sync', payload: domainEventJobPayload, handler: async () => undefined });
    const picky = defineIntegration({
      name: 'picky',
      title: { ru: 'Разборчивая', en: 'Picky' },
      setup: () => ({
        jobs: [sync],
        subscriptions: [
          {
            job: sync,
            events: ['client.created'],
            wants: async (event, db) => {
              const row = await db.selectFrom('persons').select('is_guest').where('id', '=', event.entityId).executeTakeFirst();
              return row?.is_guest === 0;
            },
          },
        ],
      }),
    });
    const api = await startTestApi(dialect, { integrations: [picky] });
    try {
      const regular = await api.request<{ id: number }>('POST', '/api/v1/persons', { firstName: 'Постоянный' });
      const guest = await api.request<{ id: number }>('POST', '/api/v1/persons', { firstName: 'Гость', isGuest: true });
      expect([regular.status, guest.status]).toEqual([201, 201]);
      const keys = (await api.services.queue.list({ name: 'picky.sync', limit: 10 })).map((j) => j.key);
      expect(keys).toEqual([`person:${regular.body.id}`]);
    } finally {
      await api.close();
    }
  });
});
