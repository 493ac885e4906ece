import { z } from 'zod';
import type { ErpTemplate, ErpTemplateSummary } from '../common/erp/template.js';
import { ORDER_GROUP_NAME } from '../common/erp/template.js';
import { groupJson, paramListJson, parse, quantityJson, templateHeadJson, toGroup, toParam, toSummary, toTemplate } from '../common/erp/template-json.js';

/**
 * ASystem's template JSON (assumed, docs/erp-contract.md): the order's parameters, the details'
 * and the operations' as three lists — «Параметры заказа/деталей/операций шаблона ASystem» on the
 * seed's screens — read into the family's one model.
 */
const asystemTemplateJson = templateHeadJson.extend({
  quantity: quantityJson,
  orderParams: paramListJson,
  details: z.array(groupJson).default([]),
  operations: z.array(groupJson).default([]),
});

export function asystemSummary(raw: unknown): ErpTemplateSummary {
  return toSummary('asystem', 'ASystem', raw);
}

export function asystemTemplate(raw: unknown): ErpTemplate {
  const json = parse('asystem', 'ASystem', asystemTemplateJson, raw, 'шаблон');
  return toTemplate(json, json.quantity, [
    { kind: 'order', id: '', name: ORDER_GROUP_NAME, params: json.orderParams.map(toParam) },
    ...json.details.map((detail) => toGroup('detail', detail)),
    ...json.operations.map((operation) => toGroup('operation', operation)),
  ]);
}
