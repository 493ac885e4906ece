import type { IntegrationContext } from '../../../platform/context.js';
import type { LinkedEntityType } from '../../../store/external-links.js';
import type { Bitrix24Settings } from '../settings.js';
import { Bitrix24Error } from '../transport/client.js';
import type { Bitrix24Transport } from '../transport/client.js';

/** A record read fresh from the portal; null when it is gone (deleted). */
export async function fetchRecord<T>(transport: Bitrix24Transport, method: string, id: string, signal?: AbortSignal): Promise<T | null> {
  try {
    return (await transport.call<T>(method, { id }, { signal })).result;
  } catch (error) {
    // The old crm.* methods say «Not found» with an empty error code (HTTP 400).
    if (error instanceof Bitrix24Error && error.kind === 'call' && /not found|не найден/i.test(error.message)) return null;
    throw error;
  }
}

/** Bitrix24 dates (`2026-12-01T10:00:00+03:00`) as milliseconds, for «which is newer». */
export function modifiedAt(value: unknown): number | null {
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  return Number.isFinite(ms) ? ms : null;
}

/** Unlinks our entity from a record deleted in Bitrix24; the entity itself stays. */
export async function unlink(context: IntegrationContext<Bitrix24Settings>, entity: { entityType: LinkedEntityType; entityId: number }, kind: string): Promise<void> {
  await context.transaction((trx) => context.stores.links.set(trx, { ...entity, system: context.name, kind, externalId: null }, new Date().toISOString()));
}
