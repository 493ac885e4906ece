import type { Logger } from 'pino';
import { LoginThrottle } from './auth/login-throttle.js';
import type { Config } from './config.js';
import { openDatabase } from './db/connection.js';
import type { DatabaseHandle } from './db/connection.js';
import { migrateToLatest } from './db/migrate.js';
import { Outbox } from './events/outbox.js';
import { SubscriptionRegistry } from './events/subscriptions.js';
import type { Subscription } from './events/subscriptions.js';
import { JobCatalog } from './jobs/catalog.js';
import type { JobDefinition } from './jobs/catalog.js';
import type { JobQueue } from './jobs/driver.js';
import { createJobQueue } from './jobs/index.js';
import type { SettingsDefinition } from './settings/definition.js';
import { SettingsRegistry } from './settings/registry.js';
import { ApiTokenStore } from './store/api-tokens.js';
import { CategoryStore } from './store/categories.js';
import { ExternalLinkStore } from './store/external-links.js';
import { IdempotencyStore } from './store/idempotency.js';
import { OrderStore } from './store/orders.js';
import { OrganizationStore } from './store/organizations.js';
import { PersonStore } from './store/persons.js';
import { ProductStore } from './store/products.js';
import { SessionStore } from './store/sessions.js';
import { SettingsStore } from './store/settings.js';
import { SyncLogStore } from './store/sync-log.js';
import { UserStore } from './store/users.js';
import { ResendRegistry, ResendService } from './sync/resend.js';
import type { ResendTarget } from './sync/resend.js';

/**
 * What a part of printsync outside the core (an integration, a test's counting subscriber)
 * plugs in: jobs it runs and the domain events that cause them.
 */
export interface AppExtension {
  name: string;
  jobs?: readonly JobDefinition<never>[];
  subscriptions?: readonly Subscription[];
  /** Its settings form, stored and versioned by the core (CORE-6). */
  settings?: SettingsDefinition;
  /** Jobs that send one entity again («Отправить повторно», CORE-8). */
  resend?: readonly ResendTarget[];
}

export interface AppServices {
  config: Config;
  logger: Logger;
  database: DatabaseHandle;
  queue: JobQueue;
  outbox: Outbox;
  /** «Отправить повторно»: enqueues an integration's send job for one entity. */
  resend: ResendService;
  stores: {
    apiTokens: ApiTokenStore;
    idempotency: IdempotencyStore;
    links: ExternalLinkStore;
    persons: PersonStore;
    organizations: OrganizationStore;
    orders: OrderStore;
    settings: SettingsStore;
    syncLog: SyncLogStore;
    categories: CategoryStore;
    products: ProductStore;
    users: UserStore;
    sessions: SessionStore;
    loginThrottle: LoginThrottle;
  };
  close(): Promise<void>;
}

export interface CreateAppOptions {
  logger: Logger;
  extensions?: readonly AppExtension[];
}

/** The composition root: opens the database, migrates it, and wires stores, queue and events. */
export async function createApp(config: Config, options: CreateAppOptions): Promise<AppServices> {
  const { logger } = options;
  const database = openDatabase(config.databaseUrl);
  try {
    const { applied } = await migrateToLatest(database.db);
    if (applied.length) logger.info({ applied }, 'database migrated');

    const catalog = new JobCatalog();
    const subscriptions = new SubscriptionRegistry();
    const settingsRegistry = new SettingsRegistry();
    const resendRegistry = new ResendRegistry();
    for (const extension of options.extensions ?? []) {
      for (const job of extension.jobs ?? []) catalog.add(job);
      for (const subscription of extension.subscriptions ?? []) subscriptions.subscribe(subscription);
      if (extension.settings) settingsRegistry.add(extension.settings);
      for (const target of extension.resend ?? []) resendRegistry.add(target);
    }
    const queue = await createJobQueue(database, { catalog, logger });
    const outbox = new Outbox(queue, subscriptions);
    const db = database.db;
    const links = new ExternalLinkStore(db);
    const settings = new SettingsStore(db, settingsRegistry);
    logger.info({ database: database.displayUrl, queue: queue.kind }, 'printsync ready');

    return {
      config,
      logger,
      database,
      queue,
      outbox,
      resend: new ResendService(db, queue, resendRegistry, settingsRegistry, settings),
      stores: {
        apiTokens: new ApiTokenStore(db),
        idempotency: new IdempotencyStore(db),
        links,
        persons: new PersonStore(db, links, outbox),
        organizations: new OrganizationStore(db, links, outbox),
        orders: new OrderStore(db, links, outbox),
        settings,
        // Every attempt is also masked with the system's saved secrets, whatever the caller passes.
        syncLog: new SyncLogStore(db, (system, trx) => settings.secretsOf(system, trx)),
        categories: new CategoryStore(db),
        products: new ProductStore(db),
        users: new UserStore(db),
        sessions: new SessionStore(db),
        loginThrottle: new LoginThrottle(db),
      },
      async close() {
        await queue.close();
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}
