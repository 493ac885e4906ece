import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppExtension } from '../../src/app.js';
import { defineJob } from '../../src/jobs/catalog.js';
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
  const extension: AppExtension = {
    name: 'counting',
    jobs: [
      defineJob<{ type: string; entityType: string; entityId: number }>({
        name: 'counting.sync',
        handler: async (payload) => {
          runs.push({ type: payload.type, entityType: payload.entityType, entityId: payload.entityId });
        },
      }),
    ],
    subscriptions: [
      {
        job: 'counting.sync',
        events: ['order.created', 'order.updated', 'order.status_changed', 'order.commented', 'order.rendered', 'client.created', 'client.updated'],
      },
    ],
  };
  return { runs, extension };
}

describe.each(TEST_DIALECTS)('outbox on %s', (dialect) => {
  let api: TestApi;
  const counting = countingSubscriber();
  let personId: number;

  beforeAll(async () => {
    api = await startTestApi(dialect, { extensions: [counting.extension] });
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
    // A subscription naming a job nobody defined makes the enqueue fail inside the transaction.
    const api = await startTestApi('sqlite', {
      extensions: [{ name: 'broken', subscriptions: [{ job: 'broken.neverDefined', events: ['client.created'] }] }],
    });
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
});

describe.each(TEST_DIALECTS)('outbox subscriptions that consult the database on %s', (dialect) => {
  it('asks `wants` with the change\'s transaction, so it can read settings or the new row without blocking the change', async () => {
    // e.g. "is the integration switched on?", "is this person a guest?": on SQLite the root handle
    // would wait for the very transaction that is asking, so `wants` gets the transaction's handle.
    const extension: AppExtension = {
      name: 'picky',
      jobs: [defineJob({ name: 'picky.sync', handler: async () => undefined })],
      subscriptions: [
        {
          job: 'picky.sync',
          events: ['client.created'],
          wants: async (event, db) => {
            const row = await db.selectFrom('persons').select('is_guest').where('id', '=', event.entityId).executeTakeFirst();
            return row?.is_guest === 0;
          },
        },
      ],
    };
    const api = await startTestApi(dialect, { extensions: [extension] });
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
