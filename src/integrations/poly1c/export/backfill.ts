import { z } from 'zod';
import { defineJob } from '../../../jobs/catalog.js';
import type { JobDefinition } from '../../../jobs/catalog.js';
import type { IntegrationBackfill } from '../../../platform/backfill.js';
import type { IntegrationContext } from '../../../platform/context.js';
import { jobRetry } from '../../common/retry.js';
import type { Poly1cSettings } from '../settings.js';
import { DUE } from './handover.js';
import type { Handover, HandoverState } from './handover.js';

const CHUNK = 500;
const markOrdersPayload = z.object({ orderIds: z.array(z.number().int().positive()).min(1).max(CHUNK) });
export type MarkOrdersPayload = z.output<typeof markOrdersPayload>;

/** `poly1c.markOrders`: marks orders that existed before the exchange was on due for 1C's next `query`. */
export function markOrdersJob(handover: Handover): JobDefinition<MarkOrdersPayload> {
  return defineJob({
    name: 'poly1c.markOrders',
    payload: markOrdersPayload,
    ...jobRetry('POLY1C_RETRY_BASE_MS', { maxAttempts: 10, baseDelayMs: 1_000, leaseMs: 15_000 }),
    maxRunMs: 60_000,
    async handler({ orderIds }, job) {
      await job.completeWith(async (trx) => {
        for (const id of orderIds) await handover.markDue(id, trx);
      });
    },
  });
}

/**
 * `printsync backfill poly1c [--since DATE]`: 1C pulls, so «sending» an order that existed before
 * the exchange was switched on means marking it due; it leaves with 1C's next exchange. Pending:
 * orders never handed over and not due yet; «sent»: marked or handed over.
 */
export function poly1cBackfill(context: IntegrationContext<Poly1cSettings>, markOrders: JobDefinition<MarkOrdersPayload>): IntegrationBackfill {
  const known = async (ids: readonly number[]) => {
    const [states, due] = await Promise.all([context.state.getMany('order', [...ids]), context.records.list(DUE)]);
    const dueIds = new Set(due.map((record) => Number(record.key)));
    return new Set(ids.filter((id) => dueIds.has(id) || (states.get(id) as HandoverState | undefined)?.handedOver));
  };
  return {
    entityType: 'order',
    async pending({ since }) {
      const ids: number[] = [];
      let cursor: string | undefined;
      do {
        const page = await context.stores.orders.list({ limit: 500, cursor, ...(since ? { createdFrom: since.toISOString() } : {}) });
        const done = await known(page.items.map((order) => order.id));
        ids.push(...page.items.map((order) => order.id).filter((id) => !done.has(id)));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return ids.sort((a, b) => a - b);
    },
    async enqueue(ids) {
      const queued: Array<{ jobName: string; key: string }> = [];
      for (let i = 0; i < ids.length; i += CHUNK) {
        const chunk = ids.slice(i, i + CHUNK);
        const key = `backfill:${chunk[0]}-${chunk.at(-1)}`;
        await context.enqueue(markOrders, { orderIds: chunk }, { key });
        queued.push({ jobName: markOrders.name, key });
      }
      return queued;
    },
    sent: async (ids) => (await known(ids)).size,
  };
}
