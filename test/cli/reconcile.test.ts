import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { startBitrix24Emulator } from '../../emulators/bitrix24/server.js';
import { addOrders, switchOnBitrix24, withPrintsync } from '../support/backfill-shop.js';
import { portalList } from '../support/bitrix24-portal.js';
import { createTestDatabase } from '../support/databases.js';
import { killAll } from '../support/processes.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'printsync.js');

/**
 * `printsync reconcile bitrix24` (issue 12, B24-17): the portal's events never reached printsync
 * (Bitrix24 does not resend them); managers moved deals, renamed a contact and deleted a deal.
 * The command reads the portal and printsync agrees with it.
 */
describe('printsync reconcile bitrix24', () => {
  const children: ChildProcess[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    killAll(children);
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function run(args: string[], databaseUrl: string): Promise<{ code: number | null; output: string }> {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, DATABASE_URL: databaseUrl, ALLOW_PRIVATE_NETWORKS: '1', LOG_LEVEL: 'warn', BITRIX24_RETRY_BASE_MS: '50' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    const lines: string[] = [];
    for (const stream of [child.stdout!, child.stderr!]) createInterface({ input: stream }).on('line', (line) => lines.push(line));
    return new Promise((resolve) => child.once('exit', (code) => setTimeout(() => resolve({ code, output: lines.join('\n') }), 50)));
  }

  it('orders and clients changed on the portal while its events were lost agree with it after the command', { timeout: 120_000 }, async () => {
    const b24 = await startBitrix24Emulator({ rate: false, operating: false });
    cleanups.push(() => b24.stop());
    const db = await createTestDatabase('sqlite');
    cleanups.push(() => db.drop());
    const settings = { requestsPerSecond: 50, requestBurst: 250, stageToStatus: [{ stageId: 'NEW', status: 'NotProcessed', markPaid: false }, { stageId: 'WON', status: 'Printed', markPaid: true }, { stageId: 'LOSE', status: 'Cancelled', markPaid: false }] };
    const shop = await withPrintsync(db.url, async (services) => {
      const made = await addOrders(services, 4, { comments: 0 });
      await switchOnBitrix24(services, b24, settings);
      return made;
    });
    const sent = await run(['backfill', 'bitrix24'], db.url);
    expect(sent.code, sent.output).toBe(0);

    const deals = await portalList<{ ID: string; ORIGIN_ID: string; CONTACT_ID: string }>(b24, 'crm.deal.list', { filter: { ORIGINATOR_ID: 'printsync' }, select: ['ID', 'ORIGIN_ID', 'CONTACT_ID'] });
    const dealOf = (orderId: number) => deals.find((d) => d.ORIGIN_ID === `order-${orderId}`)!;
    const [won, lost, renamed, deleted] = shop.orderIds;
    // No handler is subscribed: every event of these changes is lost.
    b24.manager.moveDealStage(Number(dealOf(won!).ID), 'WON');
    b24.manager.moveDealStage(Number(dealOf(lost!).ID), 'LOSE');
    b24.manager.update('contact', Number(dealOf(renamed!).CONTACT_ID), { NAME: 'Ольга-Мария', LAST_NAME: 'Переименованная' });
    b24.manager.delete('deal', Number(dealOf(deleted!).ID));

    const reconciled = await run(['reconcile', 'bitrix24'], db.url);
    expect(reconciled.code, reconciled.output).toBe(0);
    expect(reconciled.output).toContain('bitrix24: reconciled');

    await withPrintsync(db.url, async (services) => {
      const { orders, persons } = services.stores;
      const wonOrder = await orders.get(won!);
      expect([wonOrder.status, wonOrder.payment.status]).toEqual(['Printed', 'paid']);
      expect((await orders.get(lost!)).status).toBe('Cancelled');
      const person = await persons.get(shop.personIds[shop.orderIds.indexOf(renamed!)]!);
      expect([person.lastName, person.firstName]).toEqual(['Переименованная', 'Ольга-Мария']);
      expect((await orders.get(renamed!)).status).toBe('NotProcessed');
      const orphan = await orders.get(deleted!);
      expect(orphan.externalIds.bitrix24?.deal).toBeUndefined();
      expect(orphan.status).toBe('NotProcessed');
      // Nothing printsync took from the portal went back to it.
      const log = await services.stores.syncLog.list({ system: 'bitrix24', entityType: 'order', entityId: won!, limit: 50 });
      expect(log.items.filter((e: { operation: string }) => e.operation === 'deal.export')).toHaveLength(1);
    });
    const after = await portalList<{ ID: string; STAGE_ID: string }>(b24, 'crm.deal.list', { filter: { ID: dealOf(won!).ID }, select: ['ID', 'STAGE_ID'] });
    expect(after[0]!.STAGE_ID).toBe('WON');

    // Run again: everything already agrees, nothing changes.
    const again = await run(['reconcile', 'bitrix24'], db.url);
    expect(again.code, again.output).toBe(0);
    expect(again.output).toContain('bitrix24: reconciled');
  });

  it('an integration without reconciliation, or one switched off, is a clear error', { timeout: 60_000 }, async () => {
    const db = await createTestDatabase('sqlite');
    cleanups.push(() => db.drop());
    const off = await run(['reconcile', 'bitrix24'], db.url);
    expect(off.code).not.toBe(0);
    expect(off.output).toMatch(/switched off/);
    const unknown = await run(['reconcile', 'nosuch'], db.url);
    expect(unknown.code).not.toBe(0);
    expect(unknown.output).toMatch(/has no reconciliation; integrations that have one: .*bitrix24/);
  });
});
