import { defineIntegration } from '../../platform/integration.js';
import { bitrix24Backfill } from './export/backfill.js';
import { bitrix24Jobs } from './export/jobs.js';
import { PortalConnection } from './export/portal.js';
import { bitrix24ApiRoutes, bitrix24Panel } from './panel.js';
import { bitrix24Settings } from './settings.js';

/**
 * Bitrix24 (B24-1..B24-19). Today: the settings form with its live checks and the status mapping,
 * and the export — orders become deals, clients contacts and companies, registrations leads —
 * batched and paced to the portal's limits. The events endpoint, reconciliation and telephony
 * (issue 8) plug their jobs, routes and schedules in here; see README.md.
 */
export const bitrix24 = defineIntegration({
  name: 'bitrix24',
  title: { ru: 'Битрикс24', en: 'Bitrix24' },
  settings: bitrix24Settings,
  setup(context) {
    const portal = new PortalConnection(context);
    const jobs = bitrix24Jobs(context, portal);
    return {
      jobs: [jobs.exportOrder, jobs.exportOrders, jobs.exportClient],
      subscriptions: [
        { job: jobs.exportOrder, events: ['order.created', 'order.updated', 'order.status_changed', 'order.commented', 'order.rendered'] },
        {
          job: jobs.exportClient,
          events: ['client.created', 'client.updated'],
          // A registration becomes a lead only with «Передача новых клиентов… лидов» on; a change
          // matters only to a client Bitrix24 already has.
          wants: async (event, db) => {
            if (event.type === 'client.created') return (await context.settings.get(db))?.settings.leadsEnabled === true;
            const kind = event.entityType === 'organization' ? 'company' : 'contact';
            return (await context.stores.links.externalIdOf({ entityType: event.entityType, entityId: event.entityId, system: context.name, kind }, db)) !== null;
          },
        },
      ],
      resend: [
        { entityType: 'order', job: jobs.exportOrder },
        { entityType: 'person', job: jobs.exportClient },
        { entityType: 'organization', job: jobs.exportClient },
      ],
      routes: { api: bitrix24ApiRoutes(context, portal, jobs.exportClient) },
      panel: bitrix24Panel,
      backfill: bitrix24Backfill(context, jobs.exportOrders),
    };
  },
});
