import type { PortalClock } from './clock.js';
import type { FieldDef } from './entities.js';

/** Sentinel for "drop this input silently", as the portal does with values it cannot read. */
export const SKIP = Symbol('skip');

const REFERENCE_TYPES = new Set(['integer', 'user', 'crm_contact', 'crm_company', 'crm_lead', 'crm_quote', 'crm_category', 'location']);

/** Turns a client-sent value into the stored form, or SKIP when the portal would ignore it. */
export function internalize(field: FieldDef, raw: unknown, clock: PortalClock): unknown {
  if (field.multiple && field.type !== 'crm_multifield') {
    const list = Array.isArray(raw) ? raw : raw === '' || raw === null ? [] : [raw];
    const values = list.map((item) => internalize({ ...field, multiple: false }, item, clock)).filter((v) => v !== SKIP && v !== null);
    return values;
  }
  if (raw === null || raw === undefined) return null;
  if (typeof raw === 'object') return SKIP;
  switch (field.type) {
    case 'double': {
      if (raw === '') return 0;
      const n = Number(String(raw).replace(',', '.'));
      return Number.isFinite(n) ? n : SKIP;
    }
    case 'char': {
      const text = String(raw).toUpperCase();
      if (text === 'Y' || text === '1' || text === 'TRUE') return 'Y';
      if (text === 'N' || text === '0' || text === 'FALSE' || text === '') return 'N';
      return SKIP;
    }
    case 'date':
    case 'datetime': {
      if (raw === '') return null;
      const ms = clock.parse(raw);
      if (ms === undefined) return SKIP;
      return field.type === 'date' ? clock.localMidnight(ms) : Math.floor(ms / 1000) * 1000;
    }
    case 'file':
      return SKIP;
    default:
      if (REFERENCE_TYPES.has(field.type)) {
        if (raw === '') return null;
        const n = Number(raw);
        return Number.isInteger(n) && n >= 0 ? n : SKIP;
      }
      return raw === '' ? null : String(raw);
  }
}

/** Stored value → old crm.* wire form: ids and money as strings, Y/N, ISO dates, null when empty. */
export function externalizeLegacy(field: FieldDef, value: unknown, clock: PortalClock): unknown {
  if (field.multiple && Array.isArray(value)) return value.map((v) => externalizeLegacy({ ...field, multiple: false }, v, clock));
  if (value === null || value === undefined) return null;
  switch (field.type) {
    case 'double':
      return (value as number).toFixed(2);
    case 'date':
      return clock.isoDate(value as number);
    case 'datetime':
      return clock.iso(value as number);
    default:
      return typeof value === 'number' ? String(value) : value;
  }
}

/** Stored value → crm.item wire form: typed numbers, ISO dates, Y/N kept as booleans-by-letter. */
export function externalizeItem(field: FieldDef, value: unknown, clock: PortalClock): unknown {
  if (field.multiple && Array.isArray(value)) return value.map((v) => externalizeItem({ ...field, multiple: false }, v, clock));
  if (value === null || value === undefined) return null;
  switch (field.type) {
    case 'date':
      return clock.isoDate(value as number);
    case 'datetime':
      return clock.iso(value as number);
    default:
      return value;
  }
}
