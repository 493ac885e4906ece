import { api } from './api';
import type { Locale } from './i18n';
import type { OrderStatusInfo, Person } from './types';

/** Reference data that changes only with a deploy: fetched once per page load. */
let statuses: Promise<OrderStatusInfo[]> | null = null;
export function loadStatuses(): Promise<OrderStatusInfo[]> {
  statuses ??= api<OrderStatusInfo[]>('GET', '/order-statuses').catch((error: unknown) => {
    statuses = null;
    throw error;
  });
  return statuses;
}

export function statusLabel(list: OrderStatusInfo[] | undefined, code: string, locale: Locale): string {
  const status = list?.find((s) => s.code === code);
  return status ? status[locale] : code;
}

/** Tone of a status chip: new work, in progress, done, cancelled. */
export function statusTone(code: string): 'neutral' | 'success' | 'warning' | 'danger' | 'info' {
  if (/Cancel|Return|Defect|Refused|Deleted/.test(code)) return 'danger';
  if (/^(Printed|Shipped|ShippedToStorage|Delivered)$/.test(code)) return 'success';
  if (/Await|NotProcessed|^None$|Preparing/.test(code)) return 'warning';
  return 'info';
}

/** Integration titles by name (`bitrix24` → «Битрикс24»), for the health page and sync panels. */
let titles: Promise<Record<string, { ru: string; en: string }>> | null = null;
export function loadIntegrationTitles(): Promise<Record<string, { ru: string; en: string }>> {
  titles ??= api<{ items: Array<{ name: string; title: { ru: string; en: string } }> }>('GET', '/integrations')
    .then((body) => Object.fromEntries(body.items.map((i) => [i.name, i.title])))
    .catch(() => ({}));
  return titles;
}

const KNOWN_SYSTEMS: Record<string, { ru: string; en: string }> = {
  bitrix24: { ru: 'Битрикс24', en: 'Bitrix24' },
  asystem: { ru: 'ASystem', en: 'ASystem' },
  axiom: { ru: 'Axiom', en: 'Axiom' },
  poly1c: { ru: '1С:Полиграфия', en: '1C:Poligrafiya' },
};

export function systemTitle(system: string, locale: Locale, known: Record<string, { ru: string; en: string }> = {}): string {
  return (known[system] ?? KNOWN_SYSTEMS[system])?.[locale] ?? system;
}

/** Names of the clients on a page of orders; one request per person, remembered. */
const people = new Map<number, Promise<Person | null>>();
export function loadPerson(id: number): Promise<Person | null> {
  let found = people.get(id);
  if (!found) {
    found = api<Person>('GET', `/persons/${id}`).catch(() => null);
    people.set(id, found);
  }
  return found;
}
export function forgetPerson(id: number): void {
  people.delete(id);
}

export function personName(person: Person | null | undefined, fallback: string): string {
  return person?.fullName || person?.emails[0] || person?.phones[0]?.e164 || fallback;
}
