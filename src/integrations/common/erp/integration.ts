import { domainEventJobPayload } from '../../../events/domain-events.js';
import { defineJob } from '../../../jobs/catalog.js';
import type { IntegrationContext } from '../../../platform/context.js';
import type { IntegrationParts } from '../../../platform/integration.js';
import { jobRetry } from '../retry.js';
import { ErpCalculator, QUOTE_LIFETIME_MS } from './calculator.js';
import type { ErpMember, ErpSettingsBase } from './family.js';
import { erpPanel } from './panel.js';
import { erpApiRoutes } from './routes.js';
import { OrderSender } from './send.js';
import { TemplateLibrary } from './templates.js';

/**
 * Everything an ERP of the family plugs into printsync, from its member (what differs): the
 * calculator engine, the send job with its auto-send after render and «Отправить повторно», the
 * panel's routes and sections.
 */
export function erpIntegrationParts<S extends ErpSettingsBase>(context: IntegrationContext<S>, member: ErpMember<S>, options: { assumed: string }): IntegrationParts<S> {
  const templates = new TemplateLibrary(context, member);
  const sender = new OrderSender(context, member, templates);

  const sendOrder = defineJob({
    name: `${member.name}.sendOrder`,
    payload: domainEventJobPayload,
    ...jobRetry('ERP_RETRY_BASE_MS', { maxAttempts: 10, baseDelayMs: 2_000, leaseMs: 15_000 }),
    maxRunMs: 120_000,
    async handler(event, job) {
      // An order rendered without a line of this ERP is not its business; a button press is told.
      if (event.type === 'order.rendered' && !(await sender.hasBoundItems(await context.stores.orders.get(event.entityId)))) return;
      await sender.send(event.entityId, { signal: job.signal, jobId: job.jobId });
    },
  });

  return {
    jobs: [sendOrder],
    // «Автоматически отправлять заказы … после рендера»: once the render is ready; sending is idempotent, so a second render sends nothing new.
    subscriptions: [
      {
        job: sendOrder,
        events: ['order.rendered'],
        wants: async (event, db) => event.data.status === 'ready' && Boolean((await context.settings.get(db))?.settings.autoSendAfterRender),
      },
    ],
    resend: [{ entityType: 'order', job: sendOrder }],
    calculator: new ErpCalculator(context, member, templates, quoteLifetimeMs()),
    routes: { api: erpApiRoutes(context, member, templates, sender, sendOrder) },
    panel: erpPanel(member.product, { extraFields: ['extraParamNames'], assumed: options.assumed }),
  };
}

/** `ERP_QUOTE_LIFETIME_MS` shortens (or lengthens, up to an hour) how long a price is reused: the tests use a fraction of a second. */
function quoteLifetimeMs(): number {
  const raw = Number(process.env.ERP_QUOTE_LIFETIME_MS);
  return Number.isFinite(raw) && raw > 0 && raw <= 3_600_000 ? raw : QUOTE_LIFETIME_MS;
}
