import type { IntegrationContext } from '../../../platform/context.js';
import { DomainError } from '../../../domain/errors.js';
import type { IntegrationRecord } from '../../../store/integration-records.js';
import type { SiteLabels } from './choices.js';
import { ErpError } from './client.js';
import type { ErpMember, ErpSettingsBase } from './family.js';
import type { ErpTemplate, StoredTemplate } from './template.js';
import { pricedParams } from './template.js';

const TEMPLATE = 'template';

/** Which template prices a product, and the site labels of its parameters («Название параметра на сайте»). */
export interface TemplateBinding {
  templateId: string;
  labels: SiteLabels;
  boundAt: string;
}

export interface SyncResult {
  templates: number;
  /** Templates read anew because they were new or their version changed. */
  updated: string[];
  /** Templates the ERP no longer lists (kept, flagged on the products that use them). */
  missing: string[];
}

/**
 * The ERP's templates as printsync keeps them (AS-4, AX-2): «Синхронизировать шаблоны» reads the
 * list and every new or changed template, keeps the model and the raw JSON, and flags — never
 * drops — a template the ERP stopped listing; products keep their binding and say it is gone.
 */
export class TemplateLibrary<S extends ErpSettingsBase> {
  readonly #listeners: Array<() => void> = [];

  constructor(
    private readonly context: IntegrationContext<S>,
    private readonly member: ErpMember<S>,
  ) {}

  /** Called after any template or binding changes in this process (caches of them go stale). */
  onChange(listener: () => void): void {
    this.#listeners.push(listener);
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }

  async sync(signal?: AbortSignal): Promise<SyncResult> {
    const settings = (await this.context.settings.require()).settings;
    const client = this.member.client(settings);
    const list = await client.get<unknown>('/templates', { ...(signal && { signal }) });
    if (!Array.isArray(list)) throw new ErpError(this.member.name, 'not-erp', `${this.member.product} ответил на /templates не списком шаблонов`);
    const summaries = list.map((raw) => this.member.toSummary(raw));
    const known = new Map((await this.context.records.list<StoredTemplate>(TEMPLATE)).map((record) => [record.key, record]));
    const updated: string[] = [];
    for (const summary of summaries) {
      const stored = known.get(summary.id);
      const unchanged = stored && !stored.missingSince && summary.version !== null && stored.data.template.version === summary.version;
      if (unchanged) continue;
      await this.#fetch(summary.id, signal);
      updated.push(summary.id);
    }
    const missing = await this.context.records.markMissing(TEMPLATE, summaries.map((s) => s.id));
    this.#changed();
    return { templates: summaries.length, updated, missing };
  }

  /** Reads one template anew (after the ERP said a parameter is unknown: renamed there). */
  async refresh(templateId: string, signal?: AbortSignal): Promise<StoredTemplate> {
    return this.#fetch(templateId, signal);
  }

  async #fetch(templateId: string, signal?: AbortSignal): Promise<StoredTemplate> {
    const settings = (await this.context.settings.require()).settings;
    const raw = await this.member.client(settings).get<unknown>(`/templates/${encodeURIComponent(templateId)}`, { ...(signal && { signal }) });
    const stored: StoredTemplate = { template: this.member.toTemplate(raw), raw, syncedAt: this.context.clock.now().toISOString() };
    await this.context.records.put(TEMPLATE, templateId, stored);
    this.#changed();
    return stored;
  }

  list(): Promise<Array<IntegrationRecord<StoredTemplate>>> {
    return this.context.records.list<StoredTemplate>(TEMPLATE);
  }

  stored(templateId: string): Promise<IntegrationRecord<StoredTemplate> | null> {
    return this.context.records.get<StoredTemplate>(TEMPLATE, templateId);
  }

  async binding(productId: number): Promise<TemplateBinding | null> {
    const state = await this.context.state.get('product', productId);
    return state && typeof state.templateId === 'string' ? (state as unknown as TemplateBinding) : null;
  }

  /**
   * Binds a product to a synced template (null unbinds). Labels are checked against the
   * template's parameters; an empty label means «the ERP's name».
   */
  async bind(productId: number, templateId: string | null, labels: SiteLabels = {}): Promise<TemplateBinding | null> {
    await this.context.stores.products.get(productId);
    if (templateId === null) {
      await this.context.state.set('product', productId, {});
      this.#changed();
      return null;
    }
    const stored = await this.stored(templateId);
    if (!stored) {
      throw new DomainError('validation_failed', `body.templateId: шаблона ${templateId} нет среди синхронизированных; нажмите «Синхронизировать шаблоны с сервером ${this.member.product}»`, [
        { path: 'body.templateId', message: 'нет среди синхронизированных шаблонов' },
      ]);
    }
    const keys = new Set(pricedParams(stored.data.template).map((p) => p.key));
    const clean: SiteLabels = Object.create(null) as SiteLabels;
    for (const [key, label] of Object.entries(labels)) {
      if (!keys.has(key)) throw new DomainError('validation_failed', `body.labels.${key}: в шаблоне «${stored.data.template.name}» нет такого параметра`, [{ path: `body.labels.${key}`, message: 'нет такого параметра в шаблоне' }]);
      if (label.trim()) clean[key] = label.trim();
    }
    const binding: TemplateBinding = { templateId, labels: clean, boundAt: this.context.clock.now().toISOString() };
    await this.context.state.set('product', productId, { ...binding });
    this.#changed();
    return binding;
  }

  /** The product's template, or a clear refusal: no template chosen, or the ERP removed it. */
  async templateOf(productId: number): Promise<{ binding: TemplateBinding; template: ErpTemplate; missingSince: string | null }> {
    const binding = await this.binding(productId);
    if (!binding) throw new DomainError('conflict', `у товара ${productId} не выбран шаблон ${this.member.product}`);
    const stored = await this.stored(binding.templateId);
    if (!stored) throw new DomainError('conflict', `шаблон ${binding.templateId} товара ${productId} не синхронизирован: синхронизируйте шаблоны ${this.member.product}`);
    return { binding, template: stored.data.template, missingSince: stored.missingSince };
  }
}
