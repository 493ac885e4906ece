import { domainEventJobPayload } from '../../../src/events/domain-events.js';
import { defineJob } from '../../../src/jobs/catalog.js';
import type { JobDefinition } from '../../../src/jobs/catalog.js';
import type { DomainEventJobPayload } from '../../../src/events/domain-events.js';
import type { IntegrationContext } from '../../../src/platform/context.js';
import { companyFields, contactFields, dealFields, originOf } from './mapping.js';
import type { ExampleSettings } from './settings.js';
import type { ExampleClients } from './transport.js';

/**
 * Order → contact, company, deal in the other system: three objects, each made once across
 * retries (`context.step` records it before the next is made; `find` recovers one whose create
 * was made but never answered).
 */
export function exportOrderJob(context: IntegrationContext<ExampleSettings>, clients: ExampleClients): JobDefinition<DomainEventJobPayload> {
  return defineJob({
    name: 'example.exportOrder',
    payload: domainEventJobPayload,
    maxAttempts: 5,
    backoff: { baseDelayMs: 50, maxDelayMs: 200 },
    maxRunMs: 10_000,
    async handler(event, job) {
      const { settings } = await context.settings.require();
      const client = clients.for(settings);
      const { signal } = job;
      const order = await context.stores.orders.get(event.entityId);
      const make = (entityType: 'person' | 'organization' | 'order', entityId: number, kind: string, fields: () => Promise<Record<string, unknown>>) =>
        context.step(
          { entityType, entityId, kind },
          {
            find: () => client.findByOrigin(kind, originOf(entityType, entityId), signal),
            create: async () => client.createObject(kind, originOf(entityType, entityId), await fields(), signal),
          },
        );
      const contactId = order.personId ? await make('person', order.personId, 'contact', async () => contactFields(await context.stores.persons.get(order.personId!))) : null;
      const companyId = order.organizationId
        ? await make('organization', order.organizationId, 'company', async () => companyFields(await context.stores.organizations.get(order.organizationId!)))
        : null;
      const dealId = await make('order', order.id, 'deal', async () => dealFields(order, { contactId, companyId }, settings.dealStage));
      await context.syncLog.record({ entityType: 'order', entityId: order.id, operation: 'deal.export', outcome: 'ok', externalId: dealId, jobId: job.jobId, request: { contactId, companyId } });
    },
  });
}
