import { defineIntegration } from '../../../src/platform/integration.js';
import { exportOrderJob } from './export.js';
import { applyDealJob, eventRoutes, reconcileJob } from './inbound.js';
import { examplePanel, panelRoutes } from './panel.js';
import { exampleSettings } from './settings.js';
import { ExampleClients } from './transport.js';

/**
 * An integration that exists only in the tests and uses every capability of the platform:
 * jobs with steps, a subscription (and the echo it must not hear), «Отправить повторно», an
 * inbound route with a form-encoded body and a shared token, a schedule, API routes for the
 * panel (a live list, a card button), panel sections, and a long-lived resource closed at the end.
 */
export const exampleIntegration = defineIntegration({
  name: 'example',
  title: { ru: 'Пример', en: 'Example' },
  settings: exampleSettings,
  setup(context) {
    const clients = new ExampleClients();
    const exportOrder = exportOrderJob(context, clients);
    const applyDeal = applyDealJob(context);
    const reconcile = reconcileJob(context, clients);
    return {
      jobs: [exportOrder, applyDeal, reconcile],
      subscriptions: [{ job: exportOrder, events: ['order.created', 'order.updated', 'order.status_changed'] }],
      resend: [{ entityType: 'order', job: exportOrder }],
      routes: { api: panelRoutes(context, clients, exportOrder), inbound: [eventRoutes(context, applyDeal)] },
      schedules: [{ job: reconcile, every: (settings) => (settings ? settings.reconcileSeconds * 1_000 : null) }],
      panel: examplePanel,
      close: async () => clients.close(),
    };
  },
});
