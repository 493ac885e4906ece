import { nowSeconds } from '../clock.js';
import { Listed, type MethodRegistry } from '../context.js';
import { CRM_ENTITIES } from '../entities.js';
import { RestError } from '../errors.js';
import { matches, paginate, parseFilter, parseOrder, sortRows, type ColumnResolver } from '../list-query.js';
import { isPlainRecord, pick } from '../params.js';
import type { Row } from '../store.js';

const OWNER_TYPES = new Set(['lead', 'deal', 'contact', 'company']);

/** `crm.timeline.comment.add|list|get|delete`. */
export function registerTimelineMethods(registry: MethodRegistry): void {
  registry.add('crm', 'crm.timeline.comment.add', (params, ctx) => {
    // Only lower-case `fields` has been read since crm 23.100.0.
    const fields = params.fields;
    if (!isPlainRecord(fields)) throw new RestError(400, 'INVALID_ARG_VALUE', 'Parameter fields must be array.');
    const entityType = String(fields.ENTITY_TYPE ?? '').toLowerCase();
    const entityId = Number(fields.ENTITY_ID);
    const comment = String(fields.COMMENT ?? '').trim();
    if (!OWNER_TYPES.has(entityType) || !Number.isInteger(entityId) || entityId <= 0) {
      throw new RestError(400, 'OWNER_NOT_FOUND', 'Owner not found.');
    }
    const def = CRM_ENTITIES[entityType as keyof typeof CRM_ENTITIES];
    if (!ctx.portal.crm.get(def, entityId)) throw new RestError(400, 'OWNER_NOT_FOUND', 'Owner not found.');
    if (comment === '') throw new RestError(400, 'INVALID_ARG_VALUE', 'Empty comment message.');
    const files = Array.isArray(fields.FILES) ? fields.FILES.filter(Array.isArray).map((f) => String((f as unknown[])[0] ?? 'file')) : [];
    const id = ctx.portal.store.nextId('timeline_comment');
    ctx.portal.store.put('timeline_comment', {
      ID: id,
      CREATED: nowSeconds(),
      ENTITY_ID: entityId,
      ENTITY_TYPE: entityType,
      AUTHOR_ID: ctx.userId,
      COMMENT: comment,
      FILES: files,
    });
    ctx.portal.events.emit('ONCRMTIMELINECOMMENTADD', { ID: id });
    return id;
  });

  const columns: ColumnResolver = (name) => {
    const key = name.toUpperCase();
    if (key === 'ID' || key === 'ENTITY_ID' || key === 'AUTHOR_ID') return { type: 'integer', get: (row) => row[key] };
    if (key === 'CREATED') return { type: 'datetime', get: (row) => row.CREATED };
    if (key === 'ENTITY_TYPE' || key === 'COMMENT') return { type: 'text', get: (row) => row[key] };
    return undefined;
  };

  registry.add('crm', 'crm.timeline.comment.list', (params, ctx) => {
    const clock = ctx.portal.clock;
    const filter = parseFilter(pick(params, 'filter'), columns, clock, { strict: false, nested: false });
    const rows = ctx.portal.store.all('timeline_comment').filter((row) => matches(filter, row, clock));
    const order = parseOrder(pick(params, 'order'), columns);
    sortRows(rows, order.length > 0 ? order : [{ column: columns('ID')!, descending: false }], clock);
    const page = paginate(rows, ctx.start, 'legacy');
    return new Listed(page.rows.map((row) => commentView(row, clock.iso.bind(clock))), page.total, page.next);
  });

  registry.add('crm', 'crm.timeline.comment.get', (params, ctx) => {
    const row = ctx.portal.store.get('timeline_comment', Number(pick(params, 'id')));
    if (!row) throw new RestError(400, 'NOT_FOUND', 'Not found.');
    return commentView(row, ctx.portal.clock.iso.bind(ctx.portal.clock));
  });

  registry.add('crm', 'crm.timeline.comment.delete', (params, ctx) => {
    const id = Number(pick(params, 'id'));
    if (!ctx.portal.store.remove('timeline_comment', id)) throw new RestError(400, 'NOT_FOUND', 'Not found.');
    ctx.portal.events.emit('ONCRMTIMELINECOMMENTDELETE', { ID: id });
    return true;
  });
}

function commentView(row: Row, iso: (ms: number) => string): Record<string, unknown> {
  return {
    ID: String(row.ID),
    CREATED: iso(row.CREATED as number),
    ENTITY_ID: String(row.ENTITY_ID),
    ENTITY_TYPE: row.ENTITY_TYPE,
    AUTHOR_ID: String(row.AUTHOR_ID),
    COMMENT: row.COMMENT,
    ...((row.FILES as string[]).length > 0 ? { FILES: Object.fromEntries((row.FILES as string[]).map((name, i) => [String(i + 1), { id: i + 1, name }])) } : {}),
  };
}
