import type { CalculatorParameter, ParameterValue, QuantityRule } from '../../../calculator/engine.js';

/**
 * One template model for the ERP family (ASystem's order/detail/operation lists and Axiom's
 * groups both become this), as `shared/reference/erp-asystem-axiom-1c-pixlpark.md` §8 proposes.
 * Each ERP's `mapping.ts` turns its own JSON into it; everything after that is shared.
 */
export type ErpParamType = CalculatorParameter['type'];

export interface ErpParam {
  id: string;
  /** The ERP's name: what requests carry, and how printsync finds a parameter (Pixlpark matches by name). */
  name: string;
  type: ErpParamType;
  required: boolean;
  default?: ParameterValue | undefined;
  options?: Array<{ value: string; label: string }> | undefined;
  min?: number | undefined;
  max?: number | undefined;
  step?: number | undefined;
  unit?: string | undefined;
  /** False for the info-only parameters printsync fills just before sending (Файлы заказа, Комментарий, …). */
  affectsPrice: boolean;
}

export type ErpGroupKind = 'order' | 'detail' | 'operation';

export interface ErpGroup {
  kind: ErpGroupKind;
  /** Empty for the order's own parameters. */
  id: string;
  /** «Параметры заказа», a detail («Флаер»), an operation («Упаковка»). */
  name: string;
  params: ErpParam[];
}

export interface ErpTemplate {
  id: string;
  name: string;
  version: number | null;
  updatedAt: string | null;
  quantity: QuantityRule;
  groups: ErpGroup[];
}

export interface ErpTemplateSummary {
  id: string;
  name: string;
  version: number | null;
  updatedAt: string | null;
}

/** What printsync keeps per template: the model and the ERP's JSON as it came («Покажи внутренний JSON»). */
export interface StoredTemplate {
  template: ErpTemplate;
  raw: unknown;
  syncedAt: string;
}

export const ORDER_GROUP_NAME = 'Параметры заказа';

/** A parameter with where it sits: what a calculator's key points at. */
export interface LocatedParam {
  /** `paramId` for the order's own, `groupId/paramId` for a detail's or an operation's: stable across renames. */
  key: string;
  group: ErpGroup;
  param: ErpParam;
}

export function paramKey(group: ErpGroup, param: ErpParam): string {
  return group.kind === 'order' ? param.id : `${group.id}/${param.id}`;
}

export function locatedParams(template: ErpTemplate): LocatedParam[] {
  return template.groups.flatMap((group) => group.params.map((param) => ({ key: paramKey(group, param), group, param })));
}

/** The priced parameters: what a buyer chooses. */
export function pricedParams(template: ErpTemplate): LocatedParam[] {
  return locatedParams(template).filter((located) => located.param.affectsPrice);
}

/** An order parameter by its ERP name (the extra parameters are found this way, as in Pixlpark). */
export function orderParamByName(template: ErpTemplate, name: string): ErpParam | undefined {
  const wanted = normalizeName(name);
  return template.groups.filter((group) => group.kind === 'order').flatMap((group) => group.params).find((param) => normalizeName(param.name) === wanted);
}

/** Names compare without case and surrounding or repeated spaces: «Номер  заказа » is «номер заказа». */
export function normalizeName(name: string): string {
  return name.trim().replace(/\s+/g, ' ').toLowerCase();
}
