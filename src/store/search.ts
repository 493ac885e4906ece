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
  return sql<SqlBool>`${sql.ref(column)} like ${likePattern(needle)} escape '\\'`;
}

/**
 * The same for a column kept as typed (order numbers), folded in SQL: PostgreSQL's LIKE is
 * case-sensitive, so without `lower()` "SHOP-1" was found on SQLite (its LIKE ignores ASCII case)
 * but not on PostgreSQL. SQLite's lower() folds ASCII only, enough for Latin letters and digits.
 */
export function containsTextAnyCase(column: string, needle: string): Expression<SqlBool> {
  return sql<SqlBool>`lower(${sql.ref(column)}) like ${likePattern(needle)} escape '\\'`;
}

function likePattern(needle: string): string {
  return `%${needle.trim().toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
