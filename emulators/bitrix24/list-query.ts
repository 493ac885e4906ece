import type { PortalClock } from './clock.js';
import type { FieldType } from './entities.js';
import { RestError } from './errors.js';
import { asList, isPlainRecord } from './params.js';
import type { Row } from './store.js';

export const PAGE_SIZE = 50;

/** How a list method reads one field of a stored row, for filtering and sorting. */
export interface Column {
  type: FieldType | 'text';
  get: (row: Row) => unknown;
}

export type ColumnResolver = (name: string) => Column | undefined;

type Op = 'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte' | 'in' | 'nin' | 'like' | 'nlike' | 'pattern' | 'npattern';

// Longest prefixes first, so `>=` is not read as `>` followed by `=`.
const PREFIXES: [string, Op][] = [
  ['!=%', 'npattern'],
  ['>=', 'gte'],
  ['<=', 'lte'],
  ['!@', 'nin'],
  ['=%', 'pattern'],
  ['%=', 'pattern'],
  ['!%', 'nlike'],
  ['!=', 'neq'],
  ['>', 'gt'],
  ['<', 'lt'],
  ['@', 'in'],
  ['%', 'like'],
  ['!', 'neq'],
  ['=', 'eq'],
];

interface Condition {
  kind: 'condition';
  column: Column;
  op: Op;
  values: unknown[];
}

interface Group {
  kind: 'group';
  logic: 'AND' | 'OR';
  children: FilterNode[];
}

type FilterNode = Condition | Group;

export interface FilterOptions {
  /** Unknown fields: the old methods ignore them, crm.item refuses them. */
  strict: boolean;
  /** Nested `logic: OR` groups exist only in crm.item.list. */
  nested: boolean;
}

export function parseFilter(filter: unknown, resolve: ColumnResolver, clock: PortalClock, options: FilterOptions): Group {
  const group: Group = { kind: 'group', logic: 'AND', children: [] };
  if (!isPlainRecord(filter)) return group;
  for (const [rawKey, rawValue] of Object.entries(filter)) {
    if (rawKey.toUpperCase() === 'LOGIC') {
      group.logic = String(rawValue).toUpperCase() === 'OR' ? 'OR' : 'AND';
      continue;
    }
    if (options.nested && isPlainRecord(rawValue) && (/^\d+$/.test(rawKey) || 'logic' in rawValue || 'LOGIC' in rawValue)) {
      group.children.push(parseFilter(rawValue, resolve, clock, options));
      continue;
    }
    const [prefix, op] = PREFIXES.find(([p]) => rawKey.startsWith(p)) ?? ['', 'eq' as Op];
    const name = rawKey.slice(prefix.length);
    const column = resolve(name);
    if (!column) {
      if (options.strict) throw new RestError(400, 'INVALID_ARG_VALUE', `Invalid filter: field '${name}' is not allowed in filter`);
      continue;
    }
    const list = asList(rawValue);
    let effective = op;
    if (list && op === 'eq') effective = 'in';
    if (list && op === 'neq') effective = 'nin';
    const values = (list ?? [rawValue]).map((v) => normalize(column.type, v, clock));
    group.children.push({ kind: 'condition', column, op: effective, values });
  }
  return group;
}

export function matches(node: FilterNode, row: Row, clock: PortalClock): boolean {
  if (node.kind === 'group') {
    if (node.children.length === 0) return true;
    return node.logic === 'OR'
      ? node.children.some((c) => matches(c, row, clock))
      : node.children.every((c) => matches(c, row, clock));
  }
  const raw = node.column.get(row);
  const actuals = (Array.isArray(raw) ? raw : [raw]).map((v) => normalize(node.column.type, v, clock));
  const anyActual = (test: (a: unknown) => boolean): boolean => (actuals.length === 0 ? test(null) : actuals.some(test));
  const [first] = node.values;
  switch (node.op) {
    case 'eq':
      return anyActual((a) => same(a, first));
    case 'neq':
      return !anyActual((a) => same(a, first));
    case 'in':
      return anyActual((a) => node.values.some((v) => same(a, v)));
    case 'nin':
      return !anyActual((a) => node.values.some((v) => same(a, v)));
    case 'gt':
      return anyActual((a) => compare(a, first) > 0);
    case 'gte':
      return anyActual((a) => compare(a, first) >= 0);
    case 'lt':
      return anyActual((a) => compare(a, first) < 0);
    case 'lte':
      return anyActual((a) => compare(a, first) <= 0);
    case 'like':
      return anyActual((a) => a !== null && String(a).includes(String(first ?? '')));
    case 'nlike':
      return !anyActual((a) => a !== null && String(a).includes(String(first ?? '')));
    case 'pattern':
      return anyActual((a) => a !== null && likePattern(String(first ?? '')).test(String(a)));
    case 'npattern':
      return !anyActual((a) => a !== null && likePattern(String(first ?? '')).test(String(a)));
  }
}

/** Values compared the way MySQL would: numbers as numbers, dates as instants, text case-blind. */
function normalize(type: Column['type'], value: unknown, clock: PortalClock): unknown {
  if (value === null || value === undefined || value === '') return null;
  switch (type) {
    case 'integer':
    case 'double':
    case 'user':
    case 'crm_contact':
    case 'crm_company':
    case 'crm_lead':
    case 'crm_quote':
    case 'crm_category': {
      const n = Number(value);
      return Number.isFinite(n) ? n : String(value).toLowerCase();
    }
    case 'date':
    case 'datetime':
      if (typeof value === 'number') return value;
      return clock.parse(value) ?? null;
    default:
      return typeof value === 'boolean' ? (value ? 'y' : 'n') : String(value).toLowerCase();
  }
}

function same(a: unknown, b: unknown): boolean {
  return a === b;
}

function compare(a: unknown, b: unknown): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

function likePattern(pattern: string): RegExp {
  const escaped = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.');
  return new RegExp(`^${escaped}$`, 's');
}

export interface SortKey {
  column: Column;
  descending: boolean;
}

export function parseOrder(order: unknown, resolve: ColumnResolver): SortKey[] {
  if (!isPlainRecord(order)) return [];
  const keys: SortKey[] = [];
  for (const [name, direction] of Object.entries(order)) {
    const column = resolve(name);
    if (column) keys.push({ column, descending: String(direction).toUpperCase() === 'DESC' });
  }
  return keys;
}

export function sortRows(rows: Row[], keys: SortKey[], clock: PortalClock): Row[] {
  return rows.sort((x, y) => {
    for (const key of keys) {
      const a = normalize(key.column.type, key.column.get(x), clock);
      const b = normalize(key.column.type, key.column.get(y), clock);
      const order = compare(a, b);
      if (order !== 0) return key.descending ? -order : order;
    }
    return 0;
  });
}

export interface Page {
  rows: Row[];
  /** Absent where the portal does not count (crm.item.* with `start=-1`). */
  total?: number;
  next?: number;
}

/**
 * Both kinds of list page like CDBResult / PageNavigation: `start` picks the page containing it
 * (start=10 is page 1, start=60 page 2), `next` is the offset after the rows returned. With
 * `start=-1` nothing is counted: the old methods answer `total: 0`, the `crm.item.*`
 * controllers (RestManager) leave `total` out; neither has `next`.
 */
export function paginate(rows: Row[], startParam: unknown, mode: 'legacy' | 'engine'): Page {
  const start = Number.parseInt(String(startParam ?? '0'), 10);
  if (start === -1) return mode === 'legacy' ? { rows: rows.slice(0, PAGE_SIZE), total: 0 } : { rows: rows.slice(0, PAGE_SIZE) };
  const requested = Number.isFinite(start) && start > 0 ? start : 0;
  const offset = Math.floor(requested / PAGE_SIZE) * PAGE_SIZE;
  const page: Page = { rows: rows.slice(offset, offset + PAGE_SIZE), total: rows.length };
  if (offset + page.rows.length < rows.length) page.next = offset + page.rows.length;
  return page;
}
