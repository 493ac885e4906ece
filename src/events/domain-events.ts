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

export type EntityType = 'order' | 'person' | 'organization';

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
}
