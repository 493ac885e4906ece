import type { Kysely } from 'kysely';
import { prepare } from '../db/prepared.js';
import type { Database } from '../db/schema.js';
import type { Origin } from '../domain/origin.js';
import { isIntegrationOrigin } from '../domain/origin.js';
import type { JobQueueDriver } from '../jobs/driver.js';
import { eventJobPayload } from './domain-events.js';
import type { DomainEvent, RecordedDomainEvent } from './domain-events.js';
import type { SubscriptionRegistry } from './subscriptions.js';

// Every change of an order or client runs this: prepared once (see db/prepared.ts).
const insertEvent = prepare((db, p) =>
  db
    .insertInto('domain_events')
    .values({ type: p('type'), entity_type: p('entityType'), entity_id: p('entityId'), payload: p('payload'), occurred_at: p('occurredAt'), origin: p('origin') })
    .returning('id'),
);

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
    const { rows } = await insertEvent.run(trx, {
      type: event.type,
      entityType: event.entityType,
      entityId: event.entityId,
      payload: JSON.stringify(event.data),
      occurredAt,
      origin: JSON.stringify(origin),
    });
    const id = rows[0]!.id;
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
