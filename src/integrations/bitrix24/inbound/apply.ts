import { z } from 'zod';
import { defineJob } from '../../../jobs/catalog.js';
import type { JobDefinition } from '../../../jobs/catalog.js';
import type { IntegrationContext } from '../../../platform/context.js';
import type { PortalConnection } from '../export/portal.js';
import type { Bitrix24Settings } from '../settings.js';
import { BATCH_LIMIT, forStaff } from '../transport/client.js';
import { APPLIERS, INBOUND_KINDS, applyRecord, inboundLock, linkedEntity } from './appliers.js';
import type { InboundKind, LinkedEntity } from './appliers.js';
import { fetchRecords } from './fetch.js';

export { INBOUND_KINDS };
export type { InboundKind };

export const applyPayload = z.object({
  kind: z.enum(INBOUND_KINDS),
  externalId: z.string().regex(/^\d+$/),
  /**
   * Read the record even when none of its events is pending: a delivery the inbox took for a
   * duplicate (a second change within the same second looks exactly like one), or the
   * reconciliation looking for a record deleted while its events were lost.
   */
  reread: z.boolean().optional(),
});
export type ApplyPayload = z.output<typeof applyPayload>;

/** The collapse key of the work for one record (`reread`: its own, so it never hides in a run that may be answered already). */
export function applyKey(payload: ApplyPayload): string {
  return `${payload.kind}:${payload.externalId}${payload.reread ? ':again' : ''}`;
}

/** One record to read and apply, with the events a read starting now answers. */
interface Member {
  externalId: string;
  linked: LinkedEntity;
  eventIds: number[];
}

/**
 * One record of Bitrix24 read fresh and applied (B24-11..15): what its events (any number, any
 * order) ask for. Records of the same kind whose events wait too are read in the same request
 * (`batch`, up to 50 `get` commands) and applied from it, so a burst of events costs a request
 * per 50 records, not one per event; their own runs then find nothing pending and read nothing.
 * Every event a read answers is settled with the outcome; an applied change is in the sync log of
 * our entity. An event stored while the read runs stays pending for the run it queued.
 */
export function applyJob(context: IntegrationContext<Bitrix24Settings>, portal: PortalConnection): JobDefinition<ApplyPayload> {
  /** Other records of the kind with events pending, not being read by another run here: taken for this read. */
  async function gather(kind: InboundKind, own: string): Promise<{ members: Member[]; locks: string[] }> {
    const candidates = (await context.inbox.recentPending(kind, BATCH_LIMIT * 2)).filter((id) => id !== own);
    const locks = portal.locks.tryTake(candidates.map((id) => inboundLock(kind, id)), BATCH_LIMIT - 1);
    const taken = candidates.filter((id) => locks.includes(inboundLock(kind, id)));
    // Asked again under their locks: a run that just ended may have answered some of them.
    const pending = await context.inbox.pending(kind, taken);
    const members: Member[] = [];
    for (const externalId of taken) {
      const eventIds = pending.get(externalId);
      // A record with no link is left to its own run, which settles it without a request.
      const linked = eventIds ? await linkedEntity(context, kind, externalId) : null;
      if (eventIds && linked) members.push({ externalId, linked, eventIds });
    }
    return { members, locks };
  }

  return defineJob({
    name: 'bitrix24.apply',
    payload: applyPayload,
    maxAttempts: 8,
    backoff: { baseDelayMs: 1_000, maxDelayMs: 5 * 60_000 },
    leaseMs: 15_000,
    maxRunMs: 60_000,
    async handler({ kind, externalId, reread }, job) {
      const applier = APPLIERS[kind];
      let ownEvents: number[] = [];
      try {
        await portal.locks.run(
          [inboundLock(kind, externalId)],
          async () => {
            ownEvents = (await context.inbox.pending(kind, [externalId])).get(externalId) ?? [];
            const linked = await linkedEntity(context, kind, externalId);
            // Managers' own records fire events too: one printsync has no link for costs no request.
            if (!linked) {
              await context.inbox.settleIds(ownEvents, 'ignored', applier.unlinked);
              return;
            }
            // Already answered by a read that began after its events were stored (another record's run).
            if (ownEvents.length === 0 && !reread) return;
            const transport = portal.transport(await portal.settings());
            const others = await gather(kind, externalId);
            try {
              const own: Member = { externalId, linked, eventIds: ownEvents };
              const members = [own, ...others.members];
              const read = await fetchRecords(transport, applier.get, members.map((m) => m.externalId), job.signal);
              for (const member of others.members) {
                if (!read.records.has(member.externalId)) continue;
                // Another record's trouble is its own run's: it stays pending and is read again there.
                await applyRecord(context, transport, kind, member, read.records.get(member.externalId), { jobId: job.jobId, signal: job.signal }).catch((error: unknown) => {
                  context.logger.warn({ err: error, kind, externalId: member.externalId }, 'bitrix24 apply of a record read together failed; its own run retries it');
                });
              }
              if (!read.records.has(externalId)) throw read.errors.get(externalId) ?? new Error(`${applier.get} ${externalId}: not read`);
              await applyRecord(context, transport, kind, own, read.records.get(externalId), { jobId: job.jobId, signal: job.signal });
            } finally {
              portal.locks.release(others.locks);
            }
          },
          job.signal,
        );
      } catch (error) {
        if (job.attempt >= job.maxAttempts) await context.inbox.settleIds(ownEvents, 'failed', String(forStaff(error)));
        throw error;
      }
    },
  });
}
