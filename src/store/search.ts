import { sql } from 'kysely';
import type { Expression, SqlBool } from 'kysely';

/**
 * Text search without dialect-specific features: each searchable row keeps a lower-cased
 * `search_text` (folded in JavaScript, because SQLite's lower() only folds ASCII and names are
 * Cyrillic), and a query is a LIKE on it with wildcards in the user's text escaped.
 */
export function searchText(parts: Array<string | null | undefined>): string {
  return parts
    .filter((p): p is string => Boolean(p))
    .join(' ')
    .toLowerCase();
}

export function containsText(column: string, needle: string): Expression<SqlBool> {
  const escaped = needle.trim().toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);
  return sql<SqlBool>`${sql.ref(column)} like ${`%${escaped}%`} escape '\\'`;
}
