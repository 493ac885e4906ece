import type { IntegrationContext } from '../../../platform/context.js';
import type { LinkedEntityType } from '../../../store/external-links.js';
import type { Bitrix24Settings } from '../settings.js';
import { BATCH_LIMIT, Bitrix24Error } from '../transport/client.js';
import type { Bitrix24Transport } from '../transport/client.js';

/** The old crm.* methods say «Not found» with an empty error code (HTTP 400). */
const isNotFound = (error: unknown) => error instanceof Bitrix24Error && error.kind === 'call' && /not found|не найден/i.test(error.message);

/** A record read fresh from the portal; null when it is gone (deleted). */
export async function fetchRecord<T>(transport: Bitrix24Transport, method: string, id: string, signal?: AbortSignal): Promise<T | null> {
  try {
    return (await transport.call<T>(method, { id }, { signal })).result;
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

/** What one read of several records gave: each record (null: deleted), or why it could not be read. */
export interface RecordsRead<T> {
  records: Map<string, T | null>;
  errors: Map<string, unknown>;
}

/**
 * Records of one kind read fresh in as few requests as the portal allows: one `get` for a single
 * record, one `batch` of up to 50 `get` commands for more (one slot of the rate limit either way,
 * paced by the transport). A record that failed to read is in `errors`; the others still count.
 */
export async function fetchRecords<T>(transport: Bitrix24Transport, method: string, ids: readonly string[], signal?: AbortSignal): Promise<RecordsRead<T>> {
  const out: RecordsRead<T> = { records: new Map(), errors: new Map() };
  if (ids.length === 1) {
    out.records.set(ids[0]!, await fetchRecord<T>(transport, method, ids[0]!, signal));
    return out;
  }
  for (let at = 0; at < ids.length; at += BATCH_LIMIT) {
    const chunk = ids.slice(at, at + BATCH_LIMIT);
    const answer = await transport.batch(chunk.map((id) => ({ name: `r${id}`, method, params: { id } })), { signal });
    for (const id of chunk) {
      const error = answer.errors.get(`r${id}`);
      const result = answer.results.get(`r${id}`);
      // Only «not found» means deleted: a command with neither a result nor an error is read again later.
      if (error === undefined && result !== undefined && result !== null) out.records.set(id, result as T);
      else if (isNotFound(error)) out.records.set(id, null);
      else out.errors.set(id, error ?? new Error(`${method}: no result for ${id} in the batch`));
    }
  }
  return out;
}

/** Bitrix24 dates (`2026-12-01T10:00:00+03:00`) as milliseconds, for «which is newer». */
export function modifiedAt(value: unknown): number | null {
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  return Number.isFinite(ms) ? ms : null;
}

/** A record's DATE_MODIFY older than the one last applied to our entity: never applied over it (B24-16). */
export function olderThanApplied(modified: number | null, appliedModify: unknown): boolean {
  return modified !== null && typeof appliedModify === 'number' && modified < appliedModify;
}

/** Unlinks our entity from a record deleted in Bitrix24; the entity itself stays. */
export async function unlink(context: IntegrationContext<Bitrix24Settings>, entity: { entityType: LinkedEntityType; entityId: number }, kind: string): Promise<void> {
  await context.transaction((trx) => context.stores.links.set(trx, { ...entity, system: context.name, kind, externalId: null }, new Date().toISOString()));
}
