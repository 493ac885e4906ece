import { erpErrors } from './errors.js';
import type { OrderRecord, PriceList, TemplateRecord } from './model.js';
import { calculatePrice } from './pricing.js';
import type { ErpState } from './state.js';
import { isRecord, validateCalcRequest } from './validation.js';

/**
 * `POST /orders`: a repeated `externalId` is 409 with the order already made (checked first, so a
 * client retrying after a lost answer learns what it made); then the template, its prices and
 * every parameter are checked as for a calculate; the whole body is stored.
 */
export function acceptOrder(state: ErpState, body: Record<string, unknown>): OrderRecord {
  const externalId = requiredString(body, 'externalId');
  state.orders.assertNew(externalId);
  const templateId = requiredString(body, 'templateId');
  const template = state.templates.find(templateId);
  if (!template) throw erpErrors.templateNotFoundInBody(templateId);
  const priced = requirePrices(template);
  const input = validateCalcRequest(priced, body);
  const managerId = knownId(body, 'managerId', state.managers, state.identity.managerId);
  const counterpartyId = knownId(body, 'counterpartyId', state.counterparties, state.identity.counterpartyId);
  if (body.customer !== undefined && !isRecord(body.customer)) throw erpErrors.badField('customer', 'Поле customer должно быть объектом');
  const { price } = calculatePrice(priced, input);
  return state.orders.create({
    externalId,
    templateId,
    templateVersion: template.version,
    managerId,
    counterpartyId,
    price,
    request: structuredClone(body),
  });
}

/** The template as priced, or 422 TEMPLATE_HAS_NO_PRICES. */
export function requirePrices(template: TemplateRecord): TemplateRecord & { prices: PriceList } {
  if (!template.prices) throw erpErrors.noPrices(template.name);
  return template as TemplateRecord & { prices: PriceList };
}

function requiredString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (value === undefined || value === null || value === '') throw erpErrors.paramRequired(field);
  if (typeof value !== 'string') throw erpErrors.paramValueInvalid(field, `${JSON.stringify(value)} — ожидается строка`);
  return value;
}

function knownId(body: Record<string, unknown>, field: string, known: { id: string }[], fallback: string): string {
  const value = body[field];
  if (value === undefined || value === null || value === '') return fallback;
  if (typeof value !== 'string' || !known.some((k) => k.id === value)) throw erpErrors.paramValueInvalid(field, `${JSON.stringify(value)} — не найден`);
  return value;
}
