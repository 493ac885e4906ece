/**
 * The shop's clock. A print shop reads its dates in Moscow time, and so do the systems it feeds
 * (the ERPs' order parameters, 1C's documents, the Bitrix24 deal's dates), whatever the server's
 * time zone. Stored times stay ISO 8601 in UTC; these turn them into the shop's day and time.
 */
const MOSCOW = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Moscow',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** `YYYY-MM-DDTHH:MM:SS` in Moscow time. */
export function moscowDateTime(at: Date | string): string {
  const parts = Object.fromEntries(MOSCOW.formatToParts(typeof at === 'string' ? new Date(at) : at).map((part) => [part.type, part.value]));
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`;
}

/** `YYYY-MM-DD HH:MM` in Moscow time: how a person reads a moment in a feed. */
export function moscowMinute(at: Date | string): string {
  return moscowDateTime(at).slice(0, 16).replace('T', ' ');
}

/** `YYYY-MM-DD`: the day it is in Moscow at that moment (an order's «Дата выдачи»). */
export function moscowDay(at: Date | string): string {
  return moscowDateTime(at).slice(0, 10);
}
