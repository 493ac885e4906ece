import { MULTIFIELD_VALUE_TYPES } from './entities.js';
import { RestError } from './errors.js';
import { asList, isPlainRecord } from './params.js';

export interface MultiValue {
  ID: number;
  VALUE_TYPE: string;
  VALUE: string;
}

export type MultiFields = Record<string, MultiValue[]>;

export interface MultiOp {
  typeId: string;
  id?: number;
  delete: boolean;
  value: string | undefined;
  valueType: string | undefined;
}

const MAX_VALUE_LENGTH = 250;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const TYPE_TITLES: Record<string, string> = { PHONE: 'Phone', EMAIL: 'E-mail', WEB: 'Website', IM: 'Messenger', LINK: 'Link' };

/**
 * Reads `PHONE: [{VALUE, VALUE_TYPE}, {ID, DELETE:'Y'}, …]` (a list, or a map such as
 * `{n0: {…}}`) into operations. Items without ID append; with ID they change the entry, and
 * `DELETE:'Y'`, an empty or missing VALUE delete it.
 */
export function readMultiOps(typeId: string, raw: unknown): MultiOp[] {
  const items = asList(raw);
  if (!items) return [];
  const ops: MultiOp[] = [];
  for (const item of items) {
    if (!isPlainRecord(item)) continue;
    const idRaw = item.ID ?? item.id;
    const id = idRaw === undefined || idRaw === '' ? undefined : Number(idRaw);
    const value = item.VALUE ?? item.value;
    const valueType = item.VALUE_TYPE ?? item.valueType;
    const deleteFlag = String(item.DELETE ?? '').toUpperCase() === 'Y';
    ops.push({
      typeId,
      id: id !== undefined && Number.isInteger(id) ? id : undefined,
      delete: deleteFlag,
      value: value === undefined || value === null ? undefined : String(value).trim(),
      valueType: valueType === undefined || valueType === null || valueType === '' ? undefined : String(valueType).toUpperCase(),
    });
  }
  return ops;
}

/** Rejects what the portal's multifield validation rejects, before anything is written. */
export function validateMultiOps(ops: MultiOp[]): void {
  for (const op of ops) {
    const deleting = op.id !== undefined && (op.delete || !op.value);
    if (deleting || (op.id === undefined && !op.value)) continue;
    const title = TYPE_TITLES[op.typeId] ?? op.typeId;
    const allowed = MULTIFIELD_VALUE_TYPES[op.typeId] ?? [];
    if (op.valueType !== undefined && !allowed.includes(op.valueType)) {
      throw new RestError(400, 'ERROR_CORE', `The field "${title}" has an invalid type "${op.valueType}".`);
    }
    const value = op.value ?? '';
    if (value.length > MAX_VALUE_LENGTH) {
      throw new RestError(400, 'ERROR_CORE', `The field "${title}" value exceeds the maximum length of ${MAX_VALUE_LENGTH} characters.`);
    }
    if (op.typeId === 'EMAIL' && !EMAIL_PATTERN.test(value)) {
      throw new RestError(400, 'ERROR_CORE', `The field ${valueTypeTitle(op.valueType ?? 'WORK')} e-mail contains an invalid address`);
    }
  }
}

function valueTypeTitle(valueType: string): string {
  return { WORK: 'Work', HOME: 'Personal', MAILING: 'Newsletter', OTHER: 'Other' }[valueType] ?? valueType;
}

/** Applies validated operations; values not mentioned stay as they are. */
export function applyMultiOps(current: MultiFields, ops: MultiOp[], nextId: () => number): MultiFields {
  const result: MultiFields = {};
  for (const [typeId, values] of Object.entries(current)) result[typeId] = values.map((v) => ({ ...v }));
  for (const op of ops) {
    const list = (result[op.typeId] ??= []);
    if (op.id !== undefined) {
      const index = list.findIndex((v) => v.ID === op.id);
      if (index < 0) continue;
      if (op.delete || !op.value) list.splice(index, 1);
      else list[index] = { ID: op.id, VALUE: op.value, VALUE_TYPE: op.valueType ?? list[index]!.VALUE_TYPE };
      continue;
    }
    if (!op.value) continue;
    list.push({ ID: nextId(), VALUE: op.value, VALUE_TYPE: op.valueType ?? 'WORK' });
  }
  for (const typeId of Object.keys(result)) if (result[typeId]!.length === 0) delete result[typeId];
  return result;
}

/** `crm.duplicate.findbycomm`'s phone normalization (NormalizePhone in the main module). */
export function normalizePhone(raw: string): string {
  let phone = raw.trim();
  if (phone.startsWith('+8') && phone.length >= 10) phone = '00' + phone.slice(2);
  phone = phone.replace(/[^0-9#*,;]/g, '');
  phone = phone.replace(/[#;].*$/, '');
  if (phone.replace(/\D/g, '').length >= 10) {
    if (phone.startsWith('00')) phone = phone.slice(2);
    else if (phone.startsWith('011')) phone = phone.slice(3);
    else if (phone.startsWith('8') && !/^8[012]/.test(phone)) phone = '7' + phone.slice(1);
    else if (phone.startsWith('0')) phone = phone.slice(1);
  }
  return phone;
}

export function normalizeEmail(raw: string): string {
  return raw.trim().toLowerCase();
}
