import { domainEventJobPayload } from '../../../events/domain-events.js';
import type { DomainEventJobPayload } from '../../../events/domain-events.js';
import { defineJob } from '../../../jobs/catalog.js';
import type { JobDefinition } from '../../../jobs/catalog.js';
import type { IntegrationSubscription } from '../../../platform/integration.js';
import { jobRetry } from '../../common/retry.js';
import type { Handover } from './handover.js';

/** The order events after which 1C has to take the order (again). */
export const HANDOVER_EVENTS = ['order.created', 'order.updated', 'order.status_changed', 'order.rendered'] as const;

/**
 * `poly1c.markOrder`: an order was made or changed — mark it due for the next `query` of 1C.
 * The mark is written with the job's completion (exactly once, whatever crashes); the job itself
 * was enqueued in the change's transaction, so a change is never missed. Changes the
 * integration made itself (a status from 1C) enqueue nothing: 1C already knows them.
 */
export function handoverJobs(handover: Handover): { markOrder: JobDefinition<DomainEventJobPayload>; subscriptions: IntegrationSubscription[] } {
  const markOrder = defineJob({
    name: 'poly1c.markOrder',
    payload: domainEventJobPayload,
    ...jobRetry('POLY1C_RETRY_BASE_MS', { maxAttempts: 10, baseDelayMs: 1_000, leaseMs: 15_000 }),
    maxRunMs: 30_000,
    async handler(event, job) {
      await job.completeWith((trx) => handover.markDue(event.entityId, trx));
    },
  });
  return { markOrder, subscriptions: [{ job: markOrder, events: [...HANDOVER_EVENTS] }] };
}
