import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { startBitrix24Emulator } from '../../emulators/bitrix24/server.js';
import type { Bitrix24Emulator, Bitrix24EmulatorOptions } from '../../emulators/bitrix24/server.js';
import { BACKFILL_CHUNK } from '../../src/integrations/bitrix24/export/jobs.js';
import { addOrders, switchOnBitrix24, withPrintsync } from '../support/backfill-shop.js';
import type { ShopOrders } from '../support/backfill-shop.js';
import { portalList } from '../support/bitrix24-portal.js';
import { createTestDatabase } from '../support/databases.js';
import type { TestDatabase, TestDialect } from '../support/databases.js';
import { expectEventually } from '../support/eventually.js';
import { killAll } from '../support/processes.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'printsync.js');

/**
 * `printsync backfill bitrix24` (issue 11, «Backfill»): the real command against the Bitrix24
 * emulator, on a database whose orders were made while the integration was off. What reached the
 * portal is read back through its REST API.
 */
describe('printsync backfill bitrix24', () => {
  const children: ChildProcess[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    killAll(children);
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function emulator(options: Bitrix24EmulatorOptions): Promise<Bitrix24Emulator> {
    const b24 = await startBitrix24Emulator({ operating: false, ...options });
    cleanups.push(() => b24.stop());
    return b24;
  }
  async function database(dialect: TestDialect): Promise<TestDatabase> {
    const db = await createTestDatabase(dialect);
    cleanups.push(() => db.drop());
    return db;
  }

  /** Starts `printsync …` with the test database; collects its output lines. */
  function start(args: string[], db: TestDatabase, env: Record<string, string> = {}) {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, DATABASE_URL: db.url, ALLOW_PRIVATE_NETWORKS: '1', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    const lines: string[] = [];
    for (const stream of [child.stdout!, child.stderr!]) createInterface({ input: stream }).on('line', (line) => lines.push(line));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { child, lines, exited };
  }
  async function run(args: string[], db: TestDatabase): Promise<{ code: number | null; output: string }> {
    const { lines, exited } = start(args, db);
    const code = await exited;
    return { code, output: lines.join('\n') };
  }

  /** Every deal and contact printsync made on the portal, read through its REST API. */
  async function portalState(b24: Bitrix24Emulator) {
    const deals = await portalList<{ ID: string; ORIGIN_ID: string; CONTACT_ID: string | null }>(b24, 'crm.deal.list', { filter: { ORIGINATOR_ID: 'printsync' }, select: ['ID', 'ORIGIN_ID', 'CONTACT_ID'] });
    const contacts = await portalList<{ ID: string; ORIGIN_ID: string }>(b24, 'crm.contact.list', { select: ['ID', 'ORIGIN_ID'] });
    const comments = await portalList<{ ENTITY_ID: string; COMMENT: string }>(b24, 'crm.timeline.comment.list', { filter: { ENTITY_TYPE: 'deal' }, select: ['ENTITY_ID', 'COMMENT'] });
    return { deals, contacts, comments };
  }

  /** Each order exactly one deal, with its own client's contact and its comments once; each client exactly one contact. */
  async function expectExactlyOnce(b24: Bitrix24Emulator, shop: ShopOrders, commentsPerOrder: number): Promise<void> {
    const { deals, contacts, comments } = await portalState(b24);
    expect(deals.map((d) => d.ORIGIN_ID).sort()).toEqual(shop.orderIds.map((id) => `order-${id}`).sort());
    expect(contacts.map((c) => c.ORIGIN_ID).sort()).toEqual(shop.personIds.map((id) => `person-${id}`).sort());
    const contactOf = new Map(contacts.map((c) => [c.ID, c.ORIGIN_ID]));
    for (const deal of deals) {
      const orderId = Number(deal.ORIGIN_ID.slice('order-'.length));
      expect(contactOf.get(String(deal.CONTACT_ID)), `the contact of ${deal.ORIGIN_ID}`).toBe(`person-${shop.personIds[shop.orderIds.indexOf(orderId)]}`);
    }
    const perDeal = new Map<string, number>();
    for (const comment of comments) perDeal.set(comment.ENTITY_ID, (perDeal.get(comment.ENTITY_ID) ?? 0) + 1);
    for (const deal of deals) expect(perDeal.get(deal.ID) ?? 0, `comments on ${deal.ORIGIN_ID}`).toBe(commentsPerOrder);
  }

  const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000);

  it('sends the orders made while the integration was off, with progress; --since limits it; a second run has nothing to send', { timeout: 90_000 }, async () => {
    const b24 = await emulator({ rate: false });
    const db = await database('sqlite');
    const { older, recent } = await withPrintsync(db.url, async (services) => {
      const older = await addOrders(services, 10, { first: 1, createdAt: daysAgo(30) });
      const recent = await addOrders(services, 50, { first: 101 });
      await switchOnBitrix24(services, b24);
      return { older, recent };
    });
    expect(b24.state.store.table('deal').size).toBe(0);
    const before = { ...b24.limits.rate.counts.byMethod };

    const since = daysAgo(10).toISOString().slice(0, 10);
    const first = await run(['backfill', 'bitrix24', '--since', since], db);
    expect(first.code, first.output).toBe(0);
    expect(first.output).toContain('bitrix24: 50 orders to send in 2 jobs');
    expect(first.output).toMatch(/\[#{30}\] 50\/50 \(100%\)/);
    expect(first.output).toContain('bitrix24: all 50 sent');
    // Many orders per request: lookups and writes go in batches of up to 50 commands. (The
    // reconciliation the command's worker also runs lists records and reads each one with single
    // calls of its own: not counted — the export sends its lists and reads inside batches.)
    const exportRequests = Object.entries(b24.limits.rate.counts.byMethod)
      .filter(([method]) => !/^crm\.\w+\.(list|get)$/.test(method))
      .reduce((sum, [method, n]) => sum + n - (before[method] ?? 0), 0);
    expect(exportRequests).toBeLessThanOrEqual(50 / 4);
    await expectExactlyOnce(b24, recent, 2);

    const rest = await run(['backfill', 'bitrix24'], db);
    expect(rest.code, rest.output).toBe(0);
    expect(rest.output).toContain('bitrix24: 10 orders to send in 1 jobs');
    expect(rest.output).toContain('bitrix24: all 10 sent');
    await expectExactlyOnce(b24, { orderIds: [...older.orderIds, ...recent.orderIds], personIds: [...older.personIds, ...recent.personIds] }, 2);

    const again = await run(['backfill', 'bitrix24'], db);
    expect(again.code, again.output).toBe(0);
    expect(again.output).toContain('bitrix24: nothing to send — every order is already there');
  });

  it('a backfill killed (SIGKILL) while the portal commits a batch completes when run again, with no duplicates', { timeout: 120_000 }, async () => {
    // Every batch answers late: the portal has committed it, printsync has not yet heard.
    const b24 = await emulator({ rate: false, faults: { slowRate: 1, slowDelayMs: 1_500, methods: ['batch'] } });
    const db = await database('sqlite');
    const shop = await withPrintsync(db.url, async (services) => {
      const shop = await addOrders(services, 100);
      await switchOnBitrix24(services, b24);
      return shop;
    });

    const killed = start(['backfill', 'bitrix24'], db);
    // The first batch of writes is committed on the portal; its answer is still on the way.
    await expectEventually(() => expect(b24.state.store.table('deal').size).toBeGreaterThan(0), { timeoutMs: 30_000, intervalMs: 10 });
    killed.child.kill('SIGKILL');
    await killed.exited;
    const dealsAtKill = b24.state.store.table('deal').size;
    expect(dealsAtKill).toBeLessThan(100);
    b24.faults.clear();

    const again = await run(['backfill', 'bitrix24'], db);
    expect(again.code, again.output).toBe(0);
    // None of the deals made before the kill was linked yet: the new run finds them on the portal.
    expect(again.output).toContain('bitrix24: 100 orders to send');
    expect(again.output).toContain('bitrix24: all 100 sent');
    await expectExactlyOnce(b24, shop, 2);
    const afterward = await run(['backfill', 'bitrix24'], db);
    expect(afterward.output).toContain('nothing to send');
  });

  it('two worker processes on PostgreSQL share the portal: its rate limit holds across both, every order arrives once', { timeout: 150_000 }, async () => {
    // The cloud's limits scaled up five times (10/s, burst 20), and printsync told the same.
    const b24 = await emulator({ rate: { drainPerSecond: 10, burst: 20 } });
    const db = await database('postgres');
    const shop = await withPrintsync(db.url, async (services) => {
      const shop = await addOrders(services, 320, { comments: 1 });
      await switchOnBitrix24(services, b24, { requestsPerSecond: 10, requestBurst: 20 });
      return shop;
    });
    b24.limits.rate.reset();

    const workers = ['a', 'b'].map(() => start(['worker', '--concurrency', '2'], db, { LOG_LEVEL: 'debug' }));
    const backfill = await run(['backfill', 'bitrix24', '--no-worker'], db);
    expect(backfill.code, backfill.output).toBe(0);
    expect(backfill.output).toContain(`bitrix24: 320 orders to send in ${Math.ceil(320 / BACKFILL_CHUNK)} jobs`);
    expect(backfill.output).toContain('bitrix24: all 320 sent');
    const { requests, refused } = b24.limits.rate.counts;
    // More requests than the burst, so the bucket had to pace them, and the portal refused none.
    expect(requests).toBeGreaterThan(20);
    expect(refused).toBe(0);
    // The checks below read a lot: past the limit's concern now.
    b24.limits.rate.settings = { ...b24.limits.rate.settings, enabled: false };
    // Both workers took jobs (each runs two at a time, and there were more than four).
    for (const worker of workers) expect(worker.lines.join('\n')).toMatch(/"job":"bitrix24\.exportOrders".*job completed|job completed.*"job":"bitrix24\.exportOrders"/);
    await expectExactlyOnce(b24, shop, 1);
  });
});
