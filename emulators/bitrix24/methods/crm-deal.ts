import { nowSeconds } from '../clock.js';
import type { MethodRegistry } from '../context.js';
import { DEAL } from '../entities.js';
import { errors, legacyError, RestError } from '../errors.js';
import { asList, isPlainRecord, pick } from '../params.js';
import type { Row } from '../store.js';
import { registerEntityMethods } from './crm-entity.js';

interface ContactBinding {
  CONTACT_ID: number;
  SORT: number;
  IS_PRIMARY: 'Y' | 'N';
}

const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;

/** `crm.deal.*`, its contact bindings and its product rows. */
export function registerDealMethods(registry: MethodRegistry): void {
  registerEntityMethods(registry, DEAL, 'crm.deal');

  registry.add('crm', 'crm.deal.contact.items.get', (params, ctx) => {
    const id = ctx.portal.crm.requireId(pick(params, 'id'));
    const deal = ctx.portal.crm.get(DEAL, id);
    if (!deal) throw errors.notFound();
    return bindingsOf(deal).map((b) => ({ CONTACT_ID: b.CONTACT_ID, SORT: b.SORT, ROLE_ID: 0, IS_PRIMARY: b.IS_PRIMARY }));
  });

  registry.add('crm', 'crm.deal.contact.items.set', (params, ctx) => {
    const id = ctx.portal.crm.requireId(pick(params, 'id'));
    const deal = ctx.portal.crm.get(DEAL, id);
    if (!deal) throw errors.notFound();
    const items = asList(pick(params, 'items'));
    if (!items) throw legacyError("The parameter 'items' must be array.");
    const bindings: ContactBinding[] = [];
    items.forEach((item, index) => {
      if (!isPlainRecord(item)) return;
      const contactId = Number(item.CONTACT_ID);
      if (!Number.isInteger(contactId) || contactId <= 0) throw legacyError('The parameter CONTACT_ID is invalid or not defined.');
      if (!ctx.portal.store.get('contact', contactId)) throw legacyError('Contact is not found');
      const sort = Number(item.SORT ?? (index + 1) * 10);
      bindings.push({ CONTACT_ID: contactId, SORT: Number.isFinite(sort) ? sort : (index + 1) * 10, IS_PRIMARY: String(item.IS_PRIMARY ?? 'N').toUpperCase() === 'Y' ? 'Y' : 'N' });
    });
    bindings.sort((a, b) => a.SORT - b.SORT);
    const primary = bindings.find((b) => b.IS_PRIMARY === 'Y') ?? bindings[0];
    for (const b of bindings) b.IS_PRIMARY = b === primary ? 'Y' : 'N';
    const ordered = primary ? [primary, ...bindings.filter((b) => b !== primary)] : [];
    deal.CONTACT_BINDINGS = bindings;
    deal.CONTACT_IDS = ordered.map((b) => b.CONTACT_ID);
    deal.CONTACT_ID = ordered[0]?.CONTACT_ID ?? null;
    deal.DATE_MODIFY = nowSeconds();
    deal.MODIFY_BY_ID = ctx.userId;
    ctx.portal.store.put('deal', deal);
    ctx.portal.crm.emit(DEAL, 'UPDATE', id);
    return true;
  });

  registry.add('crm', 'crm.deal.productrows.get', (params, ctx) => {
    const id = productRowsOwner(pick(params, 'id'));
    const deal = ctx.portal.crm.get(DEAL, id);
    if (!deal) throw errors.notFound();
    return ((deal.PRODUCT_ROWS as Row[] | undefined) ?? []).map((row) => ({ ...row, ID: String(row.ID), OWNER_ID: String(id) }));
  });

  registry.add('crm', 'crm.deal.productrows.set', (params, ctx) => {
    const id = productRowsOwner(pick(params, 'id'));
    const deal = ctx.portal.crm.get(DEAL, id);
    if (!deal) throw errors.notFound();
    const raw = pick(params, 'rows');
    const items = raw === undefined || raw === '' ? [] : asList(raw);
    if (!items) throw legacyError("The parameter 'rows' must be array.");
    const rows = items.filter(isPlainRecord).map((item, index) => productRow(item, index, id, (productId) => ctx.portal.store.get('product', productId), () => ctx.portal.store.nextId('productrow')));
    const before = deal.OPPORTUNITY;
    deal.PRODUCT_ROWS = rows;
    deal.OPPORTUNITY = ctx.portal.crm.dealAmount(deal);
    ctx.portal.store.put('deal', deal);
    // The amount recalculation is a deal update on the real portal, and fires its event.
    if (deal.OPPORTUNITY !== before) {
      deal.DATE_MODIFY = nowSeconds();
      deal.MODIFY_BY_ID = ctx.userId;
      ctx.portal.crm.emit(DEAL, 'UPDATE', id);
    }
    return true;
  });
}

function productRowsOwner(raw: unknown): number {
  const id = Number(raw);
  if (!Number.isInteger(id) || id <= 0) throw legacyError('The parameter id is invalid or not defined.');
  return id;
}

function bindingsOf(deal: Row): ContactBinding[] {
  const stored = deal.CONTACT_BINDINGS as ContactBinding[] | undefined;
  const ids = (deal.CONTACT_IDS as number[]) ?? [];
  if (stored && stored.length === ids.length && stored.every((b) => ids.includes(b.CONTACT_ID))) return stored;
  return ids.map((contactId, index) => ({ CONTACT_ID: contactId, SORT: (index + 1) * 10, IS_PRIMARY: index === 0 ? 'Y' : 'N' }));
}

function num(value: unknown, fallback: number): number {
  if (value === undefined || value === null || value === '') return fallback;
  const n = Number(String(value).replace(',', '.'));
  return Number.isFinite(n) ? n : fallback;
}

/** One row as stored and returned: prices as numbers, derived prices filled in like the portal does. */
function productRow(item: Record<string, unknown>, index: number, ownerId: number, product: (id: number) => Row | undefined, nextId: () => number): Row {
  const productId = num(item.PRODUCT_ID, 0);
  const catalog = productId > 0 ? product(productId) : undefined;
  const rowId = nextId();
  const discountType = num(item.DISCOUNT_TYPE_ID, 2);
  const hasRate = item.DISCOUNT_RATE !== undefined && item.DISCOUNT_RATE !== '';
  const hasSum = item.DISCOUNT_SUM !== undefined && item.DISCOUNT_SUM !== '';
  if (discountType === 2 && hasSum && !hasRate && num(item.DISCOUNT_SUM, 0) !== 0) {
    throw new RestError(400, 'ERROR_CORE', 'Discount rate (DISCOUNT_RATE) is required for the percentage discount type.');
  }
  if (discountType === 1 && hasRate && !hasSum && num(item.DISCOUNT_RATE, 0) !== 0) {
    throw new RestError(400, 'ERROR_CORE', 'Discount sum (DISCOUNT_SUM) is required for the absolute discount type.');
  }
  const taxRate = item.TAX_RATE === undefined || item.TAX_RATE === '' || item.TAX_RATE === null ? null : num(item.TAX_RATE, 0);
  const taxIncluded = String(item.TAX_INCLUDED ?? 'N').toUpperCase() === 'Y' ? 'Y' : 'N';
  const price = num(item.PRICE, catalog ? (catalog.PRICE as number) : 0);
  const taxFactor = 1 + (taxRate ?? 0) / 100;
  const exclusive = round(taxIncluded === 'Y' ? price / taxFactor : price, 4);
  const rate = discountType === 2 ? num(item.DISCOUNT_RATE, 0) : 0;
  const netto = discountType === 1 ? round(exclusive + num(item.DISCOUNT_SUM, 0), 4) : rate >= 100 ? round(exclusive + num(item.DISCOUNT_SUM, 0), 4) : round(exclusive / (1 - rate / 100), 4);
  const discountSum = round(netto - exclusive, 4);
  const name = item.PRODUCT_NAME !== undefined && item.PRODUCT_NAME !== '' ? String(item.PRODUCT_NAME) : catalog ? String(catalog.NAME) : `[${rowId}]`;
  return {
    ID: rowId,
    OWNER_ID: ownerId,
    OWNER_TYPE: 'D',
    PRODUCT_ID: productId,
    PRODUCT_NAME: name,
    ORIGINAL_PRODUCT_NAME: catalog ? String(catalog.NAME) : name,
    PRODUCT_DESCRIPTION: item.PRODUCT_DESCRIPTION === undefined ? null : String(item.PRODUCT_DESCRIPTION),
    PRICE: price,
    PRICE_EXCLUSIVE: exclusive,
    PRICE_NETTO: netto,
    PRICE_BRUTTO: round(netto * taxFactor, 4),
    PRICE_ACCOUNT: price.toFixed(2),
    QUANTITY: num(item.QUANTITY, 1),
    DISCOUNT_TYPE_ID: discountType,
    DISCOUNT_RATE: discountType === 2 ? rate : netto > 0 ? round((discountSum / netto) * 100, 2) : 0,
    DISCOUNT_SUM: discountSum,
    TAX_RATE: taxRate,
    TAX_INCLUDED: taxIncluded,
    CUSTOMIZED: 'Y',
    MEASURE_CODE: num(item.MEASURE_CODE, 796),
    MEASURE_NAME: item.MEASURE_NAME === undefined ? 'шт' : String(item.MEASURE_NAME),
    SORT: num(item.SORT, (index + 1) * 10),
    XML_ID: item.XML_ID === undefined ? null : String(item.XML_ID),
    TYPE: 1,
    STORE_ID: 0,
  };
}
