import { defineJob } from '../../../jobs/catalog.js';
import type { JobDefinition } from '../../../jobs/catalog.js';
import { scheduledJobPayload } from '../../../jobs/scheduler.js';
import type { ScheduledJobPayload } from '../../../jobs/scheduler.js';
import type { IntegrationReconcile } from '../../../platform/backfill.js';
import type { IntegrationContext } from '../../../platform/context.js';
import type { PortalConnection } from '../export/portal.js';
import type { Bitrix24Settings } from '../settings.js';
import type { ApplyPayload, InboundKind } from './apply.js';

/** Looked back beyond the last interval: a change saved as the previous poll ran is not missed. */
const OVERLAP_MS = 2 * 60_000;
const RECONCILED: readonly InboundKind[] = ['deal', 'contact', 'company', 'lead'];

/**
 * Bitrix24 never resends an event it failed to deliver (B24-17): every few minutes the deals,
 * contacts and companies modified since the last poll (with an overlap) are listed, page by page
 * by ID (`start=-1`, `>ID`: no counting, no offsets), and each one printsync has a link for is
 * read and applied like an event — what is already in agreement changes nothing.
 */
export function reconciler(context: IntegrationContext<Bitrix24Settings>, portal: PortalConnection, apply: JobDefinition<ApplyPayload>): IntegrationReconcile {
  return {
    async run({ since, signal }) {
      const transport = portal.transport(await portal.settings());
      const queued: Array<{ jobName: string; key: string }> = [];
      let checked = 0;
      const enqueue = async (kind: InboundKind, externalId: string) => {
        const key = `${kind}:${externalId}`;
        await context.enqueue(apply, { kind, externalId }, { key });
        queued.push({ jobName: apply.name, key });
      };
      for (const kind of RECONCILED) {
        const seen = new Set<string>();
        let lastId = 0;
        for (;;) {
          const filter: Record<string, unknown> = { '>ID': lastId };
          if (since) filter['>=DATE_MODIFY'] = since.toISOString();
          const page = await transport.call<Array<{ ID: string }>>(`crm.${kind}.list`, { filter, order: { ID: 'ASC' }, select: ['ID'], start: -1 }, { signal });
          const rows = Array.isArray(page.result) ? page.result : [];
          for (const row of rows) {
            checked += 1;
            const externalId = String(row.ID);
            seen.add(externalId);
            if (!(await context.stores.links.findEntity(context.name, kind, externalId))) continue;
            await enqueue(kind, externalId);
          }
          if (rows.length < 50) break;
          lastId = Number(rows.at(-1)!.ID);
        }
        // A record deleted while its delete event was lost is in no list: a full run reads every
        // linked one the portal no longer lists, and the apply unlinks it.
        if (!since) {
          for (const externalId of await context.stores.links.externalIdsOfKind(context.name, kind)) {
            if (!seen.has(externalId)) await enqueue(kind, externalId);
          }
        }
      }
      await context.syncLog.record({ entityType: 'integration', entityId: 0, operation: 'reconcile', outcome: 'ok', response: { since: since?.toISOString() ?? null, checked, queued: queued.length } });
      return { checked, queued };
    },
  };
}

/** The schedule: every «Сверка с порталом, раз в минут» minutes, what changed since the last one. */
export function reconcileJob(reconcile: IntegrationReconcile, context: IntegrationContext<Bitrix24Settings>): JobDefinition<ScheduledJobPayload> {
  return defineJob({
    name: 'bitrix24.reconcile',
    payload: scheduledJobPayload,
    maxAttempts: 3,
    maxRunMs: 10 * 60_000,
    async handler({ scheduledAt }, job) {
      const { settings } = await context.settings.require();
      const since = new Date(Date.parse(scheduledAt) - settings.reconcileMinutes * 60_000 - OVERLAP_MS);
      await reconcile.run({ since, signal: job.signal });
    },
  });
}
