import { erpErrors } from './errors.js';
import type { CalcInput, GroupKind, Param, ParamGroup, ParamValue, RequestParams, TemplateRecord } from './model.js';

/**
 * Checks a calculate (or order) request against a template, as the contract's 422 refusals say:
 * a name the template does not have (`PARAM_UNKNOWN`), a value it does not offer or out of
 * min/max (`PARAM_VALUE_INVALID`), a required parameter missing (`PARAM_REQUIRED`), a bad
 * quantity (`QUANTITY_INVALID`). Missing parameters with a default take it. Info-only parameters
 * (`affectsPrice: false`) are checked for their type only.
 */
export function validateCalcRequest(template: TemplateRecord, body: Record<string, unknown>): CalcInput {
  return {
    quantity: validQuantity(template, body.quantity),
    orderParams: validParams(template.orderParams, objectField(body, 'orderParams')),
    details: validGroups(template.details, objectField(body, 'details'), 'detail'),
    operations: validGroups(template.operations, objectField(body, 'operations'), 'operation'),
  };
}

function objectField(body: Record<string, unknown>, field: string): Record<string, unknown> {
  const value = body[field];
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) throw erpErrors.badField(field, `Поле ${field} должно быть объектом`);
  return value;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function validQuantity(template: TemplateRecord, value: unknown): number {
  const { min, max, step } = template.quantity;
  if (value === undefined || value === null) throw erpErrors.quantityInvalid('тираж не указан');
  if (typeof value !== 'number' || !Number.isInteger(value)) throw erpErrors.quantityInvalid(`${JSON.stringify(value)} — не целое число`);
  if (value < min) throw erpErrors.quantityInvalid(`${value} меньше минимального (${min})`);
  if (value > max) throw erpErrors.quantityInvalid(`${value} больше максимального (${max})`);
  if (value % step !== 0) throw erpErrors.quantityInvalid(`${value} не кратен ${step}`);
  return value;
}

function validGroups(groups: ParamGroup[], sent: Record<string, unknown>, kind: Exclude<GroupKind, 'order'>): Record<string, RequestParams> {
  for (const name of Object.keys(sent)) {
    if (!groups.some((group) => group.name === name)) throw erpErrors.groupUnknown(kind, name);
  }
  const result: Record<string, RequestParams> = {};
  for (const group of groups) {
    const values = sent[group.name] ?? {};
    if (!isRecord(values)) throw erpErrors.badField(`${kind === 'detail' ? 'details' : 'operations'}.${group.name}`, `Параметры «${group.name}» должны быть объектом`);
    result[group.name] = validParams(group.params, values, group.name);
  }
  return result;
}

function validParams(params: Param[], sent: Record<string, unknown>, group?: string): RequestParams {
  const result: RequestParams = {};
  for (const [name, value] of Object.entries(sent)) {
    const param = params.find((p) => p.name === name);
    if (!param) throw erpErrors.paramUnknown(name, group);
    if (value === null || value === undefined) continue;
    result[name] = validValue(param, value, group);
  }
  for (const param of params) {
    if (param.name in result) continue;
    if (param.default !== undefined) result[param.name] = param.default;
    else if (param.required && param.affectsPrice !== false) throw erpErrors.paramRequired(param.name, group);
  }
  return result;
}

function validValue(param: Param, value: unknown, group: string | undefined): ParamValue {
  const invalid = (reason: string) => erpErrors.paramValueInvalid(param.name, reason, group);
  switch (param.type) {
    case 'select': {
      if (typeof value !== 'string' || !param.options?.some((option) => option.value === value)) {
        throw invalid(`${JSON.stringify(value)} — нет такого варианта (${(param.options ?? []).map((o) => o.value).join(', ')})`);
      }
      return value;
    }
    case 'number':
    case 'integer': {
      if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(`${JSON.stringify(value)} — не число`);
      if (param.type === 'integer' && !Number.isInteger(value)) throw invalid(`${value} — не целое число`);
      if (param.min !== undefined && value < param.min) throw invalid(`${value} меньше ${param.min}`);
      if (param.max !== undefined && value > param.max) throw invalid(`${value} больше ${param.max}`);
      return value;
    }
    case 'boolean':
      if (typeof value !== 'boolean') throw invalid(`${JSON.stringify(value)} — ожидается true или false`);
      return value;
    case 'date':
      if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/.test(value) || Number.isNaN(Date.parse(value))) {
        throw invalid(`${JSON.stringify(value)} — ожидается дата ГГГГ-ММ-ДД`);
      }
      return value;
    case 'string':
    case 'text':
      if (typeof value !== 'string') throw invalid(`${JSON.stringify(value)} — ожидается строка`);
      return value;
  }
}
