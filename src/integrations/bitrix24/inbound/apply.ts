import { z } from 'zod';
import { defineJob } from '../../../jobs/catalog.js';
import type { JobDefinition } from '../../../jobs/catalog.js';
import type { IntegrationContext } from '../../../platform/context.js';
import type { InboundOutcome } from '../../../store/inbound-events.js';
import type { LinkedEntityType } from '../../../store/external-links.js';
import type { PortalConnection } from '../export/portal.js';
import type { Bitrix24Settings } from '../settings.js';
import { forStaff } from '../transport/client.js';
import { applyCompany, applyContact } from './clients.js';
import { applyDeal } from './deals.js';
import { applyLead, applyProduct } from './leads.js';

export const INBOUND_KINDS = ['deal', 'contact', 'company', 'lead', 'product'] as const;
export type InboundKind = (typeof INBOUND_KINDS)[number];

export const applyPayload = z.object({ kind: z.enum(INBOUND_KINDS), externalId: z.string().regex(/^\d+$/) });
export type ApplyPayload = z.output<typeof applyPayload>;

/** What came of reading one record from Bitrix24. */
export interface Applied {
  outcome: Exclude<InboundOutcome, 'failed'>;
  note: string;
  /** Our entity the record stands for, when there is one. */
  entity?: { entityType: LinkedEntityType; entityId: number };
}

const APPLIERS = { deal: applyDeal, contact: applyContact, company: applyCompany, lead: applyLead, product: applyProduct } as const;

/**
 * One record of Bitrix24 read fresh and applied (B24-11..15): what its events (any number, any
 * order) and the reconciliation ask for. Every event of the record still pending is settled with
 * the outcome; an applied change is in the sync log of our entity.
 */
export function applyJob(context: IntegrationContext<Bitrix24Settings>, portal: PortalConnection): JobDefinition<ApplyPayload> {
  return defineJob({
    name: 'bitrix24.apply',
    payload: applyPayload,
    maxAttempts: 8,
    backoff: { baseDelayMs: 1_000, maxDelayMs: 5 * 60_000 },
    leaseMs: 15_000,
    maxRunMs: 60_000,
    async handler({ kind, externalId }, job) {
      const transport = portal.transport(await portal.settings());
      const key = `${kind}:${externalId}`;
      let applied: Applied;
      // What this run reads answers the events received before it starts reading; one that comes
      // meanwhile may be about a later change: it stays pending for the run it queued.
      let upToId: number | undefined;
      try {
        applied = await portal.locks.run(
          [`inbound:${key}`],
          async () => {
            upToId = await context.inbox.lastId(kind, externalId);
            return APPLIERS[kind](context, transport, externalId, job.signal);
          },
          job.signal,
        );
      } catch (error) {
        if (job.attempt >= job.maxAttempts) await context.inbox.settle(kind, externalId, 'failed', String(forStaff(error)), upToId);
        throw error;
      }
      await context.inbox.settle(kind, externalId, applied.outcome, applied.note, upToId);
      if (applied.entity && applied.outcome === 'applied') {
        await context.syncLog.record({ entityType: applied.entity.entityType, entityId: applied.entity.entityId, operation: `${kind}.apply`, outcome: 'ok', externalId, jobId: job.jobId, response: { note: applied.note } });
      }
    },
  });
}
