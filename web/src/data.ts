import { api } from './api';
import type { Locale } from './i18n';
import { titlesOf } from './integrations';
import type { CalculatorEngineInfo, LocalizedText, OrderStatusInfo, PanelIntegration, Person } from './types';

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

/** Integration titles by name (from the server's descriptions), for the health page. */
let titles: Promise<Record<string, LocalizedText>> | null = null;
export function loadIntegrationTitles(): Promise<Record<string, LocalizedText>> {
  titles ??= api<{ items: PanelIntegration[] }>('GET', '/integrations/panel')
    .then((body) => titlesOf(body.items))
    .catch(() => {
      titles = null;
      return {};
    });
  return titles;
}

/** An integration's title in the panel's language; its name when it is not installed. */
export function systemTitle(system: string, locale: Locale, known: Record<string, LocalizedText> = {}): string {
  return known[system]?.[locale] ?? system;
}

/** The calculators a category can use (GET /calculator-engines): fetched once per page load. */
let engines: Promise<CalculatorEngineInfo[]> | null = null;
export function loadCalculatorEngines(): Promise<CalculatorEngineInfo[]> {
  engines ??= api<{ items: CalculatorEngineInfo[] }>('GET', '/calculator-engines')
    .then((body) => body.items)
    .catch((error: unknown) => {
      engines = null;
      throw error;
    });
  return engines;
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
