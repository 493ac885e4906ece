/** JSON columns are text in both dialects; these keep parsing in one place. */
export function parseJson<T>(text: string | null, fallback: T): T {
  if (text === null || text === '') return fallback;
  return JSON.parse(text) as T;
}

export function toJson(value: unknown): string {
  return JSON.stringify(value);
}

export function nowIso(): string {
  return new Date().toISOString();
}

/** SQLite has no boolean type; both dialects store flags as 0/1. */
export const flag = (value: boolean): number => (value ? 1 : 0);
