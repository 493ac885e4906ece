import type { PortalClock } from './clock.js';
import type { UserFieldDef } from './crm-service.js';
import type { EntityDef, FieldDef, FieldType } from './entities.js';
import type { Column, ColumnResolver } from './list-query.js';
import type { MultiFields } from './multifields.js';
import { asList } from './params.js';
import type { Row } from './store.js';
import { externalizeItem, externalizeLegacy } from './values.js';

function multiOf(row: Row, typeId: string): MultiFields[string] {
  return ((row.FM as MultiFields | undefined) ?? {})[typeId] ?? [];
}

function legacyMulti(row: Row, typeId: string): Record<string, string>[] {
  return multiOf(row, typeId).map((v) => ({ ID: String(v.ID), VALUE_TYPE: v.VALUE_TYPE, VALUE: v.VALUE, TYPE_ID: typeId }));
}

function userFieldValue(field: UserFieldDef, value: unknown): unknown {
  if (value === undefined) return field.MULTIPLE === 'Y' ? [] : null;
  if (field.USER_TYPE_ID === 'boolean') return value === null ? null : String(value);
  return value;
}

/**
 * Which fields a list returns. The default is `*` plus `UF_*`; `*` never includes multifields,
 * which must be named (`PHONE`, `EMAIL`); ID always comes back.
 */
export function legacySelection(def: EntityDef, userFields: UserFieldDef[], select: unknown): Set<string> {
  const requested = (asList(select) ?? []).map((s) => String(s).toUpperCase());
  const names = requested.length > 0 ? requested : ['*', 'UF_*'];
  const chosen = new Set<string>(['ID']);
  for (const name of names) {
    if (name === '*') {
      for (const [key, field] of Object.entries(def.fields)) if (!field.multiple && !field.writeOnly) chosen.add(key);
    } else if (name === 'UF_*') {
      for (const f of userFields) chosen.add(f.FIELD_NAME);
    } else if (def.fields[name] || userFields.some((f) => f.FIELD_NAME === name)) {
      chosen.add(name);
    }
  }
  return chosen;
}

/** A row as `crm.*.get` (no selection) or `crm.*.list` (with one) return it. */
export function legacyView(def: EntityDef, row: Row, userFields: UserFieldDef[], clock: PortalClock, selection?: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(def.fields)) {
    if (field.writeOnly || field.type === 'crm_multifield') continue;
    if (selection && !selection.has(key)) continue;
    out[key] = externalizeLegacy(field, row[key], clock);
  }
  for (const field of userFields) {
    if (selection && !selection.has(field.FIELD_NAME)) continue;
    out[field.FIELD_NAME] = userFieldValue(field, row[field.FIELD_NAME]);
  }
  for (const typeId of def.multifields) {
    if (selection && !selection.has(typeId)) continue;
    const values = legacyMulti(row, typeId);
    if (values.length > 0) out[typeId] = values;
  }
  return out;
}

export function legacyColumns(def: EntityDef, userFields: UserFieldDef[]): ColumnResolver {
  return (rawName) => {
    const name = rawName.toUpperCase();
    if (def.multifields.includes(name)) return { type: 'text', get: (row) => multiOf(row, name).map((v) => v.VALUE) };
    const field = def.fields[name];
    // Write-only bindings (CONTACT_IDS on deals) can be neither selected nor filtered.
    if (field) return field.writeOnly ? undefined : { type: field.type, get: (row) => row[name] };
    const uf = userFields.find((f) => f.FIELD_NAME === name);
    if (uf) return { type: uf.USER_TYPE_ID === 'integer' || uf.USER_TYPE_ID === 'double' ? 'double' : 'text', get: (row) => row[name] };
    return undefined;
  };
}

// ---------------------------------------------------------------------------------- crm.item

const ITEM_NAME_OVERRIDES: Record<string, string> = {
  DATE_CREATE: 'createdTime',
  DATE_MODIFY: 'updatedTime',
  CREATED_BY_ID: 'createdBy',
  MODIFY_BY_ID: 'updatedBy',
  MOVED_BY_ID: 'movedBy',
  STATUS_ID: 'stageId',
  STATUS_SEMANTIC_ID: 'stageSemanticId',
  COMPANY_TYPE: 'typeId',
  BEGINDATE: 'begindate',
  CLOSEDATE: 'closedate',
  BIRTHDATE: 'birthdate',
  EXPORT: 'export',
};

/** `ASSIGNED_BY_ID` → `assignedById`; `UF_CRM_3_17` → `ufCrm3_17`; `UF_CRM_1747` → `ufCrm_1747`. */
export function itemName(legacy: string): string {
  const override = ITEM_NAME_OVERRIDES[legacy];
  if (override) return override;
  if (legacy.startsWith('UF_CRM_')) {
    const rest = legacy.slice('UF_CRM_'.length);
    if (/^\d+_\d+/.test(rest)) return `ufCrm${rest}`;
    if (/^\d/.test(rest)) return `ufCrm_${rest}`;
    const camel = camelCase(rest);
    return `ufCrm${camel.charAt(0).toUpperCase()}${camel.slice(1)}`;
  }
  return camelCase(legacy);
}

function camelCase(snake: string): string {
  return snake.toLowerCase().replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

interface ItemField {
  legacy: string;
  field: FieldDef;
}

/** camelCase name → the legacy field it maps to, for an entity (with its user fields). */
export function itemFieldMap(def: EntityDef, userFields: UserFieldDef[]): Map<string, ItemField> {
  const map = new Map<string, ItemField>();
  for (const [legacy, field] of Object.entries(def.fields)) {
    if (field.type === 'crm_multifield') continue;
    map.set(itemName(legacy), { legacy, field });
  }
  for (const uf of userFields) {
    const type: FieldType = uf.USER_TYPE_ID === 'integer' || uf.USER_TYPE_ID === 'double' ? 'double' : 'string';
    map.set(itemName(uf.FIELD_NAME), { legacy: uf.FIELD_NAME, field: { type, title: uf.LABEL, multiple: uf.MULTIPLE === 'Y' } });
  }
  return map;
}

export function itemView(def: EntityDef, row: Row, userFields: UserFieldDef[], clock: PortalClock, select?: Set<string>): Record<string, unknown> {
  const all = !select || select.has('*');
  const out: Record<string, unknown> = {};
  for (const [name, { legacy, field }] of itemFieldMap(def, userFields)) {
    if (!all && !select.has(name) && name !== 'id') continue;
    const value = row[legacy];
    out[name] = field.multiple ? ((value as unknown[] | undefined) ?? []).map((v) => externalizeItem({ ...field, multiple: false }, v, clock)) : externalizeItem(field, value, clock);
  }
  if (all && def.multifields.length > 0) {
    out.fm = def.multifields.flatMap((typeId) => multiOf(row, typeId).map((v) => ({ id: v.ID, typeId, valueType: v.VALUE_TYPE, value: v.VALUE })));
    // Flat aliases carry the first value of each kind.
    const first = (typeId: string, valueType?: string): string | null =>
      multiOf(row, typeId).find((v) => valueType === undefined || v.VALUE_TYPE === valueType)?.VALUE ?? null;
    Object.assign(out, {
      phone: first('PHONE'),
      email: first('EMAIL'),
      phoneMobile: first('PHONE', 'MOBILE'),
      phoneWork: first('PHONE', 'WORK'),
      phoneMailing: first('PHONE', 'MAILING'),
      emailHome: first('EMAIL', 'HOME'),
      emailWork: first('EMAIL', 'WORK'),
      emailMailing: first('EMAIL', 'MAILING'),
    });
  }
  return out;
}

export function itemColumns(def: EntityDef, userFields: UserFieldDef[]): ColumnResolver {
  const map = itemFieldMap(def, userFields);
  return (name): Column | undefined => {
    const entry = map.get(name);
    if (!entry) return undefined;
    return { type: entry.field.type, get: (row) => row[entry.legacy] };
  };
}
