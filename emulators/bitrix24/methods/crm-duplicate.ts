import type { MethodRegistry } from '../context.js';
import { CRM_ENTITIES } from '../entities.js';
import { legacyError, RestError } from '../errors.js';
import { normalizeEmail, normalizePhone, type MultiFields } from '../multifields.js';
import { pick } from '../params.js';

const MAX_VALUES = 20;
const MAX_MATCHES = 20;

/** `crm.duplicate.findbycomm`: matches on the portal's normalized index, not the stored strings. */
export function registerDuplicateMethods(registry: MethodRegistry): void {
  registry.add('crm', 'crm.duplicate.findbycomm', (params, ctx) => {
    const type = String(pick(params, 'type') ?? '').toUpperCase();
    if (type === '') throw legacyError('Communication type is not defined.');
    if (type !== 'PHONE' && type !== 'EMAIL') throw legacyError(`Communication type '${type}' is not supported in current context.`);
    const rawValues = pick(params, 'values');
    const list = Array.isArray(rawValues) ? rawValues : rawValues !== null && typeof rawValues === 'object' ? Object.values(rawValues) : undefined;
    if (!list || list.length === 0) throw legacyError('Communication values is not defined.');
    const normalize = type === 'PHONE' ? normalizePhone : normalizeEmail;
    const wanted = new Set(list.slice(0, MAX_VALUES).map((v) => normalize(String(v))).filter((v) => v !== ''));
    const entityType = String(pick(params, 'entity_type') ?? '').toUpperCase();
    const types = entityType ? [entityType] : ['LEAD', 'CONTACT', 'COMPANY'];
    const result: Record<string, number[]> = {};
    for (const key of types) {
      const def = CRM_ENTITIES[key.toLowerCase() as keyof typeof CRM_ENTITIES];
      if (!def || def.key === 'deal') throw new RestError(400, '', `Entity type '${key}' is not supported in current context.`);
      const ids: number[] = [];
      for (const row of ctx.portal.store.table(def.table).values()) {
        const values = ((row.FM as MultiFields | undefined) ?? {})[type] ?? [];
        if (values.some((v) => wanted.has(normalize(v.VALUE)))) ids.push(row.ID as number);
      }
      if (ids.length > 0) result[key] = ids.sort((a, b) => a - b).slice(0, MAX_MATCHES);
      // With 20 or more matches of one type the portal stops looking at the others.
      if (ids.length >= MAX_MATCHES) break;
    }
    return result;
  });
}
