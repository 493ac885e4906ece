import { z } from 'zod';
import { domainEventJobPayload } from '../../../events/domain-events.js';
import type { DomainEventJobPayload } from '../../../events/domain-events.js';
import { defineJob } from '../../../jobs/catalog.js';
import { jobRetry } from '../../common/retry.js';
import type { JobDefinition } from '../../../jobs/catalog.js';
import { isRetryable } from '../../../jobs/errors.js';
import type { IntegrationContext } from '../../../platform/context.js';
import type { Bitrix24Settings } from '../settings.js';
import { forStaff } from '../transport/client.js';
import { ClientExporter } from './clients.js';
import { OrderExporter } from './orders.js';
import type { PortalConnection } from './portal.js';

/** Orders per backfill job: one lookup batch and five full write batches for new orders with a few comments, well inside a job's time limit. */
export const BACKFILL_CHUNK = 48;

export const exportOrdersPayload = z.object({ orderIds: z.array(z.number().int().positive()).min(1).max(200) });
export type ExportOrdersPayload = z.output<typeof exportOrdersPayload>;

/**
 * 2 s, doubling, up to 10 minutes. `BITRIX24_RETRY_BASE_MS` (read at start-up) sets the first
 * delay instead: the integration tests use a few milliseconds so a retried job comes back at once.
 */
function retryPolicy() {
  return jobRetry('BITRIX24_RETRY_BASE_MS', { maxAttempts: 12, baseDelayMs: 2_000, leaseMs: 15_000 });
}

export interface Bitrix24Jobs {
  exportOrder: JobDefinition<DomainEventJobPayload>;
  exportOrders: JobDefinition<ExportOrdersPayload>;
  exportClient: JobDefinition<DomainEventJobPayload>;
}

export function bitrix24Jobs(context: IntegrationContext<Bitrix24Settings>, portal: PortalConnection): Bitrix24Jobs {
  const RETRY = retryPolicy();
  const orders = new OrderExporter(context, portal);
  const clients = new ClientExporter(context, portal);

  /** One order, on every change (repeated changes collapse into one waiting job). */
  const exportOrder = defineJob({
    name: 'bitrix24.exportOrder',
    payload: domainEventJobPayload,
    ...RETRY,
    maxRunMs: 120_000,
    async handler(event, job) {
      const force = event.type.startsWith('sync.');
      const run = await orders.export([event.entityId], { signal: job.signal, jobId: job.jobId, force, recovering: job.attempt > 1 });
      const failed = run.outcomes.find((o) => o.outcome === 'error');
      if (failed?.error) throw failed.error;
    },
  });

  /**
   * Many orders (the backfill): every order is tried; the job is retried only for a failure worth
   * retrying, and a retry skips the orders already sent (their version is recorded).
   */
  const exportOrders = defineJob({
    name: 'bitrix24.exportOrders',
    payload: exportOrdersPayload,
    ...RETRY,
    maxRunMs: 600_000,
    async handler({ orderIds }, job) {
      const run = await orders.export(orderIds, { signal: job.signal, jobId: job.jobId, recovering: job.attempt > 1 });
      const retryable = run.outcomes.find((o) => o.outcome === 'error' && isRetryable(o.error));
      if (retryable?.error) throw retryable.error;
    },
  });

  /**
   * A client: a lead on registration (B24-8, with the toggle on), its contact or company updated
   * when it changes, or made on «Отправить в Битрикс24» (B24-9).
   */
  const exportClient = defineJob({
    name: 'bitrix24.exportClient',
    payload: domainEventJobPayload,
    ...RETRY,
    maxRunMs: 120_000,
    async handler(event, job) {
      const entityType = event.entityType === 'organization' ? 'organization' : 'person';
      const started = Date.now();
      try {
        if (event.type === 'client.created') {
          const leadId = await clients.sendLead(entityType, event.entityId, job.signal);
          await context.syncLog.record({ entityType, entityId: event.entityId, operation: 'lead.add', outcome: 'ok', externalId: leadId, jobId: job.jobId, durationMs: Date.now() - started });
          return;
        }
        const operation = entityType === 'organization' ? 'company.export' : 'contact.export';
        // A change of a linked client updates its contact or company; «Отправить…» makes it first when there is none.
        const updated = await clients.update(entityType, event.entityId, job.signal);
        if (updated === null && event.type === 'client.updated') return;
        const externalId = updated ?? (entityType === 'organization' ? await clients.exportOrganization(event.entityId, job.signal) : await clients.exportPerson(event.entityId, job.signal)).externalId;
        await context.syncLog.record({ entityType, entityId: event.entityId, operation, outcome: 'ok', externalId, jobId: job.jobId, durationMs: Date.now() - started });
      } catch (error) {
        const operation = event.type === 'client.created' ? 'lead.add' : entityType === 'organization' ? 'company.export' : 'contact.export';
        await context.syncLog.record({ entityType, entityId: event.entityId, operation, outcome: 'error', error: forStaff(error), jobId: job.jobId, durationMs: Date.now() - started });
        throw error;
      }
    },
  });

  return { exportOrder, exportOrders, exportClient };
}
