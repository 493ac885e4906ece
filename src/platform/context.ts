import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../db/schema.js';
import type { LocalizedText } from '../domain/localized-text.js';
import type { Origin } from '../domain/origin.js';
import type { JobDefinition, JobPayload } from '../jobs/catalog.js';
import type { JobQueueDriver } from '../jobs/driver.js';
import type { SettingsDefinition, SettingsShape } from '../settings/definition.js';
import type { CategoryStore } from '../store/categories.js';
import type { IssuedQuoteStore } from '../store/widget.js';
import type { ExternalLinkStore } from '../store/external-links.js';
import type { OrderStore } from '../store/orders.js';
import type { OrganizationStore } from '../store/organizations.js';
import type { PersonStore } from '../store/persons.js';
import type { ProductStore } from '../store/products.js';
import type { SettingsStore, SettingsVersion } from '../store/settings.js';
import type { SyncAttempt, SyncLogEntry, SyncLogStore } from '../store/sync-log.js';
import { InboundEventStore } from '../store/inbound-events.js';
import type { InboundCounts, InboundEvent, InboundOutcome, LastInbound } from '../store/inbound-events.js';
import { IntegrationStateStore } from '../store/integration-state.js';
import { IntegrationRecordStore } from '../store/integration-records.js';
import type { IntegrationRecord } from '../store/integration-records.js';
import type { EntityState } from '../store/integration-state.js';
import type { LinkedEntityType } from '../store/external-links.js';
import { transact } from '../store/transaction.js';
import { SharedRateBucket } from '../store/rate-bucket.js';
import type { RateLimit } from '../store/rate-bucket.js';
import { runStep } from './steps.js';
import type { StepTarget, StepWork } from './steps.js';

/** The time, injectable so tests can move it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** The stores as an integration gets them: its writes carry its origin. */
export interface IntegrationStores {
  persons: PersonStore;
  organizations: OrganizationStore;
  orders: OrderStore;
  categories: CategoryStore;
  products: ProductStore;
  /** Ids of our entities in other systems (this integration's and the others'). */
  links: ExternalLinkStore;
  /** Quotes issued by the calculators, and which order lines were priced from them. */
  issuedQuotes: IssuedQuoteStore;
}

/** The integration's own settings, typed by its form. No cache: every read sees the latest save. */
export interface IntegrationSettings<S extends SettingsShape> {
  /** The latest saved version, or null when never saved. Pass a transaction's `db` inside one. */
  get(db?: Kysely<Database>): Promise<SettingsVersion<S> | null>;
  /** The latest saved version; throws a `conflict` (a job that must not run unconfigured). */
  require(db?: Kysely<Database>): Promise<SettingsVersion<S>>;
  /** Whether it is switched on; an integration without a settings form always is. */
  enabled(db?: Kysely<Database>): Promise<boolean>;
}

/** The sync log of this integration: `system` is filled in. */
export interface IntegrationSyncLog {
  record(attempt: Omit<SyncAttempt, 'system'>, db?: Kysely<Database>): Promise<SyncLogEntry>;
}

/** What the integration remembers per entity (see store/integration-state.ts); `system` is filled in. */
export interface IntegrationEntityState {
  get(entityType: LinkedEntityType, entityId: number, db?: Kysely<Database>): Promise<EntityState | null>;
  getMany(entityType: LinkedEntityType, entityIds: readonly number[], db?: Kysely<Database>): Promise<Map<number, EntityState>>;
  set(entityType: LinkedEntityType, entityId: number, state: EntityState, db?: Kysely<Database>): Promise<void>;
  /** Holds the entity for `owner` for `ms` unless another owner holds it (see IntegrationStateStore.claim). */
  claim(entityType: LinkedEntityType, entityId: number, owner: string, ms: number): Promise<boolean>;
  release(entityType: LinkedEntityType, entityId: number, owner: string): Promise<void>;
}

/** Documents about things of the other system, keyed by its ids (see store/integration-records.ts); `system` is filled in. */
export interface IntegrationRecords {
  get<T>(kind: string, key: string, db?: Kysely<Database>): Promise<IntegrationRecord<T> | null>;
  list<T>(kind: string, db?: Kysely<Database>): Promise<Array<IntegrationRecord<T>>>;
  put<T>(kind: string, key: string, data: T, db?: Kysely<Database>): Promise<void>;
  /** Drops one record; answers whether there was one. */
  remove(kind: string, key: string, db?: Kysely<Database>): Promise<boolean>;
  /** Marks those of `kind` not in `present` as missing; answers the keys newly marked. */
  markMissing(kind: string, present: readonly string[], db?: Kysely<Database>): Promise<string[]>;
}

/** The integration's inbox of events its system sends (see store/inbound-events.ts); `system` is filled in. */
export interface IntegrationInbox {
  /** Stores the event; false for a second delivery of one already stored. Pass a transaction's `db` to enqueue its work with it. */
  accept(event: Omit<InboundEvent, 'system'>, db?: Kysely<Database>): Promise<boolean>;
  /** Settles the entity's pending events with what came of them (only those up to `upToId`, from `lastId`, when given). */
  settle(entityKind: string, externalId: string, outcome: InboundOutcome, note?: string | null, upToId?: number): Promise<number>;
  /** The newest event stored about the entity so far (0: none). */
  lastId(entityKind: string, externalId: string): Promise<number>;
  /** Settles exactly these pending events (those a read was known to answer when it started). */
  settleIds(ids: readonly number[], outcome: InboundOutcome, note?: string | null): Promise<number>;
  /** The pending events of these entities, by external id; an entity with none is absent. */
  pending(entityKind: string, externalIds: readonly string[]): Promise<Map<string, number[]>>;
  /** Entities of a kind with events pending among the newest ones: work to read together. */
  recentPending(entityKind: string, limit: number): Promise<string[]>;
  counts(): Promise<InboundCounts>;
  last(entityKind: string, externalId: string): Promise<LastInbound | null>;
}

export interface EnqueueOptions {
  /** Collapse key: while a job with this key waits, another adds nothing. */
  key?: string;
  runAt?: Date;
  /** Enqueue inside this transaction (the job exists only if it commits). */
  db?: Kysely<Database>;
}

/**
 * What an integration is given at start-up, once per process. Long-lived things the integration
 * builds from it (a rate limiter per portal, an HTTP agent, a cache) live as long as the
 * process and are shared by all its jobs, routes and schedules.
 */
export interface IntegrationContext<S extends SettingsShape = SettingsShape> {
  readonly name: string;
  readonly title: LocalizedText;
  /** What its writes carry: its own changes do not fire its own subscriptions (no echo). */
  readonly origin: Origin;
  /** A child logger tagged with the integration's name. Secrets go through the sync log's redaction, not here. */
  readonly logger: Logger;
  readonly clock: Clock;
  /** printsync's public URL for links sent to other systems (order pages, the events endpoint); null when not set. */
  readonly publicUrl: string | null;
  readonly stores: IntegrationStores;
  readonly settings: IntegrationSettings<S>;
  readonly syncLog: IntegrationSyncLog;
  readonly state: IntegrationEntityState;
  /** Documents about the other system's things: an ERP's templates. */
  readonly records: IntegrationRecords;
  readonly inbox: IntegrationInbox;
  /**
   * The leaky bucket of a remote system's request limit (`key`: e.g. the portal's address),
   * shared by every process of this installation through the database.
   */
  rateBucket(key: string, limit: RateLimit): SharedRateBucket;
  /** Runs `work` in one database transaction (composes with the stores' `db` parameters). */
  transaction<T>(work: (trx: Kysely<Database>) => Promise<T>): Promise<T>;
  /** Adds a job; its payload is checked against the job's schema. Null when it collapsed into a waiting one. */
  enqueue<P extends JobPayload>(job: JobDefinition<P>, payload: P, options?: EnqueueOptions): Promise<string | null>;
  /**
   * Makes an object in the other system at most once across retries, recorded as a link of
   * `target` (see platform/steps.ts). Returns its id there.
   */
  step(target: StepTarget, work: StepWork): Promise<string>;
}

export interface ContextDependencies {
  db: Kysely<Database>;
  logger: Logger;
  clock: Clock;
  publicUrl: string | null;
  /** The app's stores (writing as printsync); the context binds those that raise events to the integration. */
  stores: IntegrationStores & { settings: SettingsStore; syncLog: SyncLogStore };
  /** The queue; may be built after the contexts (it needs every integration's jobs first). */
  queue(): JobQueueDriver;
}

export function createIntegrationContext<S extends SettingsShape>(
  integration: { name: string; title: LocalizedText; settings?: SettingsDefinition<S> | undefined },
  deps: ContextDependencies,
): IntegrationContext<S> {
  const { name, title } = integration;
  const origin: Origin = { kind: 'integration', name, title: title.ru };
  const { db, stores } = deps;
  const definition = integration.settings;
  const stateStore = new IntegrationStateStore(db);
  const recordStore = new IntegrationRecordStore(db);
  const inbox = new InboundEventStore(db);

  const settings: IntegrationSettings<S> = {
    get: async (trx = db) => (definition ? stores.settings.get(definition, trx) : null),
    require: async (trx = db) => {
      if (!definition) throw new Error(`${name} has no settings form`);
      return stores.settings.require(definition, trx);
    },
    enabled: (trx = db) => stores.settings.isEnabled(name, trx),
  };

  return {
    name,
    title,
    origin,
    logger: deps.logger.child({ integration: name }),
    clock: deps.clock,
    publicUrl: deps.publicUrl,
    stores: {
      persons: stores.persons.as(origin),
      organizations: stores.organizations.as(origin),
      orders: stores.orders.as(origin),
      categories: stores.categories,
      products: stores.products,
      links: stores.links,
      issuedQuotes: stores.issuedQuotes,
    },
    settings,
    syncLog: {
      record: (attempt, trx) => stores.syncLog.record({ ...attempt, system: name }, trx),
    },
    state: {
      get: (entityType, entityId, trx) => stateStore.get(name, entityType, entityId, trx),
      getMany: (entityType, entityIds, trx) => stateStore.getMany(name, entityType, entityIds, trx),
      set: (entityType, entityId, state, trx) => stateStore.set(name, entityType, entityId, state, trx),
      claim: (entityType, entityId, owner, ms) => stateStore.claim(name, entityType, entityId, owner, Date.now() + ms),
      release: (entityType, entityId, owner) => stateStore.release(name, entityType, entityId, owner),
    },
    records: {
      get: (kind, key, trx) => recordStore.get(name, kind, key, trx),
      list: (kind, trx) => recordStore.list(name, kind, trx),
      put: (kind, key, data, trx) => recordStore.put(name, kind, key, data, trx),
      remove: (kind, key, trx) => recordStore.remove(name, kind, key, trx),
      markMissing: (kind, present, trx) => recordStore.markMissing(name, kind, present, trx),
    },
    inbox: {
      accept: (event, trx) => inbox.accept({ ...event, system: name }, trx),
      settle: (entityKind, externalId, outcome, note, upToId) => inbox.settle(name, entityKind, externalId, outcome, note ?? null, undefined, upToId),
      lastId: (entityKind, externalId) => inbox.lastId(name, entityKind, externalId),
      settleIds: (ids, outcome, note) => inbox.settleIds(name, ids, outcome, note ?? null),
      pending: (entityKind, externalIds) => inbox.pending(name, entityKind, externalIds),
      recentPending: (entityKind, limit) => inbox.recentPending(name, entityKind, { limit }),
      counts: () => inbox.counts(name),
      last: (entityKind, externalId) => inbox.last(name, entityKind, externalId),
    },
    rateBucket: (key, limit) => new SharedRateBucket(db, `${name}:${key}`, limit),
    transaction: (work) => transact(db, work),
    enqueue: (job, payload, options = {}) => {
      const request = job.request(payload, { ...(options.key !== undefined && { key: options.key }), ...(options.runAt && { runAt: options.runAt }) });
      return transact(options.db ?? db, (trx) => deps.queue().enqueue(trx, request));
    },
    step: async (target, work) => (await runStep(db, stores.links, name, target, work)).externalId,
  };
}
