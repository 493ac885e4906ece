import type { IntegrationContext } from '../../../platform/context.js';
import type { InboundOutcome } from '../../../store/inbound-events.js';
import type { LinkedEntityType } from '../../../store/external-links.js';
import type { Bitrix24Settings } from '../settings.js';
import type { Bitrix24Transport } from '../transport/client.js';
import { companyApplier, contactApplier } from './clients.js';
import { dealApplier } from './deals.js';
import { leadApplier, productApplier } from './leads.js';

export const INBOUND_KINDS = ['deal', 'contact', 'company', 'lead', 'product'] as const;
export type InboundKind = (typeof INBOUND_KINDS)[number];

/** Our entity a Bitrix24 record is linked to. */
export interface LinkedEntity {
  entityType: LinkedEntityType;
  entityId: number;
}

/** What came of applying one record read from Bitrix24. */
export interface Applied {
  outcome: Exclude<InboundOutcome, 'failed'>;
  note: string;
  /** Our entity the record stands for, when there is one. */
  entity?: LinkedEntity;
}

/**
 * How one kind of record comes back (B24-11..15): where it is read (`get`, or a `list` page with
 * `select` — the fields `apply` needs), which of our entities it may be linked to, and how a
 * record read fresh is applied (null: deleted on the portal). Reading is the caller's, so a record
 * may come from a single get, a batch of gets or a reconciliation page, with the same checks.
 */
export interface RecordApplier<R = unknown> {
  get: string;
  list?: string;
  select: readonly string[];
  linkTypes: readonly LinkedEntityType[];
  /** The note of an event about a record printsync has no link for (settled without a request). */
  unlinked: string;
  apply(context: IntegrationContext<Bitrix24Settings>, transport: Bitrix24Transport, linked: LinkedEntity, record: R | null, signal?: AbortSignal): Promise<Applied>;
}

export const APPLIERS: { readonly [K in InboundKind]: RecordApplier } = {
  deal: dealApplier,
  contact: contactApplier,
  company: companyApplier,
  lead: leadApplier,
  product: productApplier,
};

/** The link of a record, when it points to an entity of a type the kind may stand for. */
export async function linkedEntity(context: IntegrationContext<Bitrix24Settings>, kind: InboundKind, externalId: string): Promise<LinkedEntity | null> {
  const linked = await context.stores.links.findEntity(context.name, kind, externalId);
  return linked && APPLIERS[kind].linkTypes.includes(linked.entityType) ? { entityType: linked.entityType, entityId: linked.entityId } : null;
}

/** The in-process lock of one record's reads and applies (events, batches, reconciliation pages). */
export function inboundLock(kind: InboundKind, externalId: string): string {
  return `inbound:${kind}:${externalId}`;
}

/**
 * Applies a record read fresh (null: deleted), settles the events that read answers, and puts an
 * applied change in the sync log of our entity.
 */
export async function applyRecord(
  context: IntegrationContext<Bitrix24Settings>,
  transport: Bitrix24Transport,
  kind: InboundKind,
  target: { externalId: string; linked: LinkedEntity; eventIds: readonly number[] },
  record: unknown,
  options: { jobId?: string; signal?: AbortSignal } = {},
): Promise<Applied> {
  const applied = await APPLIERS[kind].apply(context, transport, target.linked, record, options.signal);
  await context.inbox.settleIds(target.eventIds, applied.outcome, applied.note);
  if (applied.entity && applied.outcome === 'applied') {
    await context.syncLog.record({ entityType: applied.entity.entityType, entityId: applied.entity.entityId, operation: `${kind}.apply`, outcome: 'ok', externalId: target.externalId, ...(options.jobId && { jobId: options.jobId }), response: { note: applied.note } });
  }
  return applied;
}
