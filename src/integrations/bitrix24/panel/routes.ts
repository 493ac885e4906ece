import { z } from 'zod';
import type { DomainEventJobPayload } from '../../../events/domain-events.js';
import type { JobDefinition } from '../../../jobs/catalog.js';
import type { IntegrationContext } from '../../../platform/context.js';
import type { CardDetailsAnswer, LiveOptions } from '../../../platform/panel.js';
import type { ApiRoutes } from '../../../platform/routes.js';
import type { PortalConnection } from '../export/portal.js';
import type { Bitrix24Settings } from '../settings.js';
import { lastChange } from './last-change.js';
import { startCallback } from './telephony.js';
import { companyTypes, dealCategories, dealStages, portalUsers } from '../transport/portal-lists.js';

const idParams = z.object({ id: z.coerce.number().int().positive() });

/**
 * What the panel calls: the live lists of the settings form, «Отправить в Битрикс24», «Позвонить
 * клиенту через Битрикс24», and the last change that came from Bitrix24 for a card.
 */
export function bitrix24ApiRoutes(
  context: IntegrationContext<Bitrix24Settings>,
  portal: PortalConnection,
  exportClient: JobDefinition<DomainEventJobPayload>,
): ApiRoutes {
  const transport = async () => portal.transport(await portal.settings());
  return {
    register(router) {
      router.get(
        '/stages',
        { schema: { summary: 'Deal stages of a funnel, read from the portal', querystring: z.object({ categoryId: z.coerce.number().int().min(0).optional() }) } },
        async (request): Promise<LiveOptions> => {
          const stages = await dealStages(await transport(), request.query.categoryId ?? null);
          return { items: stages.map((stage) => ({ value: stage.id, label: `${stage.name} (${stage.id})` })) };
        },
      );
      router.get('/categories', { schema: { summary: 'Deal funnels of the portal' } }, async (): Promise<LiveOptions> => ({
        items: [{ value: 0, label: 'Общее направление (0)' }, ...(await dealCategories(await transport())).filter((c) => c.value !== 0)],
      }));
      router.get('/users', { schema: { summary: 'Active employees of the portal' } }, async (): Promise<LiveOptions> => ({ items: await portalUsers(await transport()) }));
      router.get('/company-types', { schema: { summary: 'Company types of the portal (the company-type mapping)' } }, async (): Promise<LiveOptions> => ({ items: await companyTypes(await transport()) }));
      for (const entityType of ['person', 'organization'] as const) {
        router.post(
          `/${entityType === 'person' ? 'persons' : 'organizations'}/:id/send`,
          { schema: { summary: `«Отправить в Битрикс24» for a ${entityType}`, params: idParams } },
          async (request) => {
            const client = entityType === 'person' ? await context.stores.persons.get(request.params.id) : await context.stores.organizations.get(request.params.id);
            const jobId = await context.enqueue(
              exportClient,
              { eventId: null, type: 'sync.send', entityType, entityId: client.id, data: {}, origin: null },
              { key: `${entityType}:${client.id}` },
            );
            return { jobId, message: 'Клиент поставлен в очередь на отправку в Битрикс24' };
          },
        );
      }
      router.post('/orders/:id/call', { schema: { summary: '«Позвонить клиенту»: a Bitrix24 callback from the portal\'s line to the client (voximplant.callback.start)', params: idParams } }, async (request) =>
        startCallback(context, portal, request.params.id),
      );
      for (const [path, entityType] of [['orders', 'order'], ['persons', 'person'], ['organizations', 'organization']] as const) {
        router.get(
          `/${path}/:id/last-change`,
          { schema: { summary: `The last event Bitrix24 sent about the ${entityType}'s deal, contact, company or lead`, params: idParams } },
          async (request): Promise<CardDetailsAnswer> => lastChange(context, entityType, request.params.id),
        );
      }
    },
  };
}
