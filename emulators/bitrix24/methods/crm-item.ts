import { Listed, type CallContext, type MethodRegistry } from '../context.js';
import { ENTITY_BY_TYPE_ID, type EntityDef } from '../entities.js';
import { RestError } from '../errors.js';
import { matches, paginate, parseFilter, parseOrder, sortRows } from '../list-query.js';
import { asList, isPlainRecord, type Params } from '../params.js';
import { itemColumns, itemFieldMap, itemView } from '../views.js';

function entityOf(params: Params): EntityDef {
  const typeId = Number(params.entityTypeId);
  if (typeId === 5) throw new RestError(400, 'ENTITY_TYPE_NOT_SUPPORTED', 'Entity type 5 is not supported');
  const def = ENTITY_BY_TYPE_ID.get(typeId);
  if (!def) throw new RestError(400, 'NOT_FOUND', 'SPA not found');
  return def;
}

function idOf(params: Params): number {
  const id = Number(params.id);
  if (!Number.isInteger(id) || id <= 0) throw new RestError(400, 'NOT_FOUND', 'Element not found');
  return id;
}

/**
 * camelCase fields → the legacy names the service understands. `fm` becomes multifield
 * operations: on add a list of new entries; on update an object keyed `n0…` (add) or by entry
 * id (change, or delete with an empty value). An entry without `typeId` does nothing.
 */
function toLegacyFields(def: EntityDef, ctx: CallContext, fields: Record<string, unknown>, updating: boolean): Record<string, unknown> {
  const map = itemFieldMap(def, ctx.portal.crm.userFields(def));
  const legacy: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (name === 'fm') continue;
    const entry = map.get(name);
    if (entry) legacy[entry.legacy] = value;
  }
  const fm = fields.fm;
  if (fm !== undefined && def.multifields.length > 0) {
    const entries: [string, unknown][] = updating && isPlainRecord(fm) ? Object.entries(fm) : (asList(fm) ?? []).map((v) => ['n', v]);
    for (const [key, raw] of entries) {
      if (!isPlainRecord(raw) || typeof raw.typeId !== 'string') continue;
      const typeId = raw.typeId.toUpperCase();
      if (!def.multifields.includes(typeId)) continue;
      const list = (legacy[typeId] ??= []) as Record<string, unknown>[];
      const existingId = /^\d+$/.test(key) ? Number(key) : raw.id !== undefined && updating ? Number(raw.id) : undefined;
      list.push({ ...(existingId !== undefined ? { ID: existingId } : {}), VALUE: raw.value ?? '', VALUE_TYPE: raw.valueType });
    }
  }
  return legacy;
}

function view(def: EntityDef, ctx: CallContext, id: number, select?: Set<string>): Record<string, unknown> {
  const row = ctx.portal.crm.get(def, id);
  if (!row) throw new RestError(400, 'NOT_FOUND', 'Element not found');
  return itemView(def, row, ctx.portal.crm.userFields(def), ctx.portal.clock, select);
}

/** The universal `crm.item.*` API for leads, deals, contacts and companies. */
export function registerItemMethods(registry: MethodRegistry): void {
  registry.add('crm', 'crm.item.get', (params, ctx) => {
    const def = entityOf(params);
    return { item: view(def, ctx, idOf(params)) };
  });

  registry.add('crm', 'crm.item.add', (params, ctx) => {
    const def = entityOf(params);
    const fields = isPlainRecord(params.fields) ? params.fields : {};
    const id = ctx.portal.crm.add(def, toLegacyFields(def, ctx, fields, false), ctx.userId);
    return { item: view(def, ctx, id) };
  });

  registry.add('crm', 'crm.item.update', (params, ctx) => {
    const def = entityOf(params);
    const id = idOf(params);
    if (!ctx.portal.crm.get(def, id)) throw new RestError(400, 'NOT_FOUND', 'Element not found');
    const fields = isPlainRecord(params.fields) ? params.fields : {};
    ctx.portal.crm.update(def, id, toLegacyFields(def, ctx, fields, true), ctx.userId, { allowCategoryChange: true });
    return { item: view(def, ctx, id) };
  });

  registry.add('crm', 'crm.item.delete', (params, ctx) => {
    const def = entityOf(params);
    const id = idOf(params);
    if (!ctx.portal.crm.get(def, id)) throw new RestError(400, 'NOT_FOUND', 'Element not found');
    ctx.portal.crm.remove(def, id);
    return [];
  });

  registry.add('crm', 'crm.item.list', (params, ctx) => {
    const def = entityOf(params);
    const clock = ctx.portal.clock;
    const userFields = ctx.portal.crm.userFields(def);
    const columns = itemColumns(def, userFields);
    const filter = parseFilter(params.filter, columns, clock, { strict: true, nested: true });
    const rows = ctx.portal.store.all(def.table).filter((row) => matches(filter, row, clock));
    const order = parseOrder(params.order, columns);
    sortRows(rows, order.length > 0 ? order : [{ column: columns('id')!, descending: false }], clock);
    const page = paginate(rows, ctx.start, 'engine');
    const requested = (asList(params.select) ?? []).map(String);
    const select = requested.length > 0 ? new Set(requested) : undefined;
    return new Listed({ items: page.rows.map((row) => itemView(def, row, userFields, clock, select)) }, page.total, page.next);
  });

  registry.add('crm', 'crm.item.fields', (params, ctx) => {
    const def = entityOf(params);
    const fields: Record<string, unknown> = {};
    for (const [name, { field }] of itemFieldMap(def, ctx.portal.crm.userFields(def))) {
      fields[name] = { type: field.type, isRequired: field.required ?? false, isReadOnly: field.readOnly ?? false, isImmutable: false, isMultiple: field.multiple ?? false, isDynamic: false, title: field.title };
    }
    return { fields };
  });
}
