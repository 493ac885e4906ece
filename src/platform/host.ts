import type { IntegrationBackfill, IntegrationReconcile } from './backfill.js';
import type { CalculatorEngine } from '../calculator/engine.js';
import type { Logger } from 'pino';
import { SYSTEM_ORIGIN } from '../domain/origin.js';
import { domainEventJobPayload } from '../events/domain-events.js';
import type { RecordedDomainEvent } from '../events/domain-events.js';
import type { SubscriptionRegistry } from '../events/subscriptions.js';
import type { JobCatalog, JobDefinition } from '../jobs/catalog.js';
import { JobError } from '../jobs/errors.js';
import type { ScheduleDefinition } from '../jobs/scheduler.js';
import type { SettingsRegistry } from '../settings/registry.js';
import type { IntegrationAlertStore } from '../store/integration-alerts.js';
import type { SettingsStore } from '../store/settings.js';
import type { ResendRegistry } from '../sync/resend.js';
import { createIntegrationContext } from './context.js';
import type { ContextDependencies, IntegrationContext } from './context.js';
import { parksIntegration } from './errors.js';
import type { IntegrationDefinition, IntegrationParts } from './integration.js';
import type { PanelExtension } from './panel.js';
import { assertInboundPrefix } from './routes.js';
import type { IntegrationRoutes } from './routes.js';

/** One integration after `setup`, as the HTTP server and the panel routes see it. */
export interface BootedIntegration {
  readonly definition: IntegrationDefinition;
  readonly context: IntegrationContext;
  readonly routes: IntegrationRoutes;
  readonly panel: PanelExtension;
  /** Its job names, e.g. `bitrix24.exportOrder`. */
  readonly jobNames: readonly string[];
  readonly backfill: IntegrationBackfill | null;
  readonly reconcile: IntegrationReconcile | null;
}

export interface HostRegistries {
  catalog: JobCatalog;
  /** Where integrations' calculator engines go (the quote service). */
  calculators: { register(engine: CalculatorEngine): void };
  subscriptions: SubscriptionRegistry;
  resend: ResendRegistry;
  settings: SettingsRegistry;
}

/**
 * Boots the integrations of this build, once per process: calls each one's `setup` with its
 * context and plugs what it returns into the core — jobs into the catalog, subscriptions into
 * the outbox, resend targets, schedules, routes, panel sections. Every reference is checked
 * here, so a subscription naming a job the integration did not list fails at start-up with its
 * name, not as a 500 on the first order.
 */
export class IntegrationHost {
  readonly #booted: BootedIntegration[] = [];
  readonly #schedules: ScheduleDefinition[] = [];
  readonly #closers: Array<{ name: string; close: () => Promise<void> }> = [];
  readonly #jobOwner = new Map<string, string>();

  private constructor(
    private readonly alerts: IntegrationAlertStore,
    private readonly logger: Logger,
  ) {}

  /** Registers every integration's settings form: needed before the stores that serve them exist. */
  static registerSettings(definitions: readonly IntegrationDefinition[], registry: SettingsRegistry): void {
    const names = new Set<string>();
    for (const definition of definitions) {
      if (names.has(definition.name)) throw new Error(`integration "${definition.name}" is installed twice`);
      names.add(definition.name);
      if (definition.settings) registry.add(definition.settings);
    }
  }

  static async boot(
    definitions: readonly IntegrationDefinition[],
    registries: HostRegistries,
    deps: ContextDependencies & { alerts: IntegrationAlertStore; settingsStore: SettingsStore },
  ): Promise<IntegrationHost> {
    const host = new IntegrationHost(deps.alerts, deps.logger);
    const prefixes = new Map<string, string>();
    try {
      for (const definition of definitions) {
        const context = createIntegrationContext(definition, deps);
        const parts = await definition.setup(context);
        if (parts.close) host.#closers.push({ name: definition.name, close: parts.close.bind(parts) });
        host.#plug(definition, context, parts, registries, prefixes);
      }
    } catch (error) {
      await host.close();
      throw error;
    }
    return host;
  }

  /** In the order of `src/extensions.ts`. */
  get integrations(): readonly BootedIntegration[] {
    return this.#booted;
  }

  find(name: string): BootedIntegration | undefined {
    return this.#booted.find((integration) => integration.definition.name === name);
  }

  get schedules(): readonly ScheduleDefinition[] {
    return this.#schedules;
  }

  /** The integration a job belongs to. */
  ownerOf(jobName: string): string | undefined {
    return this.#jobOwner.get(jobName);
  }

  /** Job names of parked integrations: the queue does not claim them (see WorkerOptions.paused). */
  async pausedJobs(): Promise<ReadonlySet<string>> {
    const parked = await this.alerts.parked();
    if (parked.size === 0) return parked;
    return new Set(this.#booted.filter((i) => parked.has(i.definition.name)).flatMap((i) => i.jobNames));
  }

  async close(): Promise<void> {
    for (const { name, close } of this.#closers.splice(0).reverse()) {
      try {
        await close();
      } catch (error) {
        this.logger.error({ err: error, integration: name }, 'integration did not close cleanly');
      }
    }
  }

  #plug(definition: IntegrationDefinition, context: IntegrationContext, parts: IntegrationParts, registries: HostRegistries, prefixes: Map<string, string>): void {
    const { name } = definition;
    const jobs = parts.jobs ?? [];
    const own = new Set<JobDefinition>(jobs);
    const requireOwn = (job: JobDefinition | undefined, where: string) => {
      if (!job || !own.has(job)) {
        throw new Error(`${name}: ${where} names job "${job?.name ?? String(job)}", which is not in the jobs its setup returns`);
      }
    };
    const prefix = `${camelCase(name)}.`;
    for (const job of jobs) {
      if (!job.name.startsWith(prefix)) throw new Error(`${name}: job "${job.name}" must be named ${prefix}<something>, after its integration`);
      registries.catalog.add(this.#parkingGuard(name, job));
      this.#jobOwner.set(job.name, name);
    }

    for (const subscription of parts.subscriptions ?? []) {
      requireOwn(subscription.job, `a subscription to ${subscription.events.join(', ')}`);
      if (!subscription.payload) assertTakesEvents(name, subscription.job);
      const own = subscription.wants;
      registries.subscriptions.subscribe({
        ...subscription,
        owner: name,
        // A switched-off integration gets no work from changes (its settings read in the change's transaction).
        wants: async (event: RecordedDomainEvent, db) => (await context.settings.enabled(db)) && (own ? await own(event, db) : true),
      });
    }

    for (const target of parts.resend ?? []) {
      requireOwn(target.job, `resend of ${target.entityType}`);
      if (!target.payload) assertTakesEvents(name, target.job);
      registries.resend.add({ ...target, system: name });
    }

    for (const schedule of parts.schedules ?? []) {
      requireOwn(schedule.job, 'a schedule');
      if (!schedule.job.payload.safeParse({ scheduledAt: new Date(0).toISOString() }).success) {
        throw new Error(`${name}: scheduled job "${schedule.job.name}" must take the payload { scheduledAt } (scheduledJobPayload)`);
      }
      this.#schedules.push({
        job: schedule.job,
        intervalMs: async () => {
          // One read per tick: the saved version says both whether it is on and what its settings are.
          if (!definition.settings) return schedule.every(null);
          const saved = await context.settings.get();
          return saved?.enabled ? schedule.every(saved.settings) : null;
        },
      });
    }

    if (parts.calculator) {
      if (parts.calculator.engine !== name) throw new Error(`${name}: its calculator engine must be named after it, not "${parts.calculator.engine}"`);
      registries.calculators.register(parts.calculator);
    }

    for (const group of parts.routes?.inbound ?? []) {
      assertInboundPrefix(name, group.prefix, prefixes);
      prefixes.set(group.prefix, name);
    }
    const panel = parts.panel ?? {};
    assertPanel(definition, panel);

    this.#booted.push({ definition, context, routes: parts.routes ?? {}, panel, jobNames: jobs.map((job) => job.name), backfill: parts.backfill ?? null, reconcile: parts.reconcile ?? null });
  }

  /**
   * Wraps a job's handler: when the other system refuses the integration's credentials or
   * rights (an error that `parks`), the integration is parked with that reason and the job waits
   * with the rest instead of dying; a settings save resumes them all.
   */
  #parkingGuard(integration: string, job: JobDefinition): JobDefinition {
    const alerts = this.alerts;
    return {
      ...job,
      async handler(payload, ctx) {
        try {
          await job.handler(payload, ctx);
        } catch (error) {
          if (!parksIntegration(error)) throw error;
          await alerts.raise({ integration, kind: error.failure ?? 'credentials', message: error.message, jobName: job.name });
          throw new JobError(`приостановлено до исправления настроек: ${error.message}`, { retryable: true, cause: error });
        }
      },
    };
  }
}

function assertTakesEvents(integration: string, job: JobDefinition): void {
  const sample = { eventId: 1, type: 'order.created', entityType: 'order', entityId: 1, data: {}, origin: SYSTEM_ORIGIN };
  // The event payload must fit the job's schema (the job may ask for less, never for more).
  if (!domainEventJobPayload.safeParse(sample).success || !job.payload.safeParse(sample).success) {
    throw new Error(`${integration}: job "${job.name}" cannot take a domain event as its payload; give its subscription a \`payload\` mapper`);
  }
}

function assertPanel(definition: IntegrationDefinition, panel: PanelExtension): void {
  const fields = new Set(Object.keys(settingsShapeOf(definition)));
  for (const section of panel.settingsSections ?? []) {
    const unknown = section.fields.filter((field) => !fields.has(field));
    if (unknown.length) throw new Error(`${definition.name}: settings section "${section.id}" names fields its settings form lacks: ${unknown.join(', ')}`);
  }
  const ids = (panel.cards ?? []).flatMap((card) => (card.actions ?? []).map((action) => `${card.entityType}/${action.id}`));
  const twice = ids.find((id, index) => ids.indexOf(id) !== index);
  if (twice) throw new Error(`${definition.name}: panel action ${twice} is declared twice`);
}

function settingsShapeOf(definition: IntegrationDefinition): Record<string, unknown> {
  const schema = definition.settings?.schema as { shape?: Record<string, unknown> } | undefined;
  return schema?.shape ?? {};
}

/** `demo-crm` → `demoCrm`: integration names in job names. */
export function camelCase(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}
