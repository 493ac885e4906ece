/**
 * The shop's clock. A print shop reads its dates in its own time zone, and so do the systems it
 * feeds (the ERPs' order parameters, 1C's documents, the Bitrix24 deal's dates), whatever the
 * server's time zone. Stored times stay ISO 8601 in UTC; these turn them into the shop's day and
 * time. The zone is `SHOP_TIMEZONE` (config.ts), Moscow unless the shop says otherwise.
 */
export const DEFAULT_SHOP_TIME_ZONE = 'Europe/Moscow';

let formatter = formatterFor(DEFAULT_SHOP_TIME_ZONE);

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });
}

/** An IANA time zone name this runtime knows, or a message saying what is wrong with it. */
export function checkTimeZone(timeZone: string): string | null {
  try {
    formatterFor(timeZone);
    return null;
  } catch {
    return `unknown time zone "${timeZone}"; use an IANA name such as Europe/Moscow or Asia/Novosibirsk`;
  }
}

/** Set once at start from the configuration (createApp). */
export function setShopTimeZone(timeZone: string): void {
  const problem = checkTimeZone(timeZone);
  if (problem) throw new Error(problem);
  formatter = formatterFor(timeZone);
}

export function shopTimeZone(): string {
  return formatter.resolvedOptions().timeZone;
}

/** `YYYY-MM-DDTHH:MM:SS` in the shop's time. */
export function shopDateTime(at: Date | string): string {
  const parts = Object.fromEntries(formatter.formatToParts(typeof at === 'string' ? new Date(at) : at).map((part) => [part.type, part.value]));
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`;
}

/** `YYYY-MM-DD HH:MM` in the shop's time: how a person reads a moment in a feed. */
export function shopMinute(at: Date | string): string {
  return shopDateTime(at).slice(0, 16).replace('T', ' ');
}

/** `YYYY-MM-DD`: the day it is at the shop at that moment (an order's «Дата выдачи»). */
export function shopDay(at: Date | string): string {
  return shopDateTime(at).slice(0, 10);
}
