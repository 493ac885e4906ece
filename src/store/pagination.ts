import { invalidField } from '../domain/errors.js';
import { MAX_ID } from '../domain/ids.js';

export interface Page<T> {
  items: T[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

/**
 * Keyset pagination over ids, newest first: the cursor names the last id seen, so pages stay
 * stable while new rows arrive (an offset would skip or repeat rows).
 */
export function encodeCursor(lastId: number): string {
  return Buffer.from(JSON.stringify({ before: lastId })).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): number | null {
  if (!cursor) return null;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { before?: unknown };
    // Ids are 32-bit columns; a larger `before` was never issued and PostgreSQL would refuse it (a 500).
    if (typeof parsed.before === 'number' && Number.isInteger(parsed.before) && Math.abs(parsed.before) <= MAX_ID) return parsed.before;
  } catch {
    // fall through to the error below
  }
  throw invalidField('querystring.cursor', 'is not a cursor returned by this API');
}

/** Fetch one row more than asked to learn whether there is a next page. */
export function toPage<Row extends { id: number }, T>(rows: Row[], limit: number, map: (row: Row) => T): Page<T> {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  const last = pageRows.at(-1);
  return { items: pageRows.map(map), nextCursor: hasMore && last ? encodeCursor(last.id) : null };
}
