import type { CallContext, MethodRegistry } from '../context.js';
import { Listed } from '../context.js';
import type { UserFieldDef } from '../crm-service.js';
import type { EntityDef } from '../entities.js';
import { errors, RestError } from '../errors.js';
import { matches, paginate, parseFilter, parseOrder, sortRows } from '../list-query.js';
import { isPlainRecord, pick, type Params } from '../params.js';
import type { Row } from '../store.js';
import { legacyColumns, legacySelection, legacyView } from '../views.js';

/** Field metadata as `*.fields` returns it. */
export function fieldsMeta(def: EntityDef, userFields: UserFieldDef[]): Record<string, unknown> {
  const meta: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(def.fields)) {
    meta[name] = {
      type: field.type,
      isRequired: field.required ?? false,
      isReadOnly: field.readOnly ?? false,
      isImmutable: field.immutable ?? false,
      isMultiple: field.multiple ?? false,
      isDynamic: false,
      title: field.title,
      ...(field.statusType ? { statusType: field.statusType } : {}),
    };
  }
  for (const uf of userFields) {
    meta[uf.FIELD_NAME] = {
      type: uf.USER_TYPE_ID,
      isRequired: uf.MANDATORY === 'Y',
      isReadOnly: false,
      isImmutable: false,
      isMultiple: uf.MULTIPLE === 'Y',
      isDynamic: true,
      title: uf.FIELD_NAME,
      listLabel: uf.LABEL,
      formLabel: uf.LABEL,
      filterLabel: uf.LABEL,
    };
  }
  return meta;
}

export function listRows(def: EntityDef, params: Params, ctx: CallContext, rows: Row[]): Listed {
  const clock = ctx.portal.clock;
  const userFields = ctx.portal.crm.userFields(def);
  const columns = legacyColumns(def, userFields);
  const filter = parseFilter(pick(params, 'filter'), columns, clock, { strict: false, nested: false });
  const order = parseOrder(pick(params, 'order'), columns);
  const selected = rows.filter((row) => matches(filter, row, clock));
  sortRows(selected, order.length > 0 ? order : [{ column: columns('ID')!, descending: false }], clock);
  const page = paginate(selected, ctx.start, 'legacy');
  const selection = legacySelection(def, userFields, pick(params, 'select'));
  const items = page.rows.map((row) => legacyView(def, row, userFields, clock, selection));
  return new Listed(items, page.total, page.next);
}

/** add/update/get/delete/list/fields of one old-style entity (`crm.deal.*`, `crm.contact.*`, …). */
export function registerEntityMethods(registry: MethodRegistry, def: EntityDef, prefix: string): void {
  const fieldsParam = (params: Params): unknown => pick(params, 'fields', 'FIELDS', 'arFields');

  registry.add('crm', `${prefix}.add`, (params, ctx) => ctx.portal.crm.add(def, fieldsParam(params), ctx.userId));

  registry.add('crm', `${prefix}.update`, (params, ctx) => {
    const id = ctx.portal.crm.requireId(pick(params, 'id'));
    ctx.portal.crm.update(def, id, fieldsParam(params), ctx.userId);
    return true;
  });

  registry.add('crm', `${prefix}.get`, (params, ctx) => {
    const id = ctx.portal.crm.requireId(pick(params, 'id'));
    const row = ctx.portal.crm.get(def, id);
    if (!row) throw errors.notFound();
    return legacyView(def, row, ctx.portal.crm.userFields(def), ctx.portal.clock);
  });

  registry.add('crm', `${prefix}.delete`, (params, ctx) => {
    ctx.portal.crm.remove(def, ctx.portal.crm.requireId(pick(params, 'id')));
    return true;
  });

  registry.add('crm', `${prefix}.list`, (params, ctx) => listRows(def, params, ctx, ctx.portal.store.all(def.table)));

  registry.add('crm', `${prefix}.fields`, (_params, ctx) => fieldsMeta(def, ctx.portal.crm.userFields(def)));

  if (def.ufEntityId) registerUserFieldMethods(registry, def, prefix);
}

const UF_TYPES = new Set(['string', 'integer', 'double', 'boolean', 'datetime', 'date', 'money', 'url', 'address', 'enumeration', 'file', 'employee', 'crm_status', 'iblock_section', 'iblock_element', 'crm']);

function registerUserFieldMethods(registry: MethodRegistry, def: EntityDef, prefix: string): void {
  registry.add('crm', `${prefix}.userfield.add`, (params, ctx) => {
    const fields = pick(params, 'fields');
    if (!isPlainRecord(fields)) throw errors.fieldsNotArray();
    let name = String(fields.FIELD_NAME ?? '').toUpperCase();
    if (!name.startsWith('UF_CRM_')) name = `UF_CRM_${name}`;
    if (!/^UF_CRM_[A-Z0-9_]+$/.test(name) || name.length > 50) {
      throw new RestError(400, 'ERROR_CORE', 'Invalid field code. Only Latin letters, digits and underscore are allowed; 50 characters at most.');
    }
    const type = String(fields.USER_TYPE_ID ?? 'string');
    if (!UF_TYPES.has(type)) throw new RestError(400, 'ERROR_CORE', `Unknown user field type "${type}".`);
    const store = ctx.portal.store;
    if (ctx.portal.crm.userFields(def).some((f) => f.FIELD_NAME === name)) {
      throw new RestError(400, 'ERROR_CORE', `A field with the code ${name} already exists.`);
    }
    const id = store.nextId('userfield');
    const label = typeof fields.LABEL === 'string' ? fields.LABEL : typeof fields.EDIT_FORM_LABEL === 'string' ? fields.EDIT_FORM_LABEL : name;
    store.put('userfield', {
      ID: id,
      ENTITY_ID: def.ufEntityId,
      FIELD_NAME: name,
      USER_TYPE_ID: type,
      MULTIPLE: String(fields.MULTIPLE ?? 'N').toUpperCase() === 'Y' ? 'Y' : 'N',
      MANDATORY: String(fields.MANDATORY ?? 'N').toUpperCase() === 'Y' ? 'Y' : 'N',
      XML_ID: fields.XML_ID === undefined ? null : String(fields.XML_ID),
      LABEL: label,
    });
    return id;
  });

  registry.add('crm', `${prefix}.userfield.list`, (_params, ctx) =>
    ctx.portal.crm.userFields(def).map((f) => ({
      ID: String(f.ID),
      ENTITY_ID: f.ENTITY_ID,
      FIELD_NAME: f.FIELD_NAME,
      USER_TYPE_ID: f.USER_TYPE_ID,
      XML_ID: f.XML_ID,
      SORT: '100',
      MULTIPLE: f.MULTIPLE,
      MANDATORY: f.MANDATORY,
      SHOW_FILTER: 'N',
      SHOW_IN_LIST: 'Y',
      EDIT_IN_LIST: 'Y',
      IS_SEARCHABLE: 'N',
      SETTINGS: [],
    })),
  );
}
