import type { ExternalIds } from '../types';

/** The id of a record in another system (`ids.crm.contact`), or '' when it has none. */
export function externalId(ids: ExternalIds, system: string, kind: string): string {
  return ids[system]?.[kind] ?? '';
}

/** A PATCH body that sets (or, when empty, removes) ids of one system: `{ contact: '417', lead: '' }`. */
export function externalIdsPatch(system: string, values: Record<string, string>): { externalIds: Record<string, Record<string, string | null>> } {
  return { externalIds: { [system]: Object.fromEntries(Object.entries(values).map(([kind, value]) => [kind, value.trim() || null])) } };
}
