import { XMLBuilder } from 'fast-xml-parser';
import iconv from 'iconv-lite';
import type { Organization, Person } from '../../../domain/clients.js';
import { orderStatusLabel, PAYMENT_STATUSES } from '../../../domain/order-status.js';
import type { Order, OrderItem } from '../../../domain/orders.js';
import { shopDateTime, shopDay } from '../../../domain/shop-time.js';
import type { ExchangeEncoding, SchemaVersion } from '../settings.js';

/**
 * Our orders as a CommerceML 2 document — what `mode=query` hands to 1C (reference §6.2): the
 * root `КоммерческаяИнформация` with `ВерсияСхемы` and `ДатаФормирования`, one `Документ` per
 * order (`ХозОперация` «Заказ товара»), the client as `Контрагенты` (an organization with its
 * contact person as `Представитель`), each line as a `Товар` with the parameters the client
 * chose as `ХарактеристикиТовара`, the delivery as one more `Товар` (`ORDER_DELIVERY`, a
 * service), and payment and status as the document's `ЗначенияРеквизитов`. Dates and times are
 * the shop's (`SHOP_TIMEZONE`, Moscow by default), as its 1C expects them; money in roubles with a point.
 */

export interface OrderForExchange {
  order: Order;
  person: Person | null;
  organization: Organization | null;
}

export interface DocumentOptions {
  schemaVersion: SchemaVersion;
  encoding: ExchangeEncoding;
  /** When the document is made. */
  now: Date;
}

/** The id of our order in the exchange: its number, which 1C sends back in `Ид` and `Номер`. */
export const exchangeIdOf = (order: { number: string }): string => order.number;

export const DELIVERY_LINE_ID = 'ORDER_DELIVERY';

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: true, indentBy: '  ', suppressEmptyNode: true });

/** The document as text; `encodeDocument` turns it into the bytes sent. */
export function ordersDocument(orders: readonly OrderForExchange[], options: DocumentOptions): string {
  const root = {
    '@_xmlns': 'urn:1C.ru:commerceml_2',
    '@_xmlns:xs': 'http://www.w3.org/2001/XMLSchema',
    '@_xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
    '@_ВерсияСхемы': options.schemaVersion,
    '@_ДатаФормирования': shopDateTime(options.now),
    Документ: orders.map(orderDocument),
  };
  const declaration = `<?xml version="1.0" encoding="${options.encoding === 'windows-1251' ? 'windows-1251' : 'UTF-8'}"?>\n`;
  return declaration + (builder.build({ КоммерческаяИнформация: root }) as string);
}

/**
 * The bytes of a document in the encoding of the settings. In windows-1251 a character the code
 * page lacks (`²` of «г/м²», an emoji) is written as a character reference, so it reaches 1C
 * as itself instead of as «?».
 */
export function encodeDocument(xml: string, encoding: ExchangeEncoding): Buffer {
  if (encoding === 'utf-8') return Buffer.from(xml, 'utf8');
  let safe = '';
  for (const char of xml) safe += WINDOWS_1251.has(char) ? char : `&#${char.codePointAt(0)};`;
  return iconv.encode(safe, 'win1251');
}

/** The characters windows-1251 has (the byte 0x98 is unassigned). */
const WINDOWS_1251 = new Set(
  Array.from({ length: 256 }, (_, byte) => byte)
    .filter((byte) => byte !== 0x98)
    .map((byte) => iconv.decode(Buffer.from([byte]), 'win1251')),
);

function orderDocument({ order, person, organization }: OrderForExchange) {
  const created = new Date(order.createdAt);
  const [date, time] = shopDateTime(created).split('T') as [string, string];
  const currency = order.currency === 'RUB' ? 'руб' : order.currency;
  const lines = [...order.items.map(itemLine)];
  if (order.delivery) lines.push(deliveryLine(order.delivery.method, order.delivery.price));
  return {
    Ид: exchangeIdOf(order),
    Номер: order.number,
    Дата: date,
    Время: time,
    ХозОперация: 'Заказ товара',
    Роль: 'Продавец',
    Валюта: currency,
    Курс: '1',
    Сумма: money(order.totals.total),
    Комментарий: text(order.comment ?? ''),
    Контрагенты: { Контрагент: counterparties(person, organization) },
    ...(order.totals.discount > 0 && {
      Скидки: { Скидка: { Наименование: 'Скидка на заказ', Сумма: money(order.totals.discount), УчтеноВСумме: 'true' } },
    }),
    Товары: { Товар: lines },
    ЗначенияРеквизитов: { ЗначениеРеквизита: requisites(order) },
  };
}

function counterparties(person: Person | null, organization: Organization | null) {
  const result: unknown[] = [];
  if (organization) {
    result.push({
      Ид: `organization-${organization.id}`,
      Наименование: text(organization.title),
      ОфициальноеНаименование: text(organization.title),
      ПолноеНаименование: text(organization.title),
      Роль: 'Покупатель',
      ИНН: organization.inn ?? '',
      КПП: organization.kpp ?? '',
      ...(person && {
        Представители: {
          Представитель: { Контрагент: { Отношение: 'Контактное лицо', Ид: `person-${person.id}`, Наименование: text(person.fullName) } },
        },
      }),
    });
  } else if (person) {
    result.push({
      Ид: `person-${person.id}`,
      Наименование: text(person.fullName),
      ПолноеНаименование: text(person.fullName),
      Роль: 'Покупатель',
      Фамилия: text(person.lastName ?? ''),
      Имя: text(person.firstName ?? ''),
      Отчество: text(person.middleName ?? ''),
      ...contacts(person),
    });
  }
  return result;
}

function contacts(person: Person) {
  const list = [
    ...person.emails.map((email) => ({ Тип: 'Почта', Значение: text(email) })),
    ...person.phones.map((phone) => ({ Тип: 'ТелефонРабочий', Значение: phone.extension ? `${phone.e164} доб. ${phone.extension}` : phone.e164 })),
  ];
  return list.length ? { Контакты: { Контакт: list } } : {};
}

function itemLine(item: OrderItem) {
  const characteristics = Object.entries(item.parameters).map(([name, value]) => ({ Наименование: text(name), Значение: text(parameterValue(value)) }));
  return {
    Ид: item.productId !== null ? `product-${item.productId}` : `line-${item.id}`,
    Наименование: text(item.name),
    БазоваяЕдиница: { '#text': 'шт', '@_Код': '796', '@_НаименованиеПолное': 'Штука', '@_МеждународноеСокращение': 'PCE' },
    ЦенаЗаЕдиницу: money(item.unitPrice),
    Количество: String(item.quantity),
    Сумма: money(item.total),
    ...(characteristics.length && { ХарактеристикиТовара: { ХарактеристикаТовара: characteristics } }),
    ЗначенияРеквизитов: {
      ЗначениеРеквизита: [
        { Наименование: 'ВидНоменклатуры', Значение: 'Товар' },
        { Наименование: 'ТипНоменклатуры', Значение: 'Товар' },
      ],
    },
  };
}

function deliveryLine(method: string, price: number) {
  return {
    Ид: DELIVERY_LINE_ID,
    Наименование: text(method ? `Доставка: ${method}` : 'Доставка заказа'),
    БазоваяЕдиница: { '#text': 'шт', '@_Код': '796', '@_НаименованиеПолное': 'Штука', '@_МеждународноеСокращение': 'PCE' },
    ЦенаЗаЕдиницу: money(price),
    Количество: '1',
    Сумма: money(price),
    ЗначенияРеквизитов: {
      ЗначениеРеквизита: [
        { Наименование: 'ВидНоменклатуры', Значение: 'Услуга' },
        { Наименование: 'ТипНоменклатуры', Значение: 'Услуга' },
      ],
    },
  };
}

const CANCELLED = new Set(['Cancelled', 'CancelledWithDefect', 'Refused']);
const FINAL = new Set(['Delivered', 'Cancelled', 'CancelledWithDefect', 'Refused', 'Returned', 'Deleted']);

function requisites(order: Order) {
  const lastChange = order.statusHistory.at(-1)?.changedAt ?? order.createdAt;
  const payment = PAYMENT_STATUSES.find((status) => status.code === order.payment.status)?.ru ?? order.payment.status;
  const list: Array<{ Наименование: string; Значение: string }> = [
    { Наименование: 'Статус заказа', Значение: orderStatusLabel(order.status) },
    { Наименование: 'Статуса заказа ИД', Значение: order.status },
    { Наименование: 'Дата изменения статуса', Значение: shopDateTime(new Date(lastChange)).replace('T', ' ') },
    { Наименование: 'Заказ оплачен', Значение: order.payment.status === 'paid' ? 'true' : 'false' },
    { Наименование: 'Статус оплаты', Значение: payment },
    { Наименование: 'Метод оплаты', Значение: text(order.payment.method ?? '') },
    { Наименование: 'Отменен', Значение: CANCELLED.has(order.status) ? 'true' : 'false' },
    { Наименование: 'Финальный статус', Значение: FINAL.has(order.status) ? 'true' : 'false' },
  ];
  if (order.delivery) {
    list.push({ Наименование: 'Способ доставки', Значение: text(order.delivery.method) });
    if (order.delivery.address) list.push({ Наименование: 'Адрес доставки', Значение: text(order.delivery.address) });
    if (order.delivery.recipient) list.push({ Наименование: 'Получатель', Значение: text(order.delivery.recipient) });
  }
  if (order.readyAt) list.push({ Наименование: 'Дата выдачи', Значение: shopDay(order.readyAt) });
  if (order.site) list.push({ Наименование: 'Сайт', Значение: text(order.site) });
  if (order.render.archiveUrl) list.push({ Наименование: 'Файлы заказа', Значение: text(order.render.archiveUrl) });
  return list.filter((entry) => entry.Значение !== '');
}

function parameterValue(value: string | number | boolean): string {
  if (typeof value === 'boolean') return value ? 'Да' : 'Нет';
  return String(value);
}

/** Minor units as roubles with a point: 123450 → "1234.50". */
export function money(minor: number): string {
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** Text without the control characters XML 1.0 cannot carry. */
function text(value: string): string {
  return value.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '');
}
