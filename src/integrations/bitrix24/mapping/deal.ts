import type { Order, OrderComment } from '../../../domain/orders.js';
import { orderStatusLabel } from '../../../domain/order-status.js';
import { shopDay, shopTimeZone } from '../../../domain/shop-time.js';
import type { Bitrix24Settings } from '../settings.js';
import { ORIGINATOR_ID, originId } from './origin.js';

/**
 * Deal user fields printsync creates on the portal the first time it needs them (deals have no
 * delivery fields of their own). Their codes are fixed, so a manager can put them on the deal
 * card and reports, and the admin sees them under «Пользовательские поля».
 */
export const DEAL_USER_FIELDS = [
  { FIELD_NAME: 'UF_CRM_PRINTSYNC_DELIVERY', USER_TYPE_ID: 'string', LABEL: 'Способ доставки' },
  { FIELD_NAME: 'UF_CRM_PRINTSYNC_ADDRESS', USER_TYPE_ID: 'string', LABEL: 'Адрес доставки' },
  { FIELD_NAME: 'UF_CRM_PRINTSYNC_RECIPIENT', USER_TYPE_ID: 'string', LABEL: 'Получатель заказа' },
  { FIELD_NAME: 'UF_CRM_PRINTSYNC_ORDER', USER_TYPE_ID: 'string', LABEL: 'Номер заказа printsync' },
  // `LEAD_ID` is read-only on deals (the portal drops it silently): the client's lead is named here.
  { FIELD_NAME: 'UF_CRM_PRINTSYNC_LEAD', USER_TYPE_ID: 'string', LABEL: 'Лид клиента (ID)' },
] as const;

/** The deal's longest comment field text kept; the whole discussion goes to the timeline anyway. */
const MAX_COMMENTS_CHARS = 20_000;

export interface DealLinks {
  contactId: string | null;
  companyId: string | null;
  /** The order's page in the admin panel, when printsync's public address is set. */
  orderUrl: string | null;
}

/** Money: printsync keeps kopecks, Bitrix24 takes a decimal number of roubles. */
export function amount(minorUnits: number): number {
  return Math.round(minorUnits) / 100;
}

/** The stage the order's status maps to, or null (then a new deal starts in the funnel's first stage). */
export function stageFor(order: Pick<Order, 'status'>, settings: Pick<Bitrix24Settings, 'statusToStage'>): string | null {
  return settings.statusToStage.find((row) => row.status === order.status)?.stageId ?? null;
}

export function responsibleOf(settings: Pick<Bitrix24Settings, 'responsibleId' | 'userId'>): number {
  return settings.responsibleId ?? settings.userId;
}

/** Everything the deal says about the order (B24-6); `STAGE_ID` only when the status is mapped. */
export function dealFields(order: Order, links: DealLinks, settings: Bitrix24Settings, options: { isNew: boolean }): Record<string, unknown> {
  const stage = stageFor(order, settings);
  const fields: Record<string, unknown> = {
    TITLE: `Заказ №${order.number}`,
    OPPORTUNITY: amount(order.totals.total),
    IS_MANUAL_OPPORTUNITY: 'Y',
    CURRENCY_ID: order.currency,
    ...(stage ? { STAGE_ID: stage } : {}),
    CONTACT_ID: links.contactId ?? '',
    COMPANY_ID: links.companyId ?? '',
    SOURCE_ID: 'STORE',
    SOURCE_DESCRIPTION: order.site ?? 'printsync',
    BEGINDATE: order.createdAt,
    // «Дата выдачи» is when the deal is to close; the shop's day, which the portal reads as its
    // own midnight. Without one the portal's default (a week after creation) stays.
    ...(order.readyAt ? { CLOSEDATE: shopDay(order.readyAt) } : {}),
    COMMENTS: dealComments(order, links.orderUrl),
    UF_CRM_PRINTSYNC_DELIVERY: order.delivery?.method ?? '',
    UF_CRM_PRINTSYNC_ADDRESS: order.delivery?.address ?? '',
    UF_CRM_PRINTSYNC_RECIPIENT: order.delivery?.recipient ?? '',
    UF_CRM_PRINTSYNC_ORDER: order.number,
  };
  if (options.isNew) {
    // A deal's funnel is fixed at creation (crm.deal.update cannot move it).
    if (settings.categoryId) fields.CATEGORY_ID = settings.categoryId;
    fields.OPENED = 'Y';
    // Only on creation: a manager may hand the deal to someone else in Bitrix24 (B24-4).
    fields.ASSIGNED_BY_ID = responsibleOf(settings);
    fields.ORIGINATOR_ID = ORIGINATOR_ID;
    fields.ORIGIN_ID = originId('order', order.id);
  }
  return fields;
}

/** «Комментарий» of the deal: the order at a glance, with its links. */
export function dealComments(order: Order, orderUrl: string | null): string {
  const lines = [`Заказ №${order.number} (${orderStatusLabel(order.status)}), сумма ${formatMoney(order.totals.total, order.currency)}`];
  if (order.totals.discount > 0) lines.push(`Скидка: ${formatMoney(order.totals.discount, order.currency)}`);
  if (order.payment.status === 'paid') lines.push('Оплачен');
  if (orderUrl) lines.push(`Заказ в printsync: ${orderUrl}`);
  if (order.render.archiveUrl) lines.push(`Архив заказа: ${order.render.archiveUrl}`);
  if (order.delivery) lines.push(`Доставка: ${[order.delivery.method, order.delivery.address, order.delivery.recipient].filter(Boolean).join(', ')}`);
  if (order.comment) lines.push('', order.comment);
  const text = lines.join('\n');
  return text.length > MAX_COMMENTS_CHARS ? `${text.slice(0, MAX_COMMENTS_CHARS)}…` : text;
}

/**
 * The full set of product rows (the portal replaces them all on every set): one per item, free
 * form (`PRODUCT_ID` 0: a print run is configured, not a catalog SKU), and the delivery as a row
 * of its own when it costs something. A line priced as a whole (500 cards for 2 490 ₽) keeps its
 * quantity; its unit price is the exact share.
 */
export function productRows(order: Order): Array<Record<string, unknown>> {
  const rows: Array<Record<string, unknown>> = order.items.map((item, index) => ({
    PRODUCT_ID: 0,
    PRODUCT_NAME: itemName(item.name, item.parameters),
    PRICE: amount(item.total) / item.quantity,
    QUANTITY: item.quantity,
    MEASURE_CODE: 796,
    MEASURE_NAME: 'шт',
    SORT: (index + 1) * 10,
  }));
  if (order.delivery && order.delivery.price > 0) {
    rows.push({ PRODUCT_ID: 0, PRODUCT_NAME: `Доставка: ${order.delivery.method}`, PRICE: amount(order.delivery.price), QUANTITY: 1, SORT: (rows.length + 1) * 10 });
  }
  return rows;
}

function itemName(name: string, parameters: Record<string, string | number | boolean>): string {
  const chosen = Object.entries(parameters).map(([key, value]) => `${key}: ${typeof value === 'boolean' ? (value ? 'да' : 'нет') : value}`);
  const full = chosen.length > 0 ? `${name} (${chosen.join(', ')})` : name;
  return full.length > 255 ? `${full.slice(0, 254)}…` : full;
}

/** A marker in each timeline comment: a retry after a lost answer finds it and does not post it twice. */
export function commentMarker(comment: Pick<OrderComment, 'id'>): string {
  return `[printsync #${comment.id}]`;
}


export function timelineComment(comment: OrderComment): string {
  const when = new Intl.DateTimeFormat('ru-RU', { timeZone: shopTimeZone(), dateStyle: 'short', timeStyle: 'short' }).format(new Date(comment.createdAt));
  return `${comment.author}, ${when}:\n${comment.text}\n${commentMarker(comment)}`;
}

function formatMoney(minorUnits: number, currency: string): string {
  return `${(minorUnits / 100).toFixed(2).replace('.', ',')} ${currency === 'RUB' ? '₽' : currency}`;
}
