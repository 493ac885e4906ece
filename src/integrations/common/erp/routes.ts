import { z } from 'zod';
import type { DomainEventJobPayload } from '../../../events/domain-events.js';
import type { JobDefinition } from '../../../jobs/catalog.js';
import type { IntegrationContext } from '../../../platform/context.js';
import type { CardDetailsAnswer, LiveOptions } from '../../../platform/panel.js';
import type { ApiRoutes } from '../../../platform/routes.js';
import { DomainError } from '../../../domain/errors.js';
import { safeKey } from '../../../domain/keys.js';
import { labelOf } from './choices.js';
import { ErpError } from './client.js';
import type { ErpMember, ErpSettingsBase } from './family.js';
import type { OrderSender } from './send.js';
import { ORDER_GROUP_NAME, pricedParams } from './template.js';
import type { TemplateLibrary } from './templates.js';

const idParams = z.object({ id: z.coerce.number().int().positive() });
const templateParams = z.object({ templateId: z.string().min(1).max(200) });
const bindingBody = z.strictObject({
  templateId: z.string().trim().min(1).max(200).nullable().describe('the ERP template; null unbinds the product'),
  labels: z
    .record(safeKey(z.string().max(300)), z.string().max(200))
    .default({})
    .describe('«Название параметра на сайте» by parameter key; empty means the ERP\'s own name'),
});

/**
 * What the panel calls for an ERP of the family: template sync and the product's template
 * (AS-4, AS-5), «Отправить в …» and the ERP's orders on the order card (AS-7).
 */
export function erpApiRoutes<S extends ErpSettingsBase>(
  context: IntegrationContext<S>,
  member: ErpMember<S>,
  templates: TemplateLibrary<S>,
  sender: OrderSender<S>,
  sendOrder: JobDefinition<DomainEventJobPayload>,
): ApiRoutes {
  const { product } = member;
  return {
    register(router) {
      router.post('/templates/sync', { config: { requires: 'admin' }, schema: { summary: `«Синхронизировать шаблоны с сервером ${product}»` } }, async () => {
        const result = await templates.sync();
        const gone = result.missing.length ? `; больше нет в ${product}: ${result.missing.join(', ')}` : '';
        return { ...result, message: `Шаблонов в ${product}: ${result.templates}, обновлено: ${result.updated.length}${gone}` };
      });

      router.get('/templates', { schema: { summary: `The synced ${product} templates (a live list for a product's template)` } }, async (): Promise<LiveOptions & { templates: unknown[] }> => {
        const records = await templates.list();
        return {
          items: records.map((r) => ({ value: r.key, label: `${r.data.template.name}${r.missingSince ? ` (удалён в ${product})` : ''}` })),
          templates: records.map((r) => ({ id: r.key, name: r.data.template.name, version: r.data.template.version, syncedAt: r.data.syncedAt, missingSince: r.missingSince })),
        };
      });

      router.get('/templates/:templateId', { schema: { summary: '«Покажи внутренний JSON»: the template as the ERP sent it and as printsync reads it', params: templateParams } }, async (request) => {
        const record = await templates.stored(request.params.templateId);
        if (!record) throw new ErpError(member.name, 'missing', `шаблона ${request.params.templateId} нет среди синхронизированных`);
        return { id: record.key, raw: record.data.raw, template: record.data.template, syncedAt: record.data.syncedAt, missingSince: record.missingSince };
      });

      router.get('/products/:id/template', { schema: { summary: `The product's ${product} template and its parameters' site labels`, params: idParams } }, async (request) => {
        await context.stores.products.get(request.params.id);
        const binding = await templates.binding(request.params.id);
        if (!binding) return { templateId: null, templateName: null, missingSince: null, parameters: [] };
        const record = await templates.stored(binding.templateId);
        const template = record?.data.template;
        return {
          templateId: binding.templateId,
          templateName: template?.name ?? null,
          missingSince: record ? record.missingSince : 'не синхронизирован',
          parameters: template
            ? pricedParams(template).map((located) => ({
                key: located.key,
                group: located.group.kind === 'order' ? ORDER_GROUP_NAME : located.group.name,
                groupKind: located.group.kind,
                sourceName: located.param.name,
                siteLabel: binding.labels[located.key] ?? '',
                label: labelOf(located, binding.labels),
              }))
            : [],
        };
      });

      router.put(
        '/products/:id/template',
        { config: { requires: 'admin' }, schema: { summary: `Choose the product's ${product} template and set «Название параметра на сайте»`, params: idParams, body: bindingBody } },
        async (request) => {
          const binding = await templates.bind(request.params.id, request.body.templateId, request.body.labels);
          return { templateId: binding?.templateId ?? null, labels: binding?.labels ?? {}, message: binding ? `Товар связан с шаблоном ${product}` : `Связь с шаблоном ${product} снята` };
        },
      );

      router.post('/orders/:id/send', { schema: { summary: `«Отправить в ${product}»`, params: idParams } }, async (request) => {
        const order = await context.stores.orders.get(request.params.id);
        // Said now, next to the button, rather than by a job that could only fail.
        if (!(await sender.hasBoundItems(order))) throw new DomainError('conflict', `В заказе ${order.number} нет товаров, связанных с шаблоном ${product}: отправлять нечего`);
        const jobId = await context.enqueue(sendOrder, { eventId: null, type: 'sync.send', entityType: 'order', entityId: order.id, data: {}, origin: null }, { key: `order:${order.id}` });
        return { jobId, message: `Заказ ${order.number} поставлен в очередь на отправку в ${product}` };
      });

      router.get('/orders/:id/erp-orders', { schema: { summary: `The ${product} orders made from this order`, params: idParams } }, async (request): Promise<CardDetailsAnswer> => {
        const sent = await sender.sentOrders(request.params.id);
        return {
          rows: sent.flatMap((o) => [
            { label: `Заказ ${product} (${o.externalId})`, value: [o.number ?? '—', `ID ${o.id}`, o.status && erpStatusText(o.status)].filter(Boolean).join(', '), at: o.sentAt },
          ]),
          empty: `Заказ ещё не отправлен в ${product}`,
        };
      });
    },
  };
}

/** An ERP order's status (docs/erp-contract.md) as staff read it; one the contract does not name, as the ERP said it. */
const ERP_STATUS_TEXT: Record<string, string> = { new: 'новый', in_work: 'в работе', ready: 'готов', shipped: 'отгружен', cancelled: 'отменён' };

function erpStatusText(status: string): string {
  return ERP_STATUS_TEXT[status] ?? status;
}
