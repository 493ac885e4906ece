/**
 * Who caused a change: a staff member, an API client, printsync itself, or an integration.
 * Every write of orders and clients carries one; it is stored with the domain event and the
 * order's status history, and it is how an integration recognises — and ignores — the changes
 * it made itself (an edit that came from Bitrix24 is not exported straight back).
 */
export type Origin =
  /** A staff member in the admin panel (a session). */
  | { kind: 'user'; id: number; name: string }
  /** A program with an API token (the storefront, a script). */
  | { kind: 'token'; id: number; name: string }
  /** An integration acting on what its system said (an event, a reconciliation, an import). */
  | { kind: 'integration'; name: string; title: string }
  /** printsync itself: the CLI, the demo, a scheduled task of the core. */
  | { kind: 'system'; name: string };

export type OriginKind = Origin['kind'];

export const SYSTEM_ORIGIN: Origin = { kind: 'system', name: 'printsync' };

/** What a person reads in a status history: a staff member's or token's name, «Битрикс24», printsync. */
export function originLabel(origin: Origin): string {
  switch (origin.kind) {
    case 'user':
    case 'token':
    case 'system':
      return origin.name;
    case 'integration':
      return origin.title;
  }
}

/** True when `origin` is the integration named `integration`. */
export function isIntegrationOrigin(origin: Origin, integration: string): boolean {
  return origin.kind === 'integration' && origin.name === integration;
}

/** Reads an origin stored as JSON; rows written before origins existed (or unreadable) give null. */
export function parseOrigin(text: string | null): Origin | null {
  if (!text) return null;
  try {
    const value = JSON.parse(text) as Partial<Origin> | null;
    if (!value || typeof value !== 'object') return null;
    switch (value.kind) {
      case 'user':
      case 'token':
        return typeof value.id === 'number' && typeof value.name === 'string' ? { kind: value.kind, id: value.id, name: value.name } : null;
      case 'integration':
        return typeof value.name === 'string' && typeof value.title === 'string' ? { kind: 'integration', name: value.name, title: value.title } : null;
      case 'system':
        return typeof value.name === 'string' ? { kind: 'system', name: value.name } : null;
      default:
        return null;
    }
  } catch {
    return null;
  }
}
