import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { DomainEvent, DomainEventType } from './domain-events.js';

/**
 * An integration's interest in domain events: which events, and which job to run for them.
 * Registered at start-up by each integration; the core only sees this shape.
 */
export interface Subscription {
  /** The job to enqueue, e.g. `bitrix24.exportOrder`. */
  job: string;
  events: readonly DomainEventType[];
  /** Collapse key; defaults to `<entityType>:<entityId>` so bursts of changes make one job. */
  key?: (event: DomainEvent) => string;
  /**
   * Return false to skip (e.g. the integration is switched off, or only persons are exported).
   * Runs inside the change's transaction: read through `db` (`settings.get(definition, db)`),
   * never the app's root handle — on SQLite that would wait for this very transaction forever.
   */
  wants?: (event: DomainEvent, db: Kysely<Database>) => boolean | Promise<boolean>;
}

export class SubscriptionRegistry {
  readonly #byEvent = new Map<DomainEventType, Subscription[]>();

  subscribe(subscription: Subscription): void {
    for (const type of subscription.events) {
      const list = this.#byEvent.get(type) ?? [];
      if (list.some((s) => s.job === subscription.job)) throw new Error(`job ${subscription.job} already subscribes to ${type}`);
      list.push(subscription);
      this.#byEvent.set(type, list);
    }
  }

  for(type: DomainEventType): readonly Subscription[] {
    return this.#byEvent.get(type) ?? [];
  }
}
