import type { ExternalIds } from '../types';

/** Where the panel reads and writes the Bitrix24 ids of clients (the integration uses the same keys). */
export const BITRIX = 'bitrix24';

export function externalId(ids: ExternalIds, system: string, kind: string): string {
  return ids[system]?.[kind] ?? '';
}

/** A PATCH body that sets (or, when empty, removes) one external id. */
export function externalIdPatch(system: string, kind: string, value: string): { externalIds: Record<string, Record<string, string | null>> } {
  return { externalIds: { [system]: { [kind]: value.trim() || null } } };
}
