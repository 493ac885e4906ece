/**
 * The print-shop order lifecycle of the seed's platform: 23 statuses, API names as the
 * platform uses them (enum names), numeric ids and Russian labels for the admin panel.
 * Source: reference/erp-asystem-axiom-1c-pixlpark.md §5.3.
 */
export const ORDER_STATUSES = [
  { code: 'None', id: 1, alias: 'Placed', ru: 'Оформлен', en: 'Placed', settable: false },
  { code: 'Preparing', id: 2, alias: 'Placed', ru: 'Оформлен (подготовка файлов)', en: 'Placed (preparing files)', settable: false },
  { code: 'NotProcessed', id: 3, alias: 'Pending', ru: 'Новый', en: 'New', settable: true },
  { code: 'AwaitingPayment', id: 4, alias: 'WaitingForPayment', ru: 'Ожидает оплаты', en: 'Awaiting payment', settable: true },
  { code: 'ReadyToProcessing', id: 5, alias: 'Approved', ru: 'Готов к работе (оплачен)', en: 'Ready for work (paid)', settable: true },
  { code: 'DesignCoordination', id: 15, alias: 'DesignInProgress', ru: 'Разработка дизайна', en: 'Design in progress', settable: true },
  { code: 'DesignCoordinationComplete', id: 16, alias: 'DesignCompleted', ru: 'Готов дизайн', en: 'Design completed', settable: true },
  { code: 'DesignCoordinationAwaitingReply', id: 20, alias: 'DesignWaiting', ru: 'Ждать ответа клиента (дизайн)', en: 'Waiting for the client (design)', settable: true },
  { code: 'PrepressCoordination', id: 22, alias: 'PrepressInProgress', ru: 'Проверка макета', en: 'Prepress check', settable: true },
  { code: 'PrepressCoordinationComplete', id: 23, alias: 'PrepressCompleted', ru: 'Макет проверен', en: 'Prepress checked', settable: true },
  { code: 'PrepressCoordinationAwaitingReply', id: 24, alias: 'PrepressWaiting', ru: 'Ждать ответа клиента (препресс)', en: 'Waiting for the client (prepress)', settable: true },
  { code: 'Printing', id: 17, alias: 'PrintingInProgress', ru: 'В печать', en: 'Printing', settable: true },
  { code: 'PrintedWithDefect', id: 25, alias: 'PrintingCompletedWithDefect', ru: 'Напечатан с браком', en: 'Printed with defect', settable: true },
  { code: 'PostPress', id: 28, alias: 'PostPressInProgress', ru: 'Послепечатная обработка', en: 'Post-press', settable: true },
  { code: 'Printed', id: 7, alias: 'Fulfilled', ru: 'Выполнен', en: 'Fulfilled', settable: true },
  { code: 'Shipped', id: 8, alias: 'Shipped', ru: 'Отправлен', en: 'Shipped', settable: true },
  { code: 'ShippedToStorage', id: 18, alias: 'DeliveredToPickupPoint', ru: 'Доставлен на точку выдачи', en: 'Delivered to pickup point', settable: true },
  { code: 'Delivered', id: 12, alias: 'Delivered', ru: 'Выдан', en: 'Delivered', settable: true },
  { code: 'Returned', id: 26, alias: 'Returned', ru: 'Возвращён', en: 'Returned', settable: true },
  { code: 'Cancelled', id: 11, alias: 'Cancelled', ru: 'Отменён', en: 'Cancelled', settable: true },
  { code: 'CancelledWithDefect', id: 27, alias: 'CancelledDueDefect', ru: 'Отменён по браку', en: 'Cancelled due to defect', settable: true },
  { code: 'Refused', id: 19, alias: 'CancelledDueAbandon', ru: 'Не забран', en: 'Not collected', settable: true },
  { code: 'Deleted', id: 21, alias: 'Deleted', ru: 'Удалён', en: 'Deleted', settable: false },
] as const;

export type OrderStatus = (typeof ORDER_STATUSES)[number]['code'];
export type OrderStatusInfo = (typeof ORDER_STATUSES)[number];

export const ORDER_STATUS_CODES = ORDER_STATUSES.map((s) => s.code) as [OrderStatus, ...OrderStatus[]];

/** The status a new order starts in when the caller names none. */
export const INITIAL_ORDER_STATUS: OrderStatus = 'NotProcessed';

const byCodeOrAlias = new Map<string, OrderStatusInfo>();
for (const status of ORDER_STATUSES) {
  byCodeOrAlias.set(status.code.toLowerCase(), status);
}
for (const status of ORDER_STATUSES) {
  // Aliases are the platform's public ApiName; "Placed" is shared by two codes, the first wins.
  if (!byCodeOrAlias.has(status.alias.toLowerCase())) byCodeOrAlias.set(status.alias.toLowerCase(), status);
}

/** Finds a status by its enum name or ApiName alias, case-insensitively. */
export function findOrderStatus(codeOrAlias: string): OrderStatusInfo | undefined {
  return byCodeOrAlias.get(codeOrAlias.trim().toLowerCase());
}

export function orderStatusLabel(code: OrderStatus, locale: 'ru' | 'en' = 'ru'): string {
  const status = findOrderStatus(code);
  return status ? status[locale] : code;
}

/** Staff and API clients may move an order into any status except the system-only ones. */
export function isSettableStatus(code: string): code is OrderStatus {
  return findOrderStatus(code)?.settable === true && findOrderStatus(code)?.code === code;
}

export const PAYMENT_STATUSES = [
  { code: 'not_paid', ru: 'Не оплачен', en: 'Not paid' },
  { code: 'partly_paid', ru: 'Частично оплачен', en: 'Partly paid' },
  { code: 'paid', ru: 'Оплачен полностью', en: 'Paid in full' },
] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number]['code'];
export const PAYMENT_STATUS_CODES = PAYMENT_STATUSES.map((s) => s.code) as [PaymentStatus, ...PaymentStatus[]];

export const ORDER_SOURCES = [
  { code: 'site', ru: 'Сайт', en: 'Site' },
  { code: 'app', ru: 'Приложение', en: 'App' },
  { code: 'panel', ru: 'Панель управления', en: 'Admin panel' },
  { code: 'api', ru: 'Запрос по API', en: 'API request' },
] as const;
export type OrderSource = (typeof ORDER_SOURCES)[number]['code'];
export const ORDER_SOURCE_CODES = ORDER_SOURCES.map((s) => s.code) as [OrderSource, ...OrderSource[]];

export const RENDER_STATUSES = ['pending', 'rendering', 'ready', 'failed'] as const;
export type RenderStatus = (typeof RENDER_STATUSES)[number];
