import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ASYSTEM, startErpHarness } from '../integrations/erp/harness.js';
import type { ErpHarness } from '../integrations/erp/harness.js';
import { expectEventually } from '../support/eventually.js';
import { killAll } from '../support/processes.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'printsync.js');

/**
 * Issue 13, "Auto-send after render": 20 orders rendered at once, the worker sending them to
 * ASystem is SIGKILLed mid-way (some orders committed in the ERP, their answers not yet back),
 * another worker takes over — each order is in ASystem exactly once, linked to our order.
 */
describe('auto-send after render survives a killed worker', () => {
  const children: ChildProcess[] = [];
  let h: ErpHarness;
  afterAll(async () => {
    killAll(children);
    await h?.close();
  });

  function worker(): ChildProcess {
    const child = spawn(process.execPath, [BIN, 'worker'], {
      env: { ...process.env, DATABASE_URL: h.api.services.config.databaseUrl, ALLOW_PRIVATE_NETWORKS: '1', LOG_LEVEL: 'warn', ERP_RETRY_BASE_MS: '50', WORKER_CONCURRENCY: '4' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(child);
    return child;
  }

  it('sends each of 20 rendered orders once', { timeout: 90_000 }, async () => {
    h = await startErpHarness(ASYSTEM, { startWorker: false });
    await h.connect({ autoSendAfterRender: true });
    await h.syncTemplates();
    const cards = await h.product('t-12');
    const orders: Array<{ id: number; number: string }> = [];
    for (let i = 0; i < 20; i++) orders.push(await h.order([{ productId: cards, quantity: 100 }]));

    // Every creation commits at once and answers 0.4 s later: a kill lands between the two.
    h.erp.faults.update({ slowRate: 1, slowDelayMs: 400, paths: ['post /orders'] });
    await Promise.all(orders.map((order) => h.render(order.id)));

    const first = worker();
    await expectEventually(() => expect(h.erp.orders.list().length).toBeGreaterThanOrEqual(4), { timeoutMs: 30_000, intervalMs: 20 });
    first.kill('SIGKILL');
    const inErpAtKill = h.erp.orders.list().length;
    expect(inErpAtKill).toBeLessThan(20);
    h.erp.faults.clear();

    worker();
    await expectEventually(
      async () => {
        for (const order of orders) {
          const card = await h.api.request<{ externalIds: Record<string, Record<string, string>> }>('GET', `/api/v1/orders/${order.id}`);
          expect(card.body.externalIds.asystem?.order, `order ${order.number}`).toBeDefined();
        }
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    const externalIds = h.erp.orders.list().map((o) => o.externalId).sort();
    expect(externalIds).toEqual(orders.map((o) => o.number).sort());
    // The kill cut at least one creation between the ERP's commit and our record: the second worker found it by our number.
    const found = [];
    for (const order of orders) found.push(...(await h.syncLog(order.id)).filter((entry) => entry.operation === 'order.find'));
    expect(found.length).toBeGreaterThan(0);
  });
});
