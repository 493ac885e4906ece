import { defineIntegration } from '../../platform/integration.js';
import { bitrix24Backfill } from './export/backfill.js';
import { applyJob } from './inbound/apply.js';
import { eventRoutes } from './inbound/events.js';
import { reconcileJob, reconciler } from './inbound/reconcile.js';
import { bitrix24Jobs } from './export/jobs.js';
import { PortalConnection } from './export/portal.js';
import { bitrix24ApiRoutes, bitrix24Panel } from './panel/index.js';
import { bitrix24Settings } from './settings.js';

/**
 * Bitrix24 (B24-1..B24-19): the settings form with its live checks and the status mapping; the
 * export — orders become deals, clients contacts and companies, registrations leads — batched and
 * paced to the portal's limits; and the way back — the events endpoint, each record read fresh and
 * applied, and the reconciliation on a schedule. See README.md.
 */
export const bitrix24 = defineIntegration({
  name: 'bitrix24',
  title: { ru: 'Битрикс24', en: 'Bitrix24' },
  settings: bitrix24Settings,
  setup(context) {
    const portal = new PortalConnection(context);
    const jobs = bitrix24Jobs(context, portal);
    const apply = applyJob(context, portal);
    const reconcile = reconciler(context, portal, apply);
    const reconcileOnSchedule = reconcileJob(reconcile, context);
    return {
      jobs: [jobs.exportOrder, jobs.exportOrders, jobs.exportClient, apply, reconcileOnSchedule],
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
      routes: { api: bitrix24ApiRoutes(context, portal, jobs.exportClient), inbound: [eventRoutes(context, apply)] },
      schedules: [{ job: reconcileOnSchedule, every: (settings) => (settings ? settings.reconcileMinutes * 60_000 : null) }],
      panel: bitrix24Panel,
      backfill: bitrix24Backfill(context, jobs.exportOrders),
      reconcile,
    };
  },
});
