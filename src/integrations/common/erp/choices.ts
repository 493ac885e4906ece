import type { ParameterValue } from '../../../calculator/engine.js';
import type { FieldProblem } from '../../../domain/errors.js';
import { emptyMap } from '../../../domain/keys.js';
import type { ErpParam, ErpTemplate, LocatedParam } from './template.js';
import { locatedParams, normalizeName, pricedParams } from './template.js';

/** Site labels the shop gave the template's parameters («Название параметра на сайте»), by parameter key. */
export type SiteLabels = Record<string, string>;

export interface Choices {
  /** By parameter key, defaults filled in. */
  values: Map<string, ParameterValue>;
  problems: FieldProblem[];
}

/**
 * What the buyer chose, checked against the template before anything is asked of the ERP. A
 * choice may name a parameter by its key, its site label or its ERP name (a storefront sends what
 * it showed); a select takes an option's value or label. Every problem names the parameter as
 * the caller called it, under `path`.
 */
export function resolveChoices(template: ErpTemplate, labels: SiteLabels, input: Record<string, ParameterValue>, path: string): Choices {
  const params = pricedParams(template);
  const values = new Map<string, ParameterValue>();
  const problems: FieldProblem[] = [];
  const refused = new Set<string>();
  for (const [name, raw] of Object.entries(input)) {
    const located = findParam(params, labels, name);
    if (!located) {
      problems.push({ path: `${path}.${name}`, message: `в шаблоне «${template.name}» нет такого параметра; есть: ${params.map((p) => labelOf(p, labels)).join(', ')}` });
      continue;
    }
    const checked = checkValue(located.param, raw);
    if (typeof checked === 'object') {
      problems.push({ path: `${path}.${name}`, message: checked.problem });
      refused.add(located.key);
    } else values.set(located.key, checked);
  }
  for (const located of params) {
    if (values.has(located.key) || refused.has(located.key)) continue;
    if (located.param.default !== undefined) values.set(located.key, located.param.default);
    else if (located.param.required) problems.push({ path: `${path}.${located.key}`, message: `«${labelOf(located, labels)}» — обязательный параметр, выберите значение` });
  }
  return { values, problems };
}

/** The parameter a name means: a key, else a site label, else the ERP's name. */
export function findParam(params: readonly LocatedParam[], labels: SiteLabels, name: string): LocatedParam | undefined {
  const wanted = normalizeName(name);
  return (
    params.find((p) => p.key === name) ??
    params.find((p) => labels[p.key] !== undefined && normalizeName(labels[p.key]!) === wanted) ??
    params.find((p) => normalizeName(p.param.name) === wanted)
  );
}

export function labelOf(located: LocatedParam, labels: SiteLabels): string {
  return labels[located.key]?.trim() || located.param.name;
}

/** The key of the parameter the ERP blamed by its own name, for an error path. */
export function keyOfErpName(template: ErpTemplate, erpName: string): string | undefined {
  const wanted = normalizeName(erpName);
  return locatedParams(template).find((p) => normalizeName(p.param.name) === wanted)?.key;
}

function checkValue(param: ErpParam, raw: ParameterValue): ParameterValue | { problem: string } {
  switch (param.type) {
    case 'select': {
      const text = normalizeName(String(raw));
      const option = param.options?.find((o) => normalizeName(o.value) === text) ?? param.options?.find((o) => normalizeName(o.label) === text);
      if (option) return option.value;
      return { problem: `«${String(raw)}» — такого варианта нет; доступны: ${(param.options ?? []).map((o) => o.label).join(', ')}` };
    }
    case 'number':
    case 'integer': {
      const number = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw.replace(',', '.')) : Number.NaN;
      if (!Number.isFinite(number)) return { problem: `«${String(raw)}» — нужно число` };
      if (param.type === 'integer' && !Number.isInteger(number)) return { problem: `«${String(raw)}» — нужно целое число` };
      if (param.min !== undefined && number < param.min) return { problem: `${number} меньше допустимого (${param.min})` };
      if (param.max !== undefined && number > param.max) return { problem: `${number} больше допустимого (${param.max})` };
      return number;
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return raw;
      const text = normalizeName(String(raw));
      if (['true', 'да', '1', 'yes'].includes(text)) return true;
      if (['false', 'нет', '0', 'no'].includes(text)) return false;
      return { problem: `«${String(raw)}» — нужно да или нет` };
    }
    default:
      return String(raw);
  }
}

/** The request body part the contract wants: values by ERP name, grouped as the template groups them. */
export interface ErpParamValues {
  orderParams: Record<string, ParameterValue>;
  details: Record<string, Record<string, ParameterValue>>;
  operations: Record<string, Record<string, ParameterValue>>;
}

export function toErpValues(template: ErpTemplate, values: ReadonlyMap<string, ParameterValue>): ErpParamValues {
  // Null-prototype maps: names come from the ERP, and «__proto__» must stay a name.
  const body: ErpParamValues = { orderParams: emptyMap(), details: emptyMap(), operations: emptyMap() };
  for (const located of locatedParams(template)) {
    const value = values.get(located.key);
    if (value === undefined) continue;
    const { group, param } = located;
    if (group.kind === 'order') body.orderParams[param.name] = value;
    else {
      const bucket = group.kind === 'detail' ? body.details : body.operations;
      (bucket[group.name] ??= emptyMap())[param.name] = value;
    }
  }
  return body;
}
