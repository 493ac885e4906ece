import type { Logger } from 'pino';
import { LoginThrottle } from './auth/login-throttle.js';
import type { Config } from './config.js';
import { openDatabase } from './db/connection.js';
import type { DatabaseHandle } from './db/connection.js';
import { migrateToLatest } from './db/migrate.js';
import { Outbox } from './events/outbox.js';
import { SubscriptionRegistry } from './events/subscriptions.js';
import { JobCatalog } from './jobs/catalog.js';
import type { JobQueue, JobQueueDriver, StopOptions, WorkerOptions } from './jobs/driver.js';
import { createJobQueue } from './jobs/index.js';
import { housekeepingJob, housekeepingSchedule } from './jobs/housekeeping.js';
import { Scheduler } from './jobs/scheduler.js';
import { systemClock } from './platform/context.js';
import type { Clock } from './platform/context.js';
import { IntegrationHost } from './platform/host.js';
import { QuoteService } from './calculator/quotes.js';
import type { IntegrationDefinition } from './platform/integration.js';
import { setOutboundPolicy } from './platform/outbound-policy.js';
import { setShopTimeZone } from './domain/shop-time.js';
import { SettingsRegistry } from './settings/registry.js';
import { ApiTokenStore } from './store/api-tokens.js';
import { CategoryStore } from './store/categories.js';
import { ExternalLinkStore } from './store/external-links.js';
import { IdempotencyStore } from './store/idempotency.js';
import { IntegrationAlertStore } from './store/integration-alerts.js';
import { OrderStore } from './store/orders.js';
import { OrganizationStore } from './store/organizations.js';
import { PersonStore } from './store/persons.js';
import { ProductStore } from './store/products.js';
import { SessionStore } from './store/sessions.js';
import { SettingsStore } from './store/settings.js';
import { SyncLogStore } from './store/sync-log.js';
import { UserStore } from './store/users.js';
import { IssuedQuoteStore, WidgetSiteStore } from './store/widget.js';
import { ResendRegistry, ResendService } from './sync/resend.js';

export interface AppServices {
  config: Config;
  logger: Logger;
  database: DatabaseHandle;
  queue: JobQueue;
  outbox: Outbox;
  /** Prices products with their category's calculator engine (CALC-1). */
  quotes: QuoteService;
  /** «Отправить повторно»: enqueues an integration's send job for one entity. */
  resend: ResendService;
  /** The integrations of this build after their `setup`: routes, panel sections, parking. */
  integrations: IntegrationHost;
  /** Recurring jobs (reconciliations); runs with the worker. */
  scheduler: Scheduler;
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
    alerts: IntegrationAlertStore;
    /** Sites allowed to embed the calculator widget (CALC-2). */
    widgetSites: WidgetSiteStore;
    /** Quotes issued with an id (the widget's continue / add to cart), their files and orders. */
    issuedQuotes: IssuedQuoteStore;
  };
  /** Starts this process's background work: the job worker and the schedules. */
  startWorker(options?: WorkerOptions): Promise<void>;
  /** Stops claiming jobs and firing schedules; waits (bounded) for running jobs. */
  stopWorker(options?: StopOptions): Promise<void>;
  close(): Promise<void>;
}

export interface CreateAppOptions {
  logger: Logger;
  /** The integrations to run (`appIntegrations()` in a real start; tests pick their own). */
  integrations?: readonly IntegrationDefinition[];
  clock?: Clock;
  /** How often the scheduler looks for due schedules. @default 2_000 */
  schedulerTickMs?: number;
}

/**
 * The composition root: opens the database, migrates it, wires stores, queue and events, and
 * boots the integrations. The order matters: the queue needs every job name (pg-boss makes a
 * queue per name), and the jobs come from the integrations' `setup`, which needs the stores; so
 * the stores and contexts reach the queue through a reference filled in once it exists.
 */
export async function createApp(config: Config, options: CreateAppOptions): Promise<AppServices> {
  const { logger } = options;
  const clock = options.clock ?? systemClock;
  // Process-wide: transports are made where no app context reaches (settings hooks, jobs).
  setOutboundPolicy(config.allowPrivateNetworks);
  setShopTimeZone(config.shopTimeZone);
  const database = openDatabase(config.databaseUrl);
  let host: IntegrationHost | null = null;
  let queueRef: JobQueue | null = null;
  try {
    const { applied } = await migrateToLatest(database.db);
    if (applied.length) logger.info({ applied }, 'database migrated');

    const catalog = new JobCatalog();
    const subscriptions = new SubscriptionRegistry();
    const settingsRegistry = new SettingsRegistry();
    const resendRegistry = new ResendRegistry();
    const integrations = options.integrations ?? [];
    IntegrationHost.registerSettings(integrations, settingsRegistry);

    const queueDriver: JobQueueDriver = {
      get kind() {
        return queue().kind;
      },
      enqueue: (trx, job) => queue().enqueue(trx, job),
      hasUnfinished: (db, name, key) => queue().hasUnfinished(db, name, key),
    };
    const queue = (): JobQueue => {
      if (!queueRef) throw new Error('the job queue is not open yet: an integration enqueued a job during its setup');
      return queueRef;
    };

    const db = database.db;
    const outbox = new Outbox(queueDriver, subscriptions, () => clock.now());
    const links = new ExternalLinkStore(db);
    const alerts = new IntegrationAlertStore(db);
    const settings = new SettingsStore(db, settingsRegistry, alerts);
    const stores: AppServices['stores'] = {
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
      alerts,
      widgetSites: new WidgetSiteStore(db),
      issuedQuotes: new IssuedQuoteStore(db),
    };

    const quotes = new QuoteService(stores.products, stores.categories);
    host = await IntegrationHost.boot(
      integrations,
      { catalog, subscriptions, resend: resendRegistry, settings: settingsRegistry, calculators: quotes },
      { db, logger, clock, publicUrl: config.publicUrl ?? null, stores, queue: () => queueDriver, alerts, settingsStore: settings },
    );
    const booted = host;
    const housekeeping = housekeepingJob(db, logger, () => clock.now());
    catalog.add(housekeeping);
    queueRef = await createJobQueue(database, { catalog, logger, paused: () => booted.pausedJobs() });
    const jobs = queueRef;
    const schedules = [housekeepingSchedule(housekeeping), ...booted.schedules];
    const scheduler = new Scheduler(db, jobs, schedules, logger, { tickMs: options.schedulerTickMs, now: () => clock.now() });
    logger.info({ database: database.displayUrl, queue: jobs.kind, integrations: integrations.map((i) => i.name) }, 'printsync ready');

    return {
      config,
      logger,
      database,
      queue: jobs,
      outbox,
      quotes,
      resend: new ResendService(db, jobs, resendRegistry, settingsRegistry, settings),
      integrations: booted,
      scheduler,
      stores,
      async startWorker(workerOptions) {
        await jobs.start(workerOptions);
        scheduler.start();
      },
      async stopWorker(stopOptions) {
        await scheduler.stop();
        await jobs.stop(stopOptions);
      },
      async close() {
        await scheduler.stop();
        await jobs.close();
        await booted.close();
        await database.close();
      },
    };
  } catch (error) {
    await queueRef?.close();
    await host?.close();
    await database.close();
    throw error;
  }
}
