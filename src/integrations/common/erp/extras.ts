import { z } from 'zod';
import type { Order } from '../../../domain/orders.js';
import { PAYMENT_STATUSES } from '../../../domain/order-status.js';
import { shopDay, shopMinute } from '../../../domain/shop-time.js';

/**
 * The template's optional info-only order parameters (AS-3): never shown to the buyer, never
 * priced, filled by printsync just before an order is sent. Each has a default name; the shop
 * may map it to the name its template uses, and printsync looks the parameter up by that name
 * («при изменении названия параметра поиск его в шаблоне будет осуществляться по новому
 * наименованию»). One the template lacks is skipped.
 */
export const EXTRA_PARAMS = [
  { key: 'files', name: 'Файлы заказа', hint: 'ссылка на архив заказа, если он готов к моменту отправки' },
  { key: 'comment', name: 'Комментарий', hint: 'обсуждение заказа строками [автор][дата][комментарий]' },
  { key: 'paymentStatus', name: 'Статус оплаты', hint: 'статус оплаты и способ оплаты' },
  { key: 'roundedPrice', name: 'Округленная стоимость', hint: 'стоимость заказа, округлённая до рубля' },
  { key: 'orderNumber', name: 'Номер заказа', hint: 'номер заказа в printsync' },
  { key: 'recipient', name: 'Получатель заказа', hint: 'получатель из доставки' },
  { key: 'deliveryMethod', name: 'Способ доставки', hint: 'способ доставки' },
  { key: 'deliveryAddress', name: 'Адрес доставки', hint: 'адрес доставки' },
  { key: 'issueDate', name: 'Дата выдачи', hint: 'дата выдачи заказа' },
] as const;

export type ExtraParamKey = (typeof EXTRA_PARAMS)[number]['key'];
export type ExtraParamNames = Record<ExtraParamKey, string>;

/** The settings field: «Название параметра заказа по умолчанию → Название параметра заказа в <ERP>». */
export function extraParamNamesField(product: string) {
  const shape = Object.fromEntries(
    EXTRA_PARAMS.map((extra) => [
      extra.key,
      z
        .string({ error: 'Введите название параметра' })
        .trim()
        .min(1, 'Введите название параметра')
        .max(200, 'Не длиннее 200 символов')
        .default(extra.name)
        .meta({ title: extra.name, description: extra.hint }),
    ]),
  ) as Record<ExtraParamKey, z.ZodDefault<z.ZodString>>;
  return z
    .strictObject(shape)
    .prefault({})
    .meta({
      title: `Название параметра заказа по умолчанию → Название параметра заказа в ${product}`,
      description: `Необязательные параметры шаблона ${product}: не видны покупателю, не влияют на цену, заполняются перед отправкой заказа. Параметр, которого нет в шаблоне, пропускается.`,
    });
}

export const DEFAULT_EXTRA_PARAM_NAMES: ExtraParamNames = Object.fromEntries(EXTRA_PARAMS.map((e) => [e.key, e.name])) as ExtraParamNames;

/** The values printsync fills in, by extra parameter; absent ones (no archive yet, no delivery) are left out. */
export function extraParamValues(order: Order): Partial<Record<ExtraParamKey, string | number>> {
  const values: Partial<Record<ExtraParamKey, string | number>> = {
    orderNumber: order.number,
    roundedPrice: Math.round(order.totals.total / 100),
    paymentStatus: paymentText(order),
  };
  if (order.render.status === 'ready' && order.render.archiveUrl) values.files = order.render.archiveUrl;
  if (order.comments.length) values.comment = order.comments.map((c) => `[${c.author}][${shopMinute(c.createdAt)}][${c.text}]`).join('\n');
  // A `date` parameter of the contract (docs/erp-contract.md): the day, in the shop's time.
  if (order.readyAt) values.issueDate = shopDay(order.readyAt);
  if (order.delivery) {
    values.deliveryMethod = order.delivery.method;
    if (order.delivery.address) values.deliveryAddress = order.delivery.address;
    if (order.delivery.recipient) values.recipient = order.delivery.recipient;
  }
  return values;
}

function paymentText(order: Order): string {
  const status = PAYMENT_STATUSES.find((s) => s.code === order.payment.status)?.ru ?? order.payment.status;
  return order.payment.method ? `${status}, ${order.payment.method}` : status;
}
