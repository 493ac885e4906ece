import { z } from 'zod';
import type { ErpTemplate, ErpTemplateSummary } from '../common/erp/template.js';
import { ORDER_GROUP_NAME } from '../common/erp/template.js';
import { groupJson, parse, quantityJson, templateHeadJson, toGroup, toSummary, toTemplate } from '../common/erp/template-json.js';

/**
 * Axiom's template JSON (assumed, docs/erp-contract.md): one list of groups, each saying whether
 * it holds the order's, a detail's or an operation's parameters — read into the family's model.
 */
const axiomTemplateJson = templateHeadJson.extend({
  quantity: quantityJson,
  groups: z.array(groupJson.extend({ kind: z.enum(['order', 'detail', 'operation']) })).default([]),
});

export function axiomSummary(raw: unknown): ErpTemplateSummary {
  return toSummary('axiom', 'Axiom', raw);
}

export function axiomTemplate(raw: unknown): ErpTemplate {
  const json = parse('axiom', 'Axiom', axiomTemplateJson, raw, 'шаблон');
  // The order's own parameters may come in several groups; the family keeps them as one.
  const orderParams = json.groups.filter((g) => g.kind === 'order').flatMap((g) => toGroup('order', g).params);
  return toTemplate(json, json.quantity, [
    { kind: 'order', id: '', name: ORDER_GROUP_NAME, params: orderParams },
    ...json.groups.filter((g) => g.kind !== 'order').map((g) => toGroup(g.kind, g)),
  ]);
}
