import { defineJob } from '../../../jobs/catalog.js';
import type { JobDefinition } from '../../../jobs/catalog.js';
import { scheduledJobPayload } from '../../../jobs/scheduler.js';
import type { ScheduledJobPayload } from '../../../jobs/scheduler.js';
import type { IntegrationReconcile } from '../../../platform/backfill.js';
import type { IntegrationContext } from '../../../platform/context.js';
import type { PortalConnection } from '../export/portal.js';
import type { Bitrix24Settings } from '../settings.js';
import type { Bitrix24Transport } from '../transport/client.js';
import { applyKey } from './apply.js';
import type { ApplyPayload } from './apply.js';
import { APPLIERS, applyRecord, inboundLock, linkedEntity } from './appliers.js';
import type { InboundKind, LinkedEntity } from './appliers.js';

/** Looked back beyond the last interval: a change saved as the previous poll ran is not missed. */
const OVERLAP_MS = 2 * 60_000;
const RECONCILED: readonly InboundKind[] = ['deal', 'contact', 'company', 'lead'];
const PAGE = 50;

/**
 * How often the schedule runs the full pass instead of «modified since»: a record deleted on the
 * portal is in no list of changes, so only the full pass (which reads every linked record the
 * portal no longer lists) finds a deletion whose event was lost. The first scheduled run after
 * each midnight UTC (03:00 Moscow time) is the full one.
 */
export const FULL_RECONCILE_EVERY_MS = 24 * 60 * 60_000;

/** Whether the scheduled run at `scheduledAtMs` is the first one after a `FULL_RECONCILE_EVERY_MS` boundary. */
export function isFullPass(scheduledAtMs: number, intervalMs: number): boolean {
  return Math.floor(scheduledAtMs / FULL_RECONCILE_EVERY_MS) !== Math.floor((scheduledAtMs - intervalMs) / FULL_RECONCILE_EVERY_MS);
}

/**
 * Bitrix24 never resends an event it failed to deliver (B24-17): the deals, contacts, companies
 * and leads modified since the last poll (with an overlap) — or all of them, in a full pass — are
 * listed page by page by ID (`start=-1`, `>ID`: no counting, no offsets) with the fields the
 * apply needs, and each one printsync has a link for is applied from the page, with the same echo
 * and stale checks as an event: what is already in agreement changes nothing, and no record costs
 * a read of its own. A record with an event still pending is left to that event's read. A full pass
 * also reads every linked record the portal no longer lists (deleted while its event was lost),
 * through the apply job, which unlinks it.
 */
export function reconciler(context: IntegrationContext<Bitrix24Settings>, portal: PortalConnection, apply: JobDefinition<ApplyPayload>): IntegrationReconcile {
  /** One row of a page, applied under the record's lock; false when it is left to another read. */
  async function applyRow(transport: Bitrix24Transport, kind: InboundKind, linked: LinkedEntity, externalId: string, row: unknown, signal?: AbortSignal): Promise<boolean> {
    return portal.locks.run(
      [inboundLock(kind, externalId)],
      async () => {
        // An event came (maybe after this page was read): its own run reads the record fresh.
        if ((await context.inbox.pending(kind, [externalId])).has(externalId)) return false;
        await applyRecord(context, transport, kind, { externalId, linked, eventIds: [] }, row, signal ? { signal } : {});
        return true;
      },
      signal,
    );
  }

  return {
    async run({ since, signal }) {
      const transport = portal.transport(await portal.settings());
      const queued: Array<{ jobName: string; key: string }> = [];
      let checked = 0;
      let applied = 0;
      const enqueue = async (payload: ApplyPayload) => {
        const key = applyKey(payload);
        await context.enqueue(apply, payload, { key });
        queued.push({ jobName: apply.name, key });
      };
      for (const kind of RECONCILED) {
        const applier = APPLIERS[kind];
        const seen = new Set<string>();
        let lastId = 0;
        for (;;) {
          const filter: Record<string, unknown> = { '>ID': lastId };
          if (since) filter['>=DATE_MODIFY'] = since.toISOString();
          const page = await transport.call<Array<{ ID: string }>>(applier.list!, { filter, order: { ID: 'ASC' }, select: applier.select, start: -1 }, { signal });
          const rows = Array.isArray(page.result) ? page.result : [];
          for (const row of rows) {
            checked += 1;
            const externalId = String(row.ID);
            seen.add(externalId);
            const linked = await linkedEntity(context, kind, externalId);
            if (!linked) continue;
            try {
              if (await applyRow(transport, kind, linked, externalId, row, signal)) applied += 1;
            } catch (error) {
              // Applying from the page failed (the database, a lead's follow-up request): the record is read and applied by the job, with its retries.
              context.logger.warn({ err: error, kind, externalId }, 'bitrix24 reconcile: applying a listed record failed; queued for a read of its own');
              await enqueue({ kind, externalId, reread: true });
            }
          }
          if (rows.length < PAGE) break;
          lastId = Number(rows.at(-1)!.ID);
        }
        // A record deleted while its delete event was lost is in no list: a full run reads every
        // linked one the portal no longer lists, and the apply unlinks it.
        if (!since) {
          for (const externalId of await context.stores.links.externalIdsOfKind(context.name, kind)) {
            if (!seen.has(externalId)) await enqueue({ kind, externalId, reread: true });
          }
        }
      }
      await context.syncLog.record({ entityType: 'integration', entityId: 0, operation: 'reconcile', outcome: 'ok', response: { since: since?.toISOString() ?? null, checked, applied, queued: queued.length } });
      return { checked, queued };
    },
  };
}

/**
 * The schedule: every «Сверка с порталом, интервал в минутах», what changed since the last one;
 * the first run after each midnight UTC, everything (see `FULL_RECONCILE_EVERY_MS`).
 */
export function reconcileJob(reconcile: IntegrationReconcile, context: IntegrationContext<Bitrix24Settings>): JobDefinition<ScheduledJobPayload> {
  return defineJob({
    name: 'bitrix24.reconcile',
    payload: scheduledJobPayload,
    maxAttempts: 3,
    maxRunMs: 10 * 60_000,
    async handler({ scheduledAt }, job) {
      const { settings } = await context.settings.require();
      const at = Date.parse(scheduledAt);
      const intervalMs = settings.reconcileMinutes * 60_000;
      const since = isFullPass(at, intervalMs) ? null : new Date(at - intervalMs - OVERLAP_MS);
      await reconcile.run({ since, signal: job.signal });
    },
  });
}
