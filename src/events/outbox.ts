import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Origin } from '../domain/origin.js';
import { isIntegrationOrigin } from '../domain/origin.js';
import type { JobQueueDriver } from '../jobs/driver.js';
import { eventJobPayload } from './domain-events.js';
import type { DomainEvent, RecordedDomainEvent } from './domain-events.js';
import type { SubscriptionRegistry } from './subscriptions.js';

/**
 * Records domain events and the jobs they cause inside the caller's transaction, so a change
 * and the work it owes to other systems commit together or not at all.
 */
export class Outbox {
  constructor(
    private readonly queue: JobQueueDriver,
    private readonly subscriptions: SubscriptionRegistry,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async record(trx: Kysely<Database>, event: DomainEvent, origin: Origin): Promise<RecordedDomainEvent> {
    const occurredAt = this.now().toISOString();
    const { id } = await trx
      .insertInto('domain_events')
      .values({
        type: event.type,
        entity_type: event.entityType,
        entity_id: event.entityId,
        payload: JSON.stringify(event.data),
        occurred_at: occurredAt,
        origin: JSON.stringify(origin),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const recorded: RecordedDomainEvent = { ...event, id, occurredAt, origin };

    for (const subscription of this.subscriptions.for(event.type)) {
      // An integration's own change is not news to it (no echo).
      if (subscription.owner && isIntegrationOrigin(origin, subscription.owner)) continue;
      if (subscription.wants && !(await subscription.wants(recorded, trx))) continue;
      await this.queue.enqueue(trx, {
        name: subscription.job.name,
        key: subscription.key?.(event) ?? `${event.entityType}:${event.entityId}`,
        payload: subscription.payload ? subscription.payload(recorded) : eventJobPayload(recorded),
      });
    }
    return recorded;
  }
}
