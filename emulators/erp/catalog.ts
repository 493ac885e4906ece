import { ErpApiError, erpErrors } from './errors.js';
import type { PriceList, PricedParam, TemplateRecord } from './model.js';
import { seedTemplates } from './seed.js';

/**
 * The ERP's templates and what a technologist does to them: rename a parameter, change the price
 * list, bump the version, delete a template. Every change bumps `version` and `updatedAt`, as a
 * saved template does in the ERP.
 */
export class TemplateCatalog {
  private templates = new Map<string, TemplateRecord>();

  constructor(
    private readonly now: () => Date,
    private readonly changed: () => void,
  ) {
    this.reset();
  }

  reset(): void {
    this.load(seedTemplates());
  }

  load(templates: TemplateRecord[]): void {
    this.templates = new Map(templates.map((t) => [t.id, t]));
  }

  list(): TemplateRecord[] {
    return [...this.templates.values()];
  }

  find(id: string): TemplateRecord | undefined {
    return this.templates.get(id);
  }

  get(id: string): TemplateRecord {
    const template = this.templates.get(id);
    if (!template) throw erpErrors.templateNotFound(id);
    return template;
  }

  /** Renames a parameter wherever it is (order, a detail, an operation); `group` narrows it to one detail or operation. */
  renameParam(id: string, from: string, to: string, group?: string): TemplateRecord {
    const template = this.get(id);
    const params = allParams(template, group).filter((p) => p.name === from);
    if (params.length === 0) throw new ErpApiError(404, 'PARAM_NOT_FOUND', `В шаблоне «${template.name}» нет параметра «${from}»`);
    for (const param of params) param.name = to;
    return this.touch(template);
  }

  /** Replaces parts of the price list (`null` removes it: the template has no prices). */
  setPrices(id: string, patch: Partial<PriceList> | null): TemplateRecord {
    const template = this.get(id);
    if (patch === null) template.prices = null;
    else {
      const base = template.prices ?? { setup: 0, tiers: [{ from: template.quantity.min, unit: 1 }], productionDays: 1 };
      template.prices = { ...base, ...patch };
    }
    return this.touch(template);
  }

  /** Multiplies every tier's unit price: a price rise (`1.1`) or a discount. */
  scalePrices(id: string, factor: number): TemplateRecord {
    const template = this.get(id);
    if (!template.prices) throw erpErrors.noPrices(template.name);
    template.prices.tiers = template.prices.tiers.map((tier) => ({ ...tier, unit: Math.round(tier.unit * factor * 10_000) / 10_000 }));
    return this.touch(template);
  }

  bumpVersion(id: string): TemplateRecord {
    return this.touch(this.get(id));
  }

  remove(id: string): void {
    this.get(id);
    this.templates.delete(id);
    this.changed();
  }

  private touch(template: TemplateRecord): TemplateRecord {
    template.version += 1;
    template.updatedAt = this.now().toISOString();
    this.changed();
    return template;
  }
}

function allParams(template: TemplateRecord, group: string | undefined): PricedParam[] {
  const groups = [...template.details, ...template.operations].filter((g) => group === undefined || g.name === group);
  return [...(group === undefined ? template.orderParams : []), ...groups.flatMap((g) => g.params)];
}
