import { Listed, type MethodRegistry } from '../context.js';
import { semanticsOf } from '../crm-service.js';
import { RestError } from '../errors.js';
import { matches, parseFilter, parseOrder, sortRows, type ColumnResolver } from '../list-query.js';
import { isPlainRecord, pick } from '../params.js';
import type { Portal } from '../portal.js';
import { DEFAULT_CATEGORY_NAME } from '../seed.js';
import type { Row } from '../store.js';

const SEMANTIC_WORD = { P: 'process', S: 'success', F: 'failure' } as const;

function statusView(row: Row): Record<string, unknown> {
  const semantics = semanticsOf(row);
  const word = row.ENTITY_ID === 'DEAL_STAGE' && row.STATUS_ID === 'APOLOGY' ? 'apology' : SEMANTIC_WORD[semantics];
  const isStage = String(row.ENTITY_ID).startsWith('DEAL_STAGE') || row.ENTITY_ID === 'STATUS';
  return {
    ID: String(row.ID),
    ENTITY_ID: row.ENTITY_ID,
    STATUS_ID: row.STATUS_ID,
    NAME: row.NAME,
    NAME_INIT: row.SYSTEM === 'Y' ? row.NAME_INIT : '',
    SORT: String(row.SORT),
    SYSTEM: row.SYSTEM,
    CATEGORY_ID: row.CATEGORY_ID === null ? null : String(row.CATEGORY_ID),
    COLOR: row.COLOR,
    SEMANTICS: row.SEMANTICS,
    ...(isStage ? { EXTRA: { SEMANTICS: word, COLOR: row.COLOR } } : {}),
  };
}

const statusColumns: ColumnResolver = (name) => {
  const key = name.toUpperCase();
  if (key === 'ID' || key === 'SORT' || key === 'CATEGORY_ID') return { type: 'integer', get: (row) => row[key] };
  if (['ENTITY_ID', 'STATUS_ID', 'NAME', 'NAME_INIT', 'SYSTEM', 'COLOR', 'SEMANTICS'].includes(key)) return { type: 'text', get: (row) => row[key] };
  return undefined;
};

function categories(portal: Portal): Row[] {
  return portal.store.all('category').sort((a, b) => (a.SORT as number) - (b.SORT as number) || (a.ID as number) - (b.ID as number));
}

function categoryView(row: Row | undefined): Record<string, unknown> {
  if (!row) return { id: 0, name: DEFAULT_CATEGORY_NAME, sort: 300, entityTypeId: 2, isDefault: 'Y' };
  return { id: row.ID, name: row.NAME, sort: row.SORT, entityTypeId: 2, isDefault: 'N', originId: '', originatorId: '' };
}

/** Dictionaries, funnels and their stages: `crm.status.*`, `crm.category.*`, `crm.dealcategory.*`. */
export function registerStatusMethods(registry: MethodRegistry): void {
  registry.add('crm', 'crm.status.list', (params, ctx) => {
    const clock = ctx.portal.clock;
    const filter = parseFilter(pick(params, 'filter'), statusColumns, clock, { strict: false, nested: false });
    const rows = ctx.portal.store.all('status').filter((row) => matches(filter, row, clock));
    const order = parseOrder(pick(params, 'order'), statusColumns);
    sortRows(rows, order.length > 0 ? order : [{ column: statusColumns('SORT')!, descending: false }], clock);
    return new Listed(rows.map(statusView), rows.length);
  });

  // A manager removes a stage or a dictionary entry; system ones only with FORCED, as on the portal.
  registry.add('crm', 'crm.status.delete', (params, ctx) => {
    const id = ctx.portal.crm.requireId(pick(params, 'id'));
    const row = ctx.portal.store.get('status', id);
    if (!row) throw new RestError(400, 'ERROR_CORE', 'Not found');
    const forced = pick(params, 'params');
    if (row.SYSTEM === 'Y' && !(isPlainRecord(forced) && String(forced.FORCED).toUpperCase() === 'Y')) {
      throw new RestError(400, 'ERROR_CORE', 'Cannot delete a system status without FORCED');
    }
    ctx.portal.store.remove('status', id);
    ctx.portal.store.changed();
    return true;
  });

  registry.add('crm', 'crm.status.entity.items', (params, ctx) => {
    const entityId = String(pick(params, 'entityId') ?? '');
    return ctx.portal.crm.statusList(entityId).map((row) => ({ NAME: row.NAME, SORT: row.SORT, STATUS_ID: row.STATUS_ID }));
  });

  registry.add('crm', 'crm.status.entity.types', (_params, ctx) => {
    const base = [
      { ID: 'STATUS', NAME: 'Статусы', SEMANTIC_INFO: { START_FIELD: 'NEW', FINAL_SUCCESS_FIELD: 'CONVERTED', FINAL_UNSUCCESS_FIELD: 'JUNK', FINAL_SORT: 0 }, ENTITY_TYPE_ID: 1 },
      { ID: 'SOURCE', NAME: 'Источники' },
      { ID: 'CONTACT_TYPE', NAME: 'Тип контакта' },
      { ID: 'COMPANY_TYPE', NAME: 'Тип компании' },
      { ID: 'EMPLOYEES', NAME: 'Кол-во сотрудников' },
      { ID: 'INDUSTRY', NAME: 'Сфера деятельности' },
      { ID: 'DEAL_TYPE', NAME: 'Тип сделки' },
      { ID: 'HONORIFIC', NAME: 'Обращения' },
      { ID: 'DEAL_STAGE', NAME: `Стадии сделки (${DEFAULT_CATEGORY_NAME})`, SEMANTIC_INFO: { START_FIELD: 'NEW', FINAL_SUCCESS_FIELD: 'WON', FINAL_UNSUCCESS_FIELD: 'LOSE', FINAL_SORT: 0 }, PREFIX: '', FIELD_ATTRIBUTE_SCOPE: '', ENTITY_TYPE_ID: 2, IS_ENABLED: true, CATEGORY_ID: 0 },
    ];
    const funnels = categories(ctx.portal).map((c) => ({
      ID: `DEAL_STAGE_${String(c.ID)}`,
      NAME: `Стадии сделки (${String(c.NAME)})`,
      PARENT_ID: 'DEAL_STAGE',
      SEMANTIC_INFO: { START_FIELD: `C${String(c.ID)}:NEW`, FINAL_SUCCESS_FIELD: `C${String(c.ID)}:WON`, FINAL_UNSUCCESS_FIELD: `C${String(c.ID)}:LOSE`, FINAL_SORT: 0 },
      PREFIX: `C${String(c.ID)}`,
      FIELD_ATTRIBUTE_SCOPE: `category_${String(c.ID)}`,
      ENTITY_TYPE_ID: 2,
      IS_ENABLED: true,
      CATEGORY_ID: c.ID,
    }));
    return [...base, ...funnels];
  });

  registry.add('crm', 'crm.category.list', (params, ctx) => {
    const entityTypeId = Number(pick(params, 'entityTypeId'));
    if (entityTypeId !== 2) {
      if ([1, 3, 4].includes(entityTypeId)) return new Listed({ categories: [] }, 0);
      throw new RestError(400, 'NOT_FOUND', 'SPA not found');
    }
    const list = [categoryView(undefined), ...categories(ctx.portal).map(categoryView)];
    list.sort((a, b) => (a.sort as number) - (b.sort as number));
    return new Listed({ categories: list }, list.length);
  });

  registry.add('crm', 'crm.category.get', (params, ctx) => {
    const id = Number(pick(params, 'id'));
    if (Number(pick(params, 'entityTypeId')) !== 2) throw new RestError(400, 'NOT_FOUND', 'SPA not found');
    if (id === 0) return { category: categoryView(undefined) };
    const row = ctx.portal.store.get('category', id);
    if (!row) throw new RestError(400, 'NOT_FOUND', 'Category not found');
    return { category: categoryView(row) };
  });

  registry.add('crm', 'crm.dealcategory.list', (_params, ctx) => {
    const rows = categories(ctx.portal).map((c) => ({
      ID: String(c.ID),
      CREATED_DATE: ctx.portal.clock.iso(c.CREATED_DATE as number),
      NAME: c.NAME,
      IS_LOCKED: c.IS_LOCKED,
      SORT: String(c.SORT),
    }));
    return new Listed(rows, rows.length);
  });

  registry.add('crm', 'crm.dealcategory.stage.list', (params, ctx) => {
    const id = Number(pick(params, 'id') ?? 0);
    if (id > 0 && !ctx.portal.store.get('category', id)) return [];
    return ctx.portal.crm.statusList(id > 0 ? `DEAL_STAGE_${id}` : 'DEAL_STAGE').map((row) => ({
      NAME: row.NAME,
      SORT: String(row.SORT),
      STATUS_ID: row.STATUS_ID,
    }));
  });

  registry.add('crm', 'crm.settings.mode.get', (_params, ctx) => (ctx.portal.crmMode === 'simple' ? 2 : 1));
}
