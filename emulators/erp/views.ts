import type { Param, ParamGroup, PricedParam, TemplateRecord } from './model.js';

/** A parameter as the API shows it: the price rule stays inside the ERP. */
export function paramView(param: PricedParam): Param {
  const { pricing: _pricing, ...view } = param;
  return structuredClone(view);
}

export function groupView(group: ParamGroup): { id: string; name: string; params: Param[] } {
  return { id: group.id, name: group.name, params: group.params.map(paramView) };
}

/** The common head of a template in both shapes. */
export function templateHead(template: TemplateRecord): Pick<TemplateRecord, 'id' | 'name' | 'version' | 'updatedAt' | 'quantity'> {
  return { id: template.id, name: template.name, version: template.version, updatedAt: template.updatedAt, quantity: structuredClone(template.quantity) };
}

/** An entry of `GET /templates`. */
export function templateSummary(template: TemplateRecord): { id: string; name: string; version: number; updatedAt: string } {
  return { id: template.id, name: template.name, version: template.version, updatedAt: template.updatedAt };
}
