import { expect } from 'vitest';
import { startBitrix24Emulator } from '../../../emulators/bitrix24/server.js';
import type { Bitrix24Emulator, Bitrix24EmulatorOptions } from '../../../emulators/bitrix24/server.js';
import { bitrix24 } from '../../../src/integrations/bitrix24/index.js';
import { startTestApi } from '../../support/api-server.js';
import type { TestApi } from '../../support/api-server.js';
import type { TestDialect } from '../../support/databases.js';
import { connectBitrix24, portalCall, portalList } from '../../support/bitrix24-portal.js';
import { expectEventually } from '../../support/eventually.js';

/**
 * What the Bitrix24 export tests share: a real printsync API (SQLite, worker on) connected to an
 * emulated portal, ways to make clients and orders through the public API, and reads of the
 * portal through its own REST API, as a person checking Bitrix24 would.
 */

// Retried export jobs come back in milliseconds instead of seconds (see the integration's README).
process.env.BITRIX24_RETRY_BASE_MS ??= '50';

export interface Deal {
  ID: string;
  TITLE: string;
  OPPORTUNITY: string;
  CURRENCY_ID: string;
  STAGE_ID: string;
  CONTACT_ID: string | null;
  COMPANY_ID: string | null;
  ASSIGNED_BY_ID: string;
  COMMENTS: string;
  SOURCE_ID: string;
  SOURCE_DESCRIPTION: string;
  ORIGINATOR_ID: string;
  ORIGIN_ID: string;
  /** Date-only: the portal's midnight of that day, with its offset. */
  CLOSEDATE: string;
  UF_CRM_PRINTSYNC_ADDRESS?: string;
}

export interface Multifield {
  VALUE: string;
  VALUE_TYPE: string;
}

export interface Contact {
  ID: string;
  NAME: string;
  LAST_NAME: string;
  COMPANY_ID: string | null;
  ORIGIN_ID: string | null;
  PHONE?: Multifield[];
  EMAIL?: Multifield[];
}

export interface SyncLogEntry {
  id: number;
  system: string;
  entityType: string;
  entityId: number;
  operation: string;
  outcome: string;
  externalId: string | null;
  error: string | null;
  request: unknown;
  response: unknown;
}

export interface Harness {
  api: TestApi;
  b24: Bitrix24Emulator;
  close(): Promise<void>;
  connect(settings?: Record<string, unknown>): Promise<void>;
  person(body: Record<string, unknown>): Promise<number>;
  organization(body: Record<string, unknown>): Promise<number>;
  order(body: Record<string, unknown>): Promise<{ id: number; number: string; version: number }>;
  /** The one deal of the order on the portal (fails while there is none, or more than one). */
  dealOf(orderId: number, timeoutMs?: number): Promise<Deal>;
  /** Every deal of the order on the portal, by its ORIGIN_ID. */
  dealsOf(orderId: number): Promise<Deal[]>;
  contactsWith(filter: Record<string, unknown>): Promise<Contact[]>;
  /** The sync log of one entity, newest first. */
  syncLog(entityType: string, entityId: number): Promise<SyncLogEntry[]>;
  /** Waits for the order's newest deal.export entry to be `outcome`, and returns it. */
  exported(orderId: number, outcome?: string, timeoutMs?: number): Promise<SyncLogEntry>;
  externalIds(path: string): Promise<Record<string, Record<string, string>>>;
}

export const items = [
  { name: 'Визитки 90×50', quantity: 500, total: 249_000 },
  { name: 'Листовки А5', quantity: 1000, unitPrice: 350 },
];

/**
 * `events`: the portal's outgoing webhook posts to printsync's `/api/bitrix/events` (the back-sync
 * tests). `dialect`: the database printsync runs on (SQLite unless said).
 */
export async function startHarness(
  options: { emulator?: Bitrix24EmulatorOptions; settings?: Record<string, unknown>; connect?: boolean; events?: boolean; dialect?: TestDialect } = {},
): Promise<Harness> {
  const b24 = await startBitrix24Emulator({ rate: false, ...options.emulator });
  const api = await startTestApi(options.dialect ?? 'sqlite', { integrations: [bitrix24], startWorker: true }).catch(async (error: unknown) => {
    await b24.stop();
    throw error;
  });
  const harness: Harness = {
    api,
    b24,
    async close() {
      await api.close();
      await b24.stop();
    },
    connect: (settings = {}) => connectBitrix24(api, b24, { ...options.settings, ...settings }),
    async person(body) {
      const response = await api.request<{ id: number }>('POST', '/api/v1/persons', body);
      expect(response.status, JSON.stringify(response.body)).toBe(201);
      return response.body.id;
    },
    async organization(body) {
      const response = await api.request<{ id: number }>('POST', '/api/v1/organizations', body);
      expect(response.status, JSON.stringify(response.body)).toBe(201);
      return response.body.id;
    },
    async order(body) {
      const response = await api.request<{ id: number; number: string; version: number }>('POST', '/api/v1/orders', { site: 'print.example.ru', source: 'site', items, ...body });
      expect(response.status, JSON.stringify(response.body)).toBe(201);
      return response.body;
    },
    dealsOf: (orderId) => portalList<Deal>(b24, 'crm.deal.list', { filter: { ORIGIN_ID: `order-${orderId}` }, select: ['*', 'UF_*'] }),
    async dealOf(orderId, timeoutMs = 15_000) {
      return expectEventually(async () => {
        const deals = await harness.dealsOf(orderId);
        expect(deals).toHaveLength(1);
        return deals[0]!;
      }, { timeoutMs, intervalMs: 100 });
    },
    contactsWith: (filter) => portalList<Contact>(b24, 'crm.contact.list', { filter, select: ['*', 'PHONE', 'EMAIL'] }),
    async syncLog(entityType, entityId) {
      const response = await api.request<{ items: SyncLogEntry[] }>('GET', `/api/v1/sync-log?system=bitrix24&entityType=${entityType}&entityId=${entityId}&limit=100`);
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      return response.body.items;
    },
    async exported(orderId, outcome = 'ok', timeoutMs = 15_000) {
      return expectEventually(async () => {
        const [last] = (await harness.syncLog('order', orderId)).filter((e) => e.operation === 'deal.export');
        expect(last?.outcome, JSON.stringify(last)).toBe(outcome);
        return last!;
      }, { timeoutMs, intervalMs: 100 });
    },
    async externalIds(path) {
      const response = await api.request<{ externalIds: Record<string, Record<string, string>> }>('GET', path);
      expect(response.status).toBe(200);
      return response.body.externalIds;
    },
  };
  if (options.connect !== false) await harness.connect();
  if (options.events) b24.events.addHandler(`${api.baseUrl}/api/bitrix/events`);
  return harness;
}

/** Calls the emulator's admin API (the manager's side of the portal). */
export async function admin<T = unknown>(b24: Bitrix24Emulator, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${b24.url}/admin/api${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`admin ${method} ${path}: ${response.status} ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

/**
 * Every event the portal fired has arrived and been settled: none on the wire (the emulator
 * delivers over HTTP, after printsync's request that caused it has been answered), none pending in
 * the inbox. Checking the inbox alone can pass while an event of an export is still on its way.
 */
export async function eventsSettled(h: Harness): Promise<void> {
  await expectEventually(async () => {
    expect(h.b24.events.pendingCount()).toBe(0);
    expect((await h.api.services.integrations.find('bitrix24')!.context.inbox.counts()).pending).toBe(0);
  }, { timeoutMs: 10_000, intervalMs: 50 });
}

/**
 * Waits until nothing of printsync's talks to the portal: the reconciliation schedule has fired
 * its first run (it fires as soon as the integration is on, then every «Сверка с порталом»
 * minutes) and no job is waiting or running. A test counting the export's requests starts here.
 */
export async function portalQuiet(h: Harness): Promise<void> {
  await expectEventually(async () => {
    const fired = await h.api.services.database.db.selectFrom('schedules').select('last_fired_at').where('name', '=', 'bitrix24.reconcile').executeTakeFirst();
    expect(fired?.last_fired_at).toBeTruthy();
    for (const state of ['pending', 'active', 'retrying']) expect((await h.api.request<unknown[]>('GET', `/api/v1/jobs?state=${state}`)).body).toEqual([]);
  }, { timeoutMs: 15_000, intervalMs: 100 });
}

/**
 * Counts the REST requests the portal receives (each one takes a slot of its rate limit, which
 * is where the emulator sees every request arrive).
 */
export function countRequests(b24: Bitrix24Emulator): { readonly count: number; readonly refused: number; stop(): void } {
  const limiter = b24.limits.rate;
  const original = limiter.admit.bind(limiter);
  let count = 0;
  let refused = 0;
  limiter.admit = (source: string, nowMs?: number) => {
    count += 1;
    try {
      original(source, nowMs);
    } catch (error) {
      refused += 1;
      throw error;
    }
  };
  return {
    get count() {
      return count;
    },
    get refused() {
      return refused;
    },
    stop() {
      limiter.admit = original;
    },
  };
}

export { portalCall, portalList, expectEventually };
