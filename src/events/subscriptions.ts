import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { JobDefinition, JobPayload } from '../jobs/catalog.js';
import type { DomainEvent, DomainEventJobPayload, DomainEventType, RecordedDomainEvent } from './domain-events.js';

/**
 * An interest in domain events: which events, and which job to run for them. Registered at
 * start-up (by the integration platform, for each integration); the core only sees this shape.
 */
export interface Subscription<TPayload extends JobPayload = DomainEventJobPayload> {
  /** The job to enqueue: its definition, so a wrong reference fails at start-up, not on the first write. */
  job: JobDefinition<TPayload>;
  events: readonly DomainEventType[];
  /** Collapse key; defaults to `<entityType>:<entityId>` so bursts of changes make one job. */
  key?: (event: DomainEvent) => string;
  /**
   * Return false to skip (e.g. only persons are exported). Runs inside the change's
   * transaction: read through `db` (`settings.get(definition, db)`), never the app's root
   * handle — on SQLite that would wait for this very transaction forever.
   */
  wants?: (event: RecordedDomainEvent, db: Kysely<Database>) => boolean | Promise<boolean>;
  /** The job's payload for an event; by default the event itself (`DomainEventJobPayload`). */
  payload?: (event: RecordedDomainEvent) => TPayload;
  /**
   * The integration the subscription belongs to. Changes that integration made itself (their
   * origin names it) do not fire it: what came from Bitrix24 is not sent back to Bitrix24.
   */
  owner?: string;
}

export class SubscriptionRegistry {
  readonly #byEvent = new Map<DomainEventType, Subscription<JobPayload>[]>();

  subscribe<TPayload extends JobPayload>(subscription: Subscription<TPayload>): void {
    // `payload` maps an event to this job's own payload type; the registry keeps them erased.
    const erased = subscription as unknown as Subscription<JobPayload>;
    for (const type of subscription.events) {
      const list = this.#byEvent.get(type) ?? [];
      if (list.some((s) => s.job.name === subscription.job.name)) throw new Error(`job ${subscription.job.name} already subscribes to ${type}`);
      list.push(erased);
      this.#byEvent.set(type, list);
    }
  }

  for(type: DomainEventType): readonly Subscription<JobPayload>[] {
    return this.#byEvent.get(type) ?? [];
  }

  all(): Subscription<JobPayload>[] {
    return [...new Set([...this.#byEvent.values()].flat())];
  }
}
