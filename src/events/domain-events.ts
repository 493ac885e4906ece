import { z } from 'zod';
import type { Origin } from '../domain/origin.js';

/** The changes integrations care about. The core raises them; it never knows who listens. */
export const DOMAIN_EVENT_TYPES = [
  'order.created',
  'order.updated',
  'order.status_changed',
  'order.commented',
  'order.rendered',
  'client.created',
  'client.updated',
] as const;

export type DomainEventType = (typeof DOMAIN_EVENT_TYPES)[number];

export const ENTITY_TYPES = ['order', 'person', 'organization'] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

export interface DomainEvent {
  type: DomainEventType;
  entityType: EntityType;
  entityId: number;
  /** Small facts about the change (e.g. `{ from, to }` of a status); handlers reload the entity. */
  data: Record<string, unknown>;
}

export interface RecordedDomainEvent extends DomainEvent {
  id: number;
  occurredAt: string;
  /** Who made the change. */
  origin: Origin;
}

export const originSchema: z.ZodType<Origin> = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('user'), id: z.number().int(), name: z.string() }),
  z.object({ kind: z.literal('token'), id: z.number().int(), name: z.string() }),
  z.object({ kind: z.literal('integration'), name: z.string(), title: z.string() }),
  z.object({ kind: z.literal('system'), name: z.string() }),
]);

/**
 * The payload of a job a domain event causes (and of «Отправить повторно», with `eventId: null`
 * and type `sync.resend`). Jobs that export on events declare it as their payload schema; the
 * handler reloads the entity, so a burst of changes collapsed into one job sends the latest state.
 */
export const domainEventJobPayload = z.object({
  eventId: z.number().int().nullable(),
  type: z.string(),
  entityType: z.enum(ENTITY_TYPES),
  entityId: z.number().int().positive(),
  data: z.record(z.string(), z.unknown()),
  /** Null for jobs enqueued before origins were recorded. */
  origin: originSchema.nullable().default(null),
});

export type DomainEventJobPayload = z.output<typeof domainEventJobPayload>;

export function eventJobPayload(event: RecordedDomainEvent): DomainEventJobPayload {
  return { eventId: event.id, type: event.type, entityType: event.entityType, entityId: event.entityId, data: event.data, origin: event.origin };
}
