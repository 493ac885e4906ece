import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { DomainError } from '../domain/errors.js';
import type { Origin } from '../domain/origin.js';
import { originLabel } from '../domain/origin.js';
import type { DomainEventJobPayload, EntityType } from '../events/domain-events.js';
import type { JobDefinition, JobPayload } from '../jobs/catalog.js';
import type { JobQueueDriver } from '../jobs/driver.js';
import type { SettingsRegistry } from '../settings/registry.js';
import type { SettingsStore } from '../store/settings.js';
import { assertEntityExists } from '../store/entities.js';
import { transact } from '../store/transaction.js';

/**
 * «Отправить повторно»: an integration names the job that sends one entity of a type to its
 * system. The core enqueues that job on request and knows nothing else about it.
 */
export interface ResendTarget<TPayload extends JobPayload = DomainEventJobPayload> {
  /** Integration name, as in the sync log, e.g. `bitrix24`. */
  system: string;
  entityType: EntityType;
  /** The job that sends one entity, e.g. `bitrix24.exportOrder` (its definition, checked at start-up). */
  job: JobDefinition<TPayload>;
  /**
   * The job's payload. By default the shape subscription jobs get from domain events (without
   * an event): `{ eventId: null, type: 'sync.resend', entityType, entityId, data: { requestedBy }, origin }`,
   * so the handler that exports on events resends as well.
   */
  payload?(entityId: number, requestedBy: Origin): TPayload;
}

export interface ResendResult {
  system: string;
  job: string;
  /** Null when a pending job for the same entity already waits: it will send the current state. */
  jobId: string | null;
  collapsed: boolean;
}

export class ResendRegistry {
  readonly #targets = new Map<string, ResendTarget<JobPayload>>();

  add<TPayload extends JobPayload>(target: ResendTarget<TPayload>): this {
    const key = `${target.system}/${target.entityType}`;
    if (this.#targets.has(key)) throw new Error(`resend of ${target.entityType} to ${target.system} is defined twice`);
    this.#targets.set(key, target as unknown as ResendTarget<JobPayload>);
    return this;
  }

  find(system: string, entityType: EntityType): ResendTarget<JobPayload> | undefined {
    return this.#targets.get(`${system}/${entityType}`);
  }

  all(): ResendTarget<JobPayload>[] {
    return [...this.#targets.values()];
  }

  /** Systems an entity of this type can be resent to. */
  systemsFor(entityType: EntityType): string[] {
    return [...this.#targets.values()].filter((t) => t.entityType === entityType).map((t) => t.system);
  }
}

export class ResendService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly queue: JobQueueDriver,
    readonly registry: ResendRegistry,
    private readonly settingsRegistry: SettingsRegistry,
    private readonly settings: SettingsStore,
  ) {}

  /** Of these systems, those whose integration is switched on (or has no settings to switch). */
  async enabledAmong(systems: readonly string[]): Promise<string[]> {
    const enabled: string[] = [];
    for (const system of systems) {
      if (await this.settings.isEnabled(system)) enabled.push(system);
    }
    return enabled;
  }

  /**
   * Enqueues the integration's send job for one entity. The collapse key is the one domain
   * events use (`order:42`), so a resend while an export is pending adds nothing.
   */
  async resend(entityType: EntityType, entityId: number, system: string, requestedBy: Origin): Promise<ResendResult> {
    const target = this.registry.find(system, entityType);
    if (!target) {
      const known = this.registry.systemsFor(entityType);
      throw new DomainError(
        'not_found',
        `no integration named "${system}" can resend a ${entityType}` + (known.length ? ` (these can: ${known.join(', ')})` : ' (none is installed)'),
      );
    }
    await assertEntityExists(this.db, entityType, entityId);
    if (!(await this.settings.isEnabled(system))) {
      const title = this.settingsRegistry.require(system).title.en;
      throw new DomainError('conflict', `${title} is switched off in its settings; switch it on to send`);
    }
    const payload: JobPayload = target.payload?.(entityId, requestedBy) ?? {
      eventId: null,
      type: 'sync.resend',
      entityType,
      entityId,
      data: { requestedBy: originLabel(requestedBy) },
      origin: requestedBy,
    };
    const jobId = await transact(this.db, (trx) => this.queue.enqueue(trx, { name: target.job.name, key: `${entityType}:${entityId}`, payload }));
    return { system, job: target.job.name, jobId, collapsed: jobId === null };
  }
}
