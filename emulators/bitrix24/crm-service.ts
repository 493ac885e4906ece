import { nowSeconds, type PortalClock } from './clock.js';
import { CURRENCIES, DEAL, type EntityDef, type FieldDef } from './entities.js';
import { errors, legacyError, RestError } from './errors.js';
import type { EventDispatcher } from './events.js';
import { applyMultiOps, readMultiOps, validateMultiOps, type MultiFields, type MultiOp } from './multifields.js';
import { isPlainRecord } from './params.js';
import type { Row, Store } from './store.js';
import { SKIP, internalize } from './values.js';

export interface UserFieldDef {
  ID: number;
  ENTITY_ID: string;
  FIELD_NAME: string;
  USER_TYPE_ID: string;
  MULTIPLE: 'Y' | 'N';
  MANDATORY: 'Y' | 'N';
  XML_ID: string | null;
  LABEL: string;
}

export interface WriteOptions {
  /** crm.item.update may move a deal to another funnel; crm.deal.update may not. */
  allowCategoryChange?: boolean;
}

export interface StageInfo {
  statusId: string;
  semantics: 'P' | 'S' | 'F';
}

const DAY_MS = 86_400_000;

/**
 * Entity rules of the portal, shared by REST methods and the manager's admin actions: defaults,
 * silent drops, derived fields, multifields, bindings, and an outgoing event after each change.
 */
export class CrmService {
  constructor(
    private readonly store: Store,
    private readonly clock: PortalClock,
    private readonly events: EventDispatcher,
  ) {}

  get(def: EntityDef, id: number): Row | undefined {
    return this.store.get(def.table, id);
  }

  requireId(raw: unknown): number {
    const id = Number(raw);
    if (raw === undefined || raw === null || raw === '' || !Number.isInteger(id) || id <= 0) throw errors.invalidId();
    return id;
  }

  userFields(def: EntityDef): UserFieldDef[] {
    if (!def.ufEntityId) return [];
    return this.store.all('userfield').filter((f) => f.ENTITY_ID === def.ufEntityId) as unknown as UserFieldDef[];
  }

  add(def: EntityDef, input: unknown, actorId: number): number {
    if (!isPlainRecord(input)) throw errors.fieldsNotArray();
    const now = nowSeconds();
    const { changes, multiOps } = this.prepare(def, input, undefined, {});
    const row: Row = { ...this.defaults(def, actorId, now), ...changes };
    this.derive(def, row, changes, undefined, actorId, now);
    this.checkRequired(def, row);
    const id = this.store.nextId(def.table);
    row.ID = id;
    if (def.multifields.length > 0) row.FM = applyMultiOps({}, multiOps, () => this.store.nextId('multifield'));
    this.finish(def, row, id);
    this.store.put(def.table, row);
    this.emit(def, 'ADD', id);
    return id;
  }

  update(def: EntityDef, id: number, input: unknown, actorId: number, options: WriteOptions = {}): void {
    const existing = this.get(def, id);
    if (!existing) throw errors.notFound();
    if (!isPlainRecord(input)) throw errors.fieldsNotArray();
    const now = nowSeconds();
    const { changes, multiOps } = this.prepare(def, input, existing, options);
    const row: Row = { ...existing, ...changes, ID: id };
    const movedCategory = def === DEAL && row.CATEGORY_ID !== existing.CATEGORY_ID;
    this.derive(def, row, changes, existing, actorId, now);
    if (def.multifields.length > 0) row.FM = applyMultiOps((existing.FM as MultiFields) ?? {}, multiOps, () => this.store.nextId('multifield'));
    row.DATE_MODIFY = now;
    row[def.key === 'product' ? 'MODIFIED_BY' : 'MODIFY_BY_ID'] = actorId;
    if (def.key === 'product') row.TIMESTAMP_X = now;
    this.finish(def, row, id);
    this.store.put(def.table, row);
    if (movedCategory) {
      this.events.emit('ONCRMDEALMOVETOCATEGORY', { ID: id, CATEGORY_ID: row.CATEGORY_ID as number, STAGE_ID: row.STAGE_ID as string });
    }
    this.emit(def, 'UPDATE', id);
  }

  remove(def: EntityDef, id: number): void {
    if (!this.get(def, id)) throw errors.notFound();
    this.store.remove(def.table, id);
    this.unbind(def, id);
    this.emit(def, 'DELETE', id);
  }

  emit(def: EntityDef, action: 'ADD' | 'UPDATE' | 'DELETE', id: number): void {
    this.events.emit(`ONCRM${def.eventStem}${action}`, { ID: id });
  }

  /** Reads `fields` into stored values, dropping unknown, read-only and unreadable keys. */
  private prepare(def: EntityDef, input: Record<string, unknown>, existing: Row | undefined, options: WriteOptions): { changes: Row; multiOps: MultiOp[] } {
    const changes: Row = {};
    const multiOps: MultiOp[] = [];
    const userFields = new Map(this.userFields(def).map((f) => [f.FIELD_NAME, f]));
    for (const [rawKey, raw] of Object.entries(input)) {
      const key = rawKey.toUpperCase();
      if (def.multifields.includes(key)) {
        multiOps.push(...readMultiOps(key, raw));
        continue;
      }
      const userField = userFields.get(key);
      if (userField) {
        changes[key] = internalizeUserField(userField, raw);
        continue;
      }
      const field = def.fields[key];
      if (!field || field.readOnly || field.type === 'crm_multifield') continue;
      if (field.immutable && existing && !options.allowCategoryChange) continue;
      const value = internalize(field, raw, this.clock);
      if (value === SKIP) continue;
      if (!this.acceptable(field, value)) {
        if (field.type === 'crm_currency') throw legacyError(`Invalid value for the "Currency" field`);
        continue;
      }
      changes[key] = value;
    }
    validateMultiOps(multiOps);
    return { changes, multiOps };
  }

  /** Enum-like values must exist on the portal; an unknown one is silently ignored. */
  private acceptable(field: FieldDef, value: unknown): boolean {
    if (value === null) return true;
    if (field.type === 'crm_currency') return (CURRENCIES as readonly string[]).includes(String(value));
    if (field.type === 'crm_status' && field.statusType && !['DEAL_STAGE', 'STATUS'].includes(field.statusType)) {
      return this.store.all('status').some((s) => s.ENTITY_ID === field.statusType && s.STATUS_ID === value);
    }
    if (field.type === 'user') return this.store.get('user', value as number) !== undefined;
    if (field.type === 'crm_category') return value === 0 || this.store.get('category', value as number) !== undefined;
    return true;
  }

  private defaults(def: EntityDef, actorId: number, now: number): Row {
    const common = { DATE_CREATE: now, DATE_MODIFY: now, OPENED: 'Y' };
    switch (def.key) {
      case 'deal':
        return {
          ...common,
          TYPE_ID: 'SALE', CATEGORY_ID: 0, PROBABILITY: null, CURRENCY_ID: 'RUB', OPPORTUNITY: 0, IS_MANUAL_OPPORTUNITY: 'N',
          TAX_VALUE: 0, BEGINDATE: this.clock.localMidnight(now), CLOSEDATE: this.clock.localMidnight(now + 7 * DAY_MS),
          ASSIGNED_BY_ID: actorId, CREATED_BY_ID: actorId, MODIFY_BY_ID: actorId, CLOSED: 'N', IS_RECURRING: 'N',
          IS_RETURN_CUSTOMER: 'N', IS_REPEATED_APPROACH: 'N', CONTACT_IDS: [], MOVED_BY_ID: actorId, MOVED_TIME: now,
          LAST_ACTIVITY_TIME: now, LAST_ACTIVITY_BY: actorId,
        };
      case 'contact':
        return {
          ...common, TYPE_ID: 'CLIENT', EXPORT: 'Y', ASSIGNED_BY_ID: actorId, CREATED_BY_ID: actorId, MODIFY_BY_ID: actorId,
          COMPANY_IDS: [], HAS_IMOL: 'N', LAST_ACTIVITY_TIME: now, LAST_ACTIVITY_BY: actorId,
        };
      case 'company':
        return {
          ...common, COMPANY_TYPE: 'CUSTOMER', CURRENCY_ID: 'RUB', REVENUE: null, IS_MY_COMPANY: 'N', ASSIGNED_BY_ID: actorId,
          CREATED_BY_ID: actorId, MODIFY_BY_ID: actorId, HAS_IMOL: 'N', LAST_ACTIVITY_TIME: now, LAST_ACTIVITY_BY: actorId,
        };
      case 'lead':
        return {
          ...common, STATUS_ID: 'NEW', CURRENCY_ID: 'RUB', OPPORTUNITY: 0, IS_MANUAL_OPPORTUNITY: 'N', ASSIGNED_BY_ID: actorId,
          CREATED_BY_ID: actorId, MODIFY_BY_ID: actorId, MOVED_BY_ID: actorId, MOVED_TIME: now, CONTACT_IDS: [], HAS_IMOL: 'N',
          LAST_ACTIVITY_TIME: now, LAST_ACTIVITY_BY: actorId,
        };
      case 'product':
        return {
          DATE_CREATE: now, TIMESTAMP_X: now, CREATED_BY: actorId, MODIFIED_BY: actorId, ACTIVE: 'Y', CURRENCY_ID: 'RUB',
          PRICE: 0, SORT: 500, CATALOG_ID: 25, VAT_INCLUDED: 'N', DESCRIPTION_TYPE: 'text', SECTION_ID: null, MEASURE: 5,
        };
    }
  }

  private checkRequired(def: EntityDef, row: Row): void {
    if (def.key === 'product' && !row.NAME) throw new RestError(400, 'ERROR_CORE', 'The "Name" field is required.');
    if (def.key === 'company' && !row.TITLE) throw legacyError('The "Company name" field is required.');
  }

  /** Fields the portal computes: stage semantics, primary bindings, return-customer flags. */
  private derive(def: EntityDef, row: Row, changes: Row, existing: Row | undefined, actorId: number, now: number): void {
    if (def.key === 'deal') {
      if (!('CONTACT_IDS' in changes) && 'CONTACT_ID' in changes) {
        row.CONTACT_IDS = changes.CONTACT_ID === null ? [] : [changes.CONTACT_ID];
      }
      row.CONTACT_IDS = ((row.CONTACT_IDS as number[]) ?? []).filter((id) => this.store.get('contact', id));
      row.CONTACT_ID = (row.CONTACT_IDS as number[])[0] ?? null;
      const stage = this.resolveDealStage(row.CATEGORY_ID as number, row.STAGE_ID as string | undefined, existing);
      row.STAGE_ID = stage.statusId;
      row.STAGE_SEMANTIC_ID = stage.semantics;
      row.CLOSED = stage.semantics === 'P' ? 'N' : 'Y';
      row.IS_NEW = stage.statusId === this.stages(row.CATEGORY_ID as number)[0]?.statusId ? 'Y' : 'N';
      if (existing && existing.STAGE_ID !== row.STAGE_ID) {
        row.MOVED_TIME = now;
        row.MOVED_BY_ID = actorId;
      }
      if (row.COMPANY_ID !== null && row.COMPANY_ID !== undefined && !this.store.get('company', row.COMPANY_ID as number)) row.COMPANY_ID = null;
      row.OPPORTUNITY = this.dealAmount(row);
    }
    if (def.key === 'lead') {
      if (!('CONTACT_IDS' in changes) && 'CONTACT_ID' in changes) {
        row.CONTACT_IDS = changes.CONTACT_ID === null ? [] : [changes.CONTACT_ID];
      }
      row.CONTACT_IDS = ((row.CONTACT_IDS as number[]) ?? []).filter((id) => this.store.get('contact', id));
      row.CONTACT_ID = (row.CONTACT_IDS as number[])[0] ?? null;
      const statuses = this.statusList('STATUS');
      const status = statuses.find((s) => s.STATUS_ID === row.STATUS_ID) ?? (existing ? statuses.find((s) => s.STATUS_ID === existing.STATUS_ID) : undefined) ?? statuses[0]!;
      row.STATUS_ID = status.STATUS_ID;
      row.STATUS_SEMANTIC_ID = semanticsOf(status);
      row.DATE_CLOSED = row.STATUS_SEMANTIC_ID === 'P' ? null : (existing?.DATE_CLOSED ?? now);
      if (existing && existing.STATUS_ID !== row.STATUS_ID) {
        row.MOVED_TIME = now;
        row.MOVED_BY_ID = actorId;
      }
      row.IS_RETURN_CUSTOMER = row.CONTACT_ID || row.COMPANY_ID ? 'Y' : 'N';
    }
    if (def.key === 'contact') {
      if (!('COMPANY_IDS' in changes) && 'COMPANY_ID' in changes) {
        row.COMPANY_IDS = changes.COMPANY_ID === null ? [] : [changes.COMPANY_ID];
      }
      row.COMPANY_IDS = ((row.COMPANY_IDS as number[]) ?? []).filter((id) => this.store.get('company', id));
      row.COMPANY_ID = (row.COMPANY_IDS as number[])[0] ?? null;
      if (!row.NAME && !row.LAST_NAME) row.NAME = 'Без имени';
    }
  }

  private finish(def: EntityDef, row: Row, id: number): void {
    if (def.key === 'deal' && !row.TITLE) row.TITLE = `Сделка #${id}`;
    if (def.key === 'lead' && !row.TITLE) row.TITLE = `Лид #${id}`;
    if (def.multifields.length > 0) {
      const fm = (row.FM as MultiFields) ?? {};
      row.HAS_PHONE = fm.PHONE?.length ? 'Y' : 'N';
      row.HAS_EMAIL = fm.EMAIL?.length ? 'Y' : 'N';
    }
  }

  /** With IS_MANUAL_OPPORTUNITY=N and product rows, the amount is the rows' sum. */
  dealAmount(row: Row): number {
    const rows = (row.PRODUCT_ROWS as Row[] | undefined) ?? [];
    if (row.IS_MANUAL_OPPORTUNITY === 'Y' || rows.length === 0) return (row.OPPORTUNITY as number) ?? 0;
    return Math.round(rows.reduce((sum, r) => sum + (r.PRICE as number) * (r.QUANTITY as number), 0) * 100) / 100;
  }

  statusList(entityId: string): Row[] {
    return this.store
      .all('status')
      .filter((s) => s.ENTITY_ID === entityId)
      .sort((a, b) => (a.SORT as number) - (b.SORT as number));
  }

  stages(categoryId: number): StageInfo[] {
    return this.statusList(categoryId === 0 ? 'DEAL_STAGE' : `DEAL_STAGE_${categoryId}`).map((s) => ({
      statusId: s.STATUS_ID as string,
      semantics: semanticsOf(s),
    }));
  }

  /** A stage from another funnel (or an unknown one) is ignored: the deal keeps or gets a valid stage. */
  private resolveDealStage(categoryId: number, wanted: string | undefined, existing: Row | undefined): StageInfo {
    const stages = this.stages(categoryId);
    const match = stages.find((s) => s.statusId === wanted);
    if (match) return match;
    const kept = existing && existing.CATEGORY_ID === categoryId ? stages.find((s) => s.statusId === existing.STAGE_ID) : undefined;
    return kept ?? stages[0] ?? { statusId: categoryId === 0 ? 'NEW' : `C${categoryId}:NEW`, semantics: 'P' };
  }

  /** Deleting a contact or company silently drops the links to it, as the portal does. */
  private unbind(def: EntityDef, id: number): void {
    const touch = (table: string, patch: (row: Row) => boolean): void => {
      for (const row of this.store.table(table).values()) if (patch(row)) this.store.changed();
    };
    if (def.key === 'contact') {
      for (const table of ['deal', 'lead']) {
        touch(table, (row) => {
          const ids = row.CONTACT_IDS as number[];
          if (!ids.includes(id)) return false;
          row.CONTACT_IDS = ids.filter((c) => c !== id);
          row.CONTACT_ID = (row.CONTACT_IDS as number[])[0] ?? null;
          return true;
        });
      }
    }
    if (def.key === 'company') {
      for (const table of ['deal', 'lead']) {
        touch(table, (row) => {
          if (row.COMPANY_ID !== id) return false;
          row.COMPANY_ID = null;
          return true;
        });
      }
      touch('contact', (row) => {
        const ids = row.COMPANY_IDS as number[];
        if (!ids.includes(id)) return false;
        row.COMPANY_IDS = ids.filter((c) => c !== id);
        row.COMPANY_ID = (row.COMPANY_IDS as number[])[0] ?? null;
        return true;
      });
    }
    if (def.key === 'deal' || def.key === 'lead' || def.key === 'contact' || def.key === 'company') {
      for (const comment of this.store.all('timeline_comment')) {
        if (comment.ENTITY_TYPE === def.key && comment.ENTITY_ID === id) this.store.remove('timeline_comment', comment.ID as number);
      }
    }
  }
}

export function semanticsOf(status: Row): 'P' | 'S' | 'F' {
  return status.SEMANTICS === 'S' ? 'S' : status.SEMANTICS === 'F' ? 'F' : 'P';
}

function internalizeUserField(field: UserFieldDef, raw: unknown): unknown {
  const one = (value: unknown): unknown => {
    if (value === null || value === undefined || value === '') return null;
    if (field.USER_TYPE_ID === 'boolean') return ['1', 'Y', 'TRUE'].includes(String(value).toUpperCase()) ? 1 : 0;
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  };
  if (field.MULTIPLE === 'Y') return (Array.isArray(raw) ? raw : [raw]).map(one).filter((v) => v !== null);
  return one(Array.isArray(raw) ? raw[0] : raw);
}
