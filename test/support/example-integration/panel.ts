import { z } from 'zod';
import { domainEventJobPayload } from '../../../src/events/domain-events.js';
import type { DomainEventJobPayload } from '../../../src/events/domain-events.js';
import type { JobDefinition } from '../../../src/jobs/catalog.js';
import type { IntegrationContext } from '../../../src/platform/context.js';
import type { PanelExtension } from '../../../src/platform/panel.js';
import type { ApiRoutes } from '../../../src/platform/routes.js';
import { originOf } from './mapping.js';
import type { ExampleSettings } from './settings.js';
import type { ExampleClients } from './transport.js';

export const examplePanel: PanelExtension = {
  cards: [
    {
      entityType: 'order',
      externalIds: [{ kind: 'deal', label: { ru: 'ID сделки в Примере:', en: 'Example deal ID:' }, link: '{settings.remoteUrl}/deals/{id}' }],
      actions: [{ id: 'send', label: { ru: 'Отправить в Пример', en: 'Send to Example' }, route: 'orders/{id}/send' }],
    },
    { entityType: 'person', externalIds: [{ kind: 'contact', label: { ru: 'ID контакта в Примере:', en: 'Example contact ID:' }, editable: true, column: true }] },
  ],
  settingsSections: [{ id: 'deals', title: { ru: 'Сделки', en: 'Deals' }, fields: ['dealStage'] }],
};

/** What the panel calls: the live list of stages, and «Отправить в Пример» on an order card. */
export function panelRoutes(context: IntegrationContext<ExampleSettings>, clients: ExampleClients, exportOrder: JobDefinition<DomainEventJobPayload>): ApiRoutes {
  return {
    register(router) {
      router.get('/stages', { schema: { summary: 'Deal stages of the example system' } }, async () => {
        const { settings } = await context.settings.require();
        return { items: await clients.for(settings).stages() };
      });
      router.post(
        '/orders/:id/send',
        { schema: { summary: '«Отправить в Пример»', params: z.object({ id: z.coerce.number().int().positive() }) } },
        async (request) => {
          const order = await context.stores.orders.get(request.params.id);
          const jobId = await context.enqueue(
            exportOrder,
            domainEventJobPayload.parse({ eventId: null, type: 'sync.send', entityType: 'order', entityId: order.id, data: { origin: originOf('order', order.id) } }),
            { key: `order:${order.id}` },
          );
          return { jobId, message: 'Заказ поставлен в очередь на отправку' };
        },
      );
    },
  };
}
