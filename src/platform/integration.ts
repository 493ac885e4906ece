import type { LocalizedText } from '../domain/localized-text.js';
import type { DomainEventJobPayload, EntityType } from '../events/domain-events.js';
import type { Subscription } from '../events/subscriptions.js';
import type { JobDefinition, JobPayload } from '../jobs/catalog.js';
import type { ScheduledJobPayload } from '../jobs/scheduler.js';
import type { Origin } from '../domain/origin.js';
import { assertIntegrationName, settingsDefinition } from '../settings/definition.js';
import type { SettingsDefinition, SettingsForm, SettingsShape } from '../settings/definition.js';
import type { IntegrationBackfill, IntegrationReconcile } from './backfill.js';
import type { CalculatorEngine } from '../calculator/engine.js';
import type { IntegrationContext } from './context.js';
import type { PanelExtension } from './panel.js';
import type { IntegrationRoutes } from './routes.js';

/**
 * An integration: one folder under `src/integrations/`, one `defineIntegration(...)` in its
 * `index.ts`, one line in `src/extensions.ts`.
 *
 * @example
 * export const bitrix24 = defineIntegration({
 *   name: 'bitrix24',
 *   title: { ru: 'Битрикс24', en: 'Bitrix24' },
 *   settings: bitrix24Settings,
 *   setup(context) {
 *     const portal = new PortalClient(context);          // one rate limiter for all its jobs
 *     const exportOrder = defineJob({ name: 'bitrix24.exportOrder', payload: domainEventJobPayload,
 *       handler: (event, job) => exportDeal(portal, context, event.entityId, job.signal) });
 *     return {
 *       jobs: [exportOrder],
 *       subscriptions: [{ job: exportOrder, events: ['order.created', 'order.updated'] }],
 *       resend: [{ entityType: 'order', job: exportOrder }],
 *       routes: { inbound: [{ prefix: '/api/bitrix/events', auth: sharedToken(…), bodies: [phpForm()], register }] },
 *       schedules: [{ job: reconcile, every: (settings) => settings.reconcileMinutes * 60_000 }],
 *       close: () => portal.close(),
 *     };
 *   },
 * });
 */
export interface IntegrationDefinition<S extends SettingsShape = SettingsShape> {
  /** Lower-case, e.g. `bitrix24`: the `system` in the sync log and external links, the prefix of its job names. */
  readonly name: string;
  readonly title: LocalizedText;
  /** Its settings form; an integration without one is always on. */
  readonly settings?: SettingsDefinition<S>;
  /** Called once per process at start-up; what it returns is plugged in. */
  setup(context: IntegrationContext<S>): IntegrationParts | Promise<IntegrationParts>;
}

/** An interest in domain events (see events/subscriptions.ts); the platform fills in its owner. */
export type IntegrationSubscription<P extends JobPayload = DomainEventJobPayload> = Omit<Subscription<P>, 'owner'>;

/** «Отправить повторно» of one entity type: which job sends one entity to the integration's system. */
export interface IntegrationResendTarget<P extends JobPayload = DomainEventJobPayload> {
  entityType: EntityType;
  job: JobDefinition<P>;
  payload?: (entityId: number, requestedBy: Origin) => P;
}

/** A recurring job: reconciliation, a status poll. */
export interface IntegrationSchedule<S extends SettingsShape = SettingsShape> {
  job: JobDefinition<ScheduledJobPayload>;
  /**
   * Its interval in ms for the current settings (null: off). Asked every few seconds; a
   * schedule runs only while its integration is switched on.
   */
  every(settings: S | null): number | null;
}

/** What `setup` returns: everything is optional. */
export interface IntegrationParts<S extends SettingsShape = SettingsShape> {
  /** Every job the integration runs (those its subscriptions, resend targets and schedules name, too). */
  jobs?: readonly JobDefinition[];
  subscriptions?: readonly IntegrationSubscription<JobPayload>[];
  resend?: readonly IntegrationResendTarget<JobPayload>[];
  routes?: IntegrationRoutes;
  schedules?: readonly IntegrationSchedule<S>[];
  panel?: PanelExtension;
  /**
   * A calculator engine (CALC-1) for categories that choose this integration as their primary
   * calculator; its `engine` is the integration's name.
   */
  calculator?: CalculatorEngine;
  /** `printsync backfill <name>`: sends what existed before the integration was switched on. */
  backfill?: IntegrationBackfill;
  /** `printsync reconcile <name>`: agrees with what changed in the other system (its schedule usually runs it too). */
  reconcile?: IntegrationReconcile;
  /** Releases what `setup` opened (agents, timers); called once when the app closes. */
  close?(): Promise<void>;
}

export interface DefineIntegrationOptions<S extends SettingsShape> {
  name: string;
  title: LocalizedText;
  /** From `defineSettings(...)`. */
  settings?: SettingsForm<S>;
  setup(context: IntegrationContext<S>): IntegrationParts<S> | Promise<IntegrationParts<S>>;
}

export function defineIntegration<S extends SettingsShape = SettingsShape>(options: DefineIntegrationOptions<S>): IntegrationDefinition<S> {
  assertIntegrationName(options.name);
  if (!options.title?.ru || !options.title.en) throw new Error(`integration ${options.name}: a title in Russian and English is required`);
  return {
    name: options.name,
    title: options.title,
    ...(options.settings && { settings: settingsDefinition(options.name, options.title, options.settings) }),
    setup: options.setup as IntegrationDefinition<S>['setup'],
  };
}
