import type { LinkedEntityType } from '../../../store/external-links.js';

/**
 * Every record printsync makes in Bitrix24 carries `ORIGINATOR_ID` = `printsync` and an
 * `ORIGIN_ID` naming our entity, so a create whose answer was lost is found again instead of
 * made twice, and a manager can tell where a deal came from.
 */
export const ORIGINATOR_ID = 'printsync';

export function originId(entityType: LinkedEntityType, entityId: number): string {
  return `${entityType}-${entityId}`;
}

/** `order-12` → { order, 12 }; null for another system's origin ids. */
export function parseOriginId(value: unknown): { entityType: string; entityId: number } | null {
  const match = typeof value === 'string' ? /^([a-z]+)-(\d+)$/.exec(value) : null;
  return match ? { entityType: match[1]!, entityId: Number(match[2]) } : null;
}
