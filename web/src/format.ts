import type { Locale } from './i18n';

/** Money arrives in minor units (kopecks); shown as «1 234,50 руб.» / "RUB 1,234.50". */
export function formatMoney(minor: number, locale: Locale, currency = 'RUB'): string {
  const value = minor / 100;
  if (currency === 'RUB') {
    const number = new Intl.NumberFormat(locale === 'ru' ? 'ru-RU' : 'en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value);
    return locale === 'ru' ? `${number} руб.` : `${number} ₽`;
  }
  return new Intl.NumberFormat(locale === 'ru' ? 'ru-RU' : 'en-US', { style: 'currency', currency }).format(value);
}

export function formatDateTime(iso: string | null | undefined, locale: Locale): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(locale === 'ru' ? 'ru-RU' : 'en-GB', { dateStyle: 'short', timeStyle: 'short' }).format(new Date(iso));
}

export function formatDate(iso: string | null | undefined, locale: Locale): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(locale === 'ru' ? 'ru-RU' : 'en-GB', { dateStyle: 'medium' }).format(new Date(iso));
}

/** «1 234,5» or «1234.50» typed by a person → kopecks; null when it is not a price. */
export function parseRubles(text: string): number | null {
  const cleaned = text.replace(/\s|\u00a0/g, '').replace(',', '.');
  if (!/^\d+(\.\d{0,2})?$/.test(cleaned)) return null;
  return Math.round(Number(cleaned) * 100);
}

export function rublesInput(minor: number): string {
  return (minor / 100).toFixed(2).replace(/\.00$/, '');
}

/** The years the server takes for a «Дата выдачи» (src/domain/orders.ts READY_AT_YEARS). */
const READY_AT_YEARS = { from: 2000, to: 2100 };

/**
 * A `datetime-local` input's value (the browser's local time) → an ISO instant; null when empty,
 * `'invalid'` when it is no date the server takes (the browser lets one type a year like 20266).
 */
export function parseDateTimeInput(value: string): string | null | 'invalid' {
  if (!value) return null;
  const date = new Date(value);
  const year = date.getFullYear();
  if (Number.isNaN(date.getTime()) || year < READY_AT_YEARS.from || year > READY_AT_YEARS.to) return 'invalid';
  return date.toISOString();
}

/** An ISO instant as a `datetime-local` input shows it: the browser's local time, to the minute. */
export function dateTimeInput(iso: string): string {
  const date = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
