import { z } from 'zod';
import { defineJob } from '../../../src/jobs/catalog.js';
import type { JobDefinition } from '../../../src/jobs/catalog.js';
import { scheduledJobPayload } from '../../../src/jobs/scheduler.js';
import type { ScheduledJobPayload } from '../../../src/jobs/scheduler.js';
import { phpForm } from '../../../src/platform/body-parsers.js';
import type { IntegrationContext } from '../../../src/platform/context.js';
import { sharedToken } from '../../../src/platform/inbound-auth.js';
import type { InboundRoutes } from '../../../src/platform/routes.js';
import { statusForStage } from './mapping.js';
import type { ExampleSettings } from './settings.js';
import type { ExampleClients } from './transport.js';

/** What the other system posts: form-encoded with PHP bracket keys, as Bitrix24 does. */
const eventBody = z.object({
  event: z.string().min(1),
  data: z.object({ FIELDS: z.object({ ID: z.string().min(1), STAGE_ID: z.string().min(1) }) }),
  auth: z.object({ application_token: z.string() }),
});

const applyPayload = z.object({ dealId: z.string(), stage: z.string() });

/** A deal moved in the other system: the order follows (as a change the example made, so not exported back). */
export function applyDealJob(context: IntegrationContext<ExampleSettings>): JobDefinition<z.output<typeof applyPayload>> {
  return defineJob({
    name: 'example.applyDeal',
    payload: applyPayload,
    async handler({ dealId, stage }) {
      await applyStage(context, dealId, stage);
    },
  });
}

async function applyStage(context: IntegrationContext<ExampleSettings>, dealId: string, stage: string): Promise<boolean> {
  const linked = await context.stores.links.findEntity('example', 'deal', dealId);
  const status = statusForStage(stage);
  if (!linked || linked.entityType !== 'order' || !status) return false;
  const order = await context.stores.orders.get(linked.entityId);
  if (order.status === status) return false;
  await context.stores.orders.changeStatus(order.id, { status });
  return true;
}

/** The events endpoint: checks the token, stores the event as a job and answers at once. */
export function eventRoutes(context: IntegrationContext<ExampleSettings>, applyDeal: JobDefinition<z.output<typeof applyPayload>>): InboundRoutes {
  return {
    prefix: '/api/example/events',
    auth: sharedToken({
      read: (request) => (request.body as { auth?: { application_token?: unknown } } | undefined)?.auth?.application_token,
      expected: async () => (await context.settings.get())?.settings.eventToken ?? null,
    }),
    bodies: [phpForm()],
    register(router) {
      router.post('', { schema: { summary: 'An event of the example system', body: eventBody } }, async (request) => {
        const { ID, STAGE_ID } = request.body.data.FIELDS;
        const jobId = await context.enqueue(applyDeal, { dealId: ID, stage: STAGE_ID });
        return { accepted: true, jobId };
      });
    },
  };
}

/** Events get lost (the other system never resends one): every few seconds, deals are read and followed. */
export function reconcileJob(context: IntegrationContext<ExampleSettings>, clients: ExampleClients): JobDefinition<ScheduledJobPayload> {
  return defineJob({
    name: 'example.reconcile',
    payload: scheduledJobPayload,
    async handler({ scheduledAt }, job) {
      const { settings } = await context.settings.require();
      let changed = 0;
      for (const deal of await clients.for(settings).deals(job.signal)) {
        if (typeof deal.fields.stage === 'string' && (await applyStage(context, deal.id, deal.fields.stage))) changed++;
      }
      await context.syncLog.record({ entityType: 'integration', entityId: 0, operation: 'reconcile', outcome: 'ok', jobId: job.jobId, response: { scheduledAt, changed } });
    },
  });
}
