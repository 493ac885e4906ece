import type { JobDefinition } from '../../../jobs/catalog.js';
import type { IntegrationBackfill } from '../../../platform/backfill.js';
import type { IntegrationContext } from '../../../platform/context.js';
import type { Bitrix24Settings } from '../settings.js';
import type { ExportOrdersPayload } from './jobs.js';
import { BACKFILL_CHUNK } from './jobs.js';
import { skipReason } from './orders.js';

/**
 * `printsync backfill bitrix24 [--since DATE]`: the orders that have no deal yet, oldest first,
 * queued `BACKFILL_CHUNK` to a job so each job fills its batches. A job's key names its first and
 * last order: queuing again while they wait adds nothing.
 */
export function bitrix24Backfill(context: IntegrationContext<Bitrix24Settings>, exportOrders: JobDefinition<ExportOrdersPayload>): IntegrationBackfill {
  const linked = async (ids: readonly number[]) => {
    const all = await context.transaction((trx) => context.stores.links.forEntities(trx, 'order', [...ids]));
    return new Set([...all].filter(([, systems]) => systems[context.name]?.deal).map(([id]) => id));
  };
  return {
    entityType: 'order',
    async pending({ since }) {
      const { settings } = await context.settings.require();
      const ids: number[] = [];
      let cursor: string | undefined;
      do {
        const page = await context.stores.orders.list({ limit: 500, cursor, ...(since ? { createdFrom: since.toISOString() } : {}) });
        const candidates = page.items.filter((order) => skipReason(order, settings) === null);
        const done = await linked(candidates.map((o) => o.id));
        ids.push(...candidates.filter((o) => !done.has(o.id)).map((o) => o.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return ids.sort((a, b) => a - b);
    },
    async enqueue(ids) {
      const queued: Array<{ jobName: string; key: string }> = [];
      for (let i = 0; i < ids.length; i += BACKFILL_CHUNK) {
        const chunk = ids.slice(i, i + BACKFILL_CHUNK);
        const key = `backfill:${chunk[0]}-${chunk.at(-1)}`;
        await context.enqueue(exportOrders, { orderIds: chunk }, { key });
        queued.push({ jobName: exportOrders.name, key });
      }
      return queued;
    },
    async sent(ids) {
      let count = 0;
      for (let i = 0; i < ids.length; i += 500) count += (await linked(ids.slice(i, i + 500))).size;
      return count;
    },
  };
}
