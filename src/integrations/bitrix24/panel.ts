import { z } from 'zod';
import type { DomainEventJobPayload } from '../../events/domain-events.js';
import type { JobDefinition } from '../../jobs/catalog.js';
import type { IntegrationContext } from '../../platform/context.js';
import type { LiveOptions, PanelExtension } from '../../platform/panel.js';
import type { ApiRoutes } from '../../platform/routes.js';
import type { PortalConnection } from './export/portal.js';
import type { Bitrix24Settings } from './settings.js';
import { dealCategories, dealStages, portalUsers } from './transport/portal-lists.js';

/**
 * What Bitrix24 shows on the panel's cards: the ids of the deal, contact, company and lead
 * («Bitrix Contact ID», «Bitrix ID» — the seed's labels), editable where the seed lets an admin
 * type a client's real id, and opening the record on the portal; «Отправить в Битрикс24» on
 * clients that have no Bitrix ID yet (B24-9); the status mapping as subsections of its settings.
 */
const onPortal = (path: string) => `{settings.portalUrl}/crm/${path}/details/{id}/`;
const send = { ru: 'Отправить в Битрикс24', en: 'Send to Bitrix24' };

export const bitrix24Panel: PanelExtension = {
  cards: [
    {
      entityType: 'order',
      externalIds: [{ kind: 'deal', label: { ru: 'Bitrix ID сделки:', en: 'Bitrix deal ID:' }, link: onPortal('deal') }],
    },
    {
      entityType: 'person',
      externalIds: [
        { kind: 'contact', label: { ru: 'Bitrix Contact ID:', en: 'Bitrix Contact ID:' }, editable: true, column: true, link: onPortal('contact') },
        { kind: 'lead', label: { ru: 'Bitrix Lead ID:', en: 'Bitrix Lead ID:' }, link: onPortal('lead') },
      ],
      actions: [{ id: 'send', label: send, route: 'persons/{id}/send', whenUnlinked: 'contact' }],
    },
    {
      entityType: 'organization',
      externalIds: [
        { kind: 'company', label: { ru: 'Bitrix ID:', en: 'Bitrix ID:' }, editable: true, column: true, link: onPortal('company') },
        { kind: 'lead', label: { ru: 'Bitrix Lead ID:', en: 'Bitrix Lead ID:' }, link: onPortal('lead') },
      ],
      actions: [{ id: 'send', label: send, route: 'organizations/{id}/send', whenUnlinked: 'company' }],
    },
  ],
  settingsSections: [
    {
      id: 'statusMap',
      title: { ru: 'Соответствие стадий сделки и статусов заказа', en: 'Deal stages and order statuses' },
      description: {
        ru: 'Стадии читаются с портала для выбранного направления. Сохраните подключение, чтобы список стадий обновился.',
        en: 'Stages are read from the portal for the chosen funnel. Save the connection to refresh the list.',
      },
      fields: ['stageToStatus', 'statusToStage'],
    },
    {
      id: 'limits',
      title: { ru: 'Лимиты портала', en: 'Portal limits' },
      fields: ['requestsPerSecond', 'requestBurst'],
    },
  ],
};

const idParams = z.object({ id: z.coerce.number().int().positive() });

/** What the panel calls: the live lists of the settings form, and «Отправить в Битрикс24». */
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
    },
  };
}
