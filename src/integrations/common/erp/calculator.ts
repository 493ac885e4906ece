import type { CalculatorEngine, CalculatorForm, EngineQuote, ParameterValue, QuoteRequest } from '../../../calculator/engine.js';
import type { CalculatorEngine as EngineName, Product } from '../../../domain/catalog.js';
import { DomainError, invalidField } from '../../../domain/errors.js';
import type { IntegrationContext } from '../../../platform/context.js';
import type { SiteLabels } from './choices.js';
import { keyOfErpName, labelOf, resolveChoices, toErpValues } from './choices.js';
import { ErpError } from './client.js';
import type { ErpMember, ErpSettingsBase } from './family.js';
import { ExpiringCache } from './expiring-cache.js';
import type { ErpTemplate } from './template.js';
import { ORDER_GROUP_NAME, pricedParams } from './template.js';
import type { TemplateLibrary } from './templates.js';

/** How long an ERP's price is reused: prices change rarely, but an order must never carry an old one. */
export const QUOTE_LIFETIME_MS = 60_000;

/**
 * How long a product's settings, binding and template are reused between quotes. A shopper
 * changing options asks many quotes a second; a template sync or a new binding made in this
 * process clears them at once; saved settings, and changes made by another process, show within this.
 */
export const PRICING_CONTEXT_MS = 2_000;

interface PricingContext {
  settings: ErpSettingsBase;
  binding: { labels: SiteLabels };
  template: ErpTemplate;
}

interface CalcAnswer {
  price?: unknown;
  unitPrice?: unknown;
  currency?: unknown;
  breakdown?: unknown;
  productionDays?: unknown;
  warnings?: unknown;
  templateVersion?: unknown;
}

/**
 * The ERP as a category's primary calculator (AS-6, AX-2): the product's template gives the
 * form, the ERP prices each choice. Answers are cached by (template, version, parameters,
 * quantity) for `QUOTE_LIFETIME_MS`; past that the ERP is asked again, and when it cannot
 * answer the quote says so — no older price is served.
 */
export class ErpCalculator<S extends ErpSettingsBase> implements CalculatorEngine {
  readonly engine: EngineName;
  readonly #cache: ExpiringCache<EngineQuote>;
  readonly #contexts: ExpiringCache<PricingContext>;

  constructor(
    private readonly context: IntegrationContext<S>,
    private readonly member: ErpMember<S>,
    private readonly templates: TemplateLibrary<S>,
    lifetimeMs = QUOTE_LIFETIME_MS,
  ) {
    this.engine = member.name as EngineName;
    const now = () => context.clock.now().getTime();
    this.#cache = new ExpiringCache(lifetimeMs, now);
    this.#contexts = new ExpiringCache(PRICING_CONTEXT_MS, now, 1_000);
    templates.onChange(() => this.#contexts.clear());
  }


  async form(product: Product): Promise<CalculatorForm> {
    const { binding, template } = await this.#template(product);
    return {
      engine: this.engine,
      quantity: template.quantity,
      parameters: pricedParams(template).map((located) => ({
        key: located.key,
        label: labelOf(located, binding.labels),
        sourceName: located.param.name,
        group: located.group.kind === 'order' ? ORDER_GROUP_NAME : located.group.name,
        type: located.param.type,
        required: located.param.required,
        options: located.param.options,
        default: located.param.default,
        min: located.param.min,
        max: located.param.max,
        step: located.param.step,
        unit: located.param.unit,
      })),
    };
  }

  async quote(product: Product, request: QuoteRequest, path: string): Promise<EngineQuote> {
    const { binding, template, settings } = await this.#pricingContext(product);
    const values = this.#choices(template, binding.labels, request, path);
    const key = JSON.stringify([template.id, template.version, request.quantity, [...values].sort(([a], [b]) => (a < b ? -1 : 1))]);
    const cached = this.#cache.get(key);
    if (cached) return { ...cached, source: { ...cached.source, cached: true } };
    const quote = await this.#ask(settings as S, template, binding.labels, values, request.quantity, path, true);
    this.#cache.set(key, quote);
    return quote;
  }

  async #pricingContext(product: Product): Promise<PricingContext> {
    const key = String(product.id);
    const cached = this.#contexts.get(key);
    if (cached) return cached;
    const { binding, template } = await this.#template(product);
    const fresh = { settings: (await this.context.settings.require()).settings, binding, template };
    this.#contexts.set(key, fresh);
    return fresh;
  }

  async #template(product: Product): Promise<{ binding: { labels: SiteLabels }; template: ErpTemplate }> {
    const saved = await this.context.settings.get();
    if (!saved?.enabled) throw new DomainError('unavailable', `Калькулятор ${this.member.product} недоступен: интеграция с ${this.member.product} выключена`);
    const { binding, template, missingSince } = await this.templates.templateOf(product.id);
    if (missingSince) throw new DomainError('conflict', `шаблон «${template.name}» удалён в ${this.member.product}: выберите для товара другой шаблон`);
    return { binding, template };
  }

  #choices(template: ErpTemplate, labels: SiteLabels, request: QuoteRequest, path: string): Map<string, ParameterValue> {
    const quantityProblem = quantityOutside(template, request.quantity);
    if (quantityProblem) throw invalidField(`${path}.quantity`, quantityProblem);
    const { values, problems } = resolveChoices(template, labels, request.parameters, `${path}.parameters`);
    if (problems.length) throw new DomainError('validation_failed', problems.map((p) => `${p.path}: ${p.message}`).join('; '), problems);
    return values;
  }

  async #ask(settings: S, template: ErpTemplate, labels: SiteLabels, values: Map<string, ParameterValue>, quantity: number, path: string, mayRefresh: boolean): Promise<EngineQuote> {
    const defaults = this.member.orderDefaults(settings);
    let answer: CalcAnswer;
    try {
      answer = await this.member.client(settings).post<CalcAnswer>(`/templates/${encodeURIComponent(template.id)}/calculate`, {
        quantity,
        ...toErpValues(template, values),
        ...(defaults.counterpartyId && { counterpartyId: defaults.counterpartyId }),
      });
    } catch (error) {
      if (!(error instanceof ErpError)) throw error;
      // A parameter the ERP no longer knows by that name was renamed there: read the template anew once.
      if (mayRefresh && (error.code === 'PARAM_UNKNOWN' || error.kind === 'missing')) {
        const fresh = (await this.templates.refresh(template.id)).template;
        const renamed = new Map([...values].filter(([key]) => pricedParams(fresh).some((p) => p.key === key)));
        return this.#ask(settings, fresh, labels, renamed, quantity, path, false);
      }
      throw this.#refusal(error, template, labels, path);
    }
    return this.#toQuote(answer, template, labels, values, quantity);
  }

  #refusal(error: ErpError, template: ErpTemplate, labels: SiteLabels, path: string): Error {
    const product = this.member.product;
    if (error.kind === 'call' && error.code === 'TEMPLATE_HAS_NO_PRICES') return new DomainError('conflict', `в шаблоне «${template.name}» ${product} нет цен: заполните прайс шаблона в ${product}`);
    if (error.kind === 'call') {
      const key = error.param ? keyOfErpName(template, error.param) : undefined;
      const where = key ? `${path}.parameters.${key}` : `${path}.parameters`;
      const located = key ? pricedParams(template).find((p) => p.key === key) : undefined;
      const message = `${located ? `«${labelOf(located, labels)}»: ` : ''}${error.message}`;
      return invalidField(where, message);
    }
    if (error.kind === 'missing') return new DomainError('conflict', `шаблон «${template.name}» не найден в ${product}: синхронизируйте шаблоны`);
    return new DomainError('unavailable', `Калькулятор ${product} временно недоступен: ${error.message}`);
  }

  #toQuote(answer: CalcAnswer, template: ErpTemplate, labels: SiteLabels, values: Map<string, ParameterValue>, quantity: number): EngineQuote {
    if (typeof answer.price !== 'number' || !Number.isFinite(answer.price) || answer.price < 0) {
      throw new DomainError('unavailable', `Калькулятор ${this.member.product} временно недоступен: ответ без цены`);
    }
    const total = toKopecks(answer.price);
    const breakdown = Array.isArray(answer.breakdown)
      ? answer.breakdown
          .filter((row): row is { name: string; amount: number } => typeof row?.name === 'string' && typeof row?.amount === 'number')
          .map((row) => ({ name: row.name, amount: toKopecks(row.amount) }))
      : [];
    return {
      quantity,
      total,
      unitPrice: typeof answer.unitPrice === 'number' ? toKopecks(answer.unitPrice) : Math.round(total / quantity),
      currency: typeof answer.currency === 'string' ? answer.currency : 'RUB',
      breakdown,
      warnings: Array.isArray(answer.warnings) ? answer.warnings.filter((w): w is string => typeof w === 'string') : [],
      parameters: Object.fromEntries(values),
      ...readableChoices(template, labels, values),
      source: {
        engine: this.engine,
        templateId: template.id,
        templateVersion: typeof answer.templateVersion === 'number' ? answer.templateVersion : template.version,
        pricedAt: this.context.clock.now().toISOString(),
        cached: false,
        ...(typeof answer.productionDays === 'number' && { productionDays: answer.productionDays }),
      },
    };
  }
}

/**
 * The choices by label, options by their labels — for an order line a person reads. Given only
 * when they read back to exactly the same choices (two parameters with one label, or an option
 * label that is another option's value, would not), so the line can always be priced again.
 */
function readableChoices(template: ErpTemplate, labels: SiteLabels, values: ReadonlyMap<string, ParameterValue>): { readable?: Record<string, ParameterValue> } {
  const params = pricedParams(template);
  const readable: Record<string, ParameterValue> = {};
  for (const [key, value] of values) {
    const located = params.find((p) => p.key === key);
    if (!located) return {};
    const label = labelOf(located, labels);
    if (Object.prototype.hasOwnProperty.call(readable, label)) return {};
    readable[label] = located.param.type === 'select' ? (located.param.options?.find((o) => o.value === value)?.label ?? value) : value;
  }
  const back = resolveChoices(template, labels, readable, 'readable');
  const same = back.problems.length === 0 && back.values.size === values.size && [...values].every(([key, value]) => back.values.get(key) === value);
  return same ? { readable } : {};
}

function toKopecks(rubles: number): number {
  return Math.round(rubles * 100);
}

function quantityOutside(template: ErpTemplate, quantity: number): string | null {
  const rule = template.quantity;
  // Presets alone are the only quantities; beside a range they are suggestions.
  const ranged = rule.min !== undefined || rule.max !== undefined;
  if (!ranged && rule.presets?.length && !rule.presets.includes(quantity)) return `тираж ${quantity} не предусмотрен шаблоном; доступны: ${rule.presets.join(', ')}`;
  if (rule.min !== undefined && quantity < rule.min) return `тираж не меньше ${rule.min}`;
  if (rule.max !== undefined && quantity > rule.max) return `тираж не больше ${rule.max}`;
  if (rule.step && rule.min !== undefined && (quantity - rule.min) % rule.step !== 0) return `тираж кратен ${rule.step} начиная с ${rule.min}`;
  return null;
}
