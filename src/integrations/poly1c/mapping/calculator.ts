import type { CalculatorEngine, CalculatorForm, CalculatorParameter, EngineQuote, ParameterValue, QuantityRule, QuoteRequest } from '../../../calculator/engine.js';
import type { Product } from '../../../domain/catalog.js';
import { quoteFromTiers } from '../../../domain/catalog.js';
import { DomainError, invalidField } from '../../../domain/errors.js';
import type { IntegrationContext } from '../../../platform/context.js';
import type { SettingsShape } from '../../../settings/definition.js';
import type { Matrix } from './matrix.js';
import { priceFor } from './matrix.js';
import type { PricingContext, TemplateLibrary } from './templates.js';

const PRODUCT = '1С:Полиграфия';
const GROUP = 'Параметры 1С:Полиграфия';

/**
 * The product's 1C template as its category's primary calculator (P1C-3..P1C-5). Each column
 * of the file is a parameter keyed by its name; the options offered are the values of the rows
 * still compatible with what is chosen (and with the product's presets), so no dead end can be
 * picked; a quantity is priced by the product's tier strategy, or by its own tiers when
 * «Брать стоимость шаблона из настроек тиражности продукта» is on.
 */
export class Poly1cCalculator implements CalculatorEngine {
  readonly engine = 'poly1c' as const;

  constructor(
    private readonly context: IntegrationContext<SettingsShape>,
    private readonly templates: TemplateLibrary,
  ) {}

  async form(product: Product, chosen: Record<string, ParameterValue> = {}): Promise<CalculatorForm> {
    const { binding, matrix } = await this.#context(product);
    const warnings: string[] = [];
    const presets = presetCodes(matrix, binding.restrictions, warnings);
    const codes = presets.map((code) => code ?? -1);
    for (const [key, raw] of Object.entries(chosen)) {
      const index = matrix.parameterIndex(key);
      if (index < 0) {
        warnings.push(`параметра «${key}» нет в шаблоне`);
        continue;
      }
      if (presets[index] !== undefined) continue;
      const code = matrix.codeOf(index, String(raw));
      if (code === undefined) warnings.push(`«${key}»: значения «${String(raw)}» нет в шаблоне`);
      else codes[index] = code;
    }
    // A chosen value the others rule out is let go (the latest parameters first), so the form always leads somewhere.
    let options = matrix.options(codes);
    for (let p = codes.length - 1; p >= 0; p--) {
      if (codes[p]! < 0 || presets[p] !== undefined || options[p]!.has(codes[p]!)) continue;
      warnings.push(`«${matrix.parameters[p]!.name}»: «${matrix.parameters[p]!.values[codes[p]!]}» недоступно с остальными выбранными значениями`);
      codes[p] = -1;
      options = matrix.options(codes);
    }
    const parameters: CalculatorParameter[] = matrix.parameters.map((parameter, p) => {
      // A preset is the only value of its parameter for this product.
      const offered = presets[p] !== undefined ? [parameter.values[presets[p]!]!] : parameter.values.filter((_, code) => options[p]!.has(code));
      const picked = codes[p]! >= 0 ? parameter.values[codes[p]!] : offered.length === 1 ? offered[0] : undefined;
      return {
        key: parameter.name,
        label: parameter.name,
        sourceName: parameter.name,
        group: GROUP,
        type: 'select',
        required: true,
        options: offered.map((value) => ({ value, label: value === '' ? '—' : value })),
        ...(picked !== undefined && { default: picked }),
      };
    });
    return {
      engine: this.engine,
      parameters,
      quantity: binding.useTiers ? tierRule(product) : this.#quantityRule(matrix, codes, binding.strategy),
      ...(warnings.length && { warnings }),
    };
  }

  async quote(product: Product, request: QuoteRequest, path: string): Promise<EngineQuote> {
    const { binding, matrix } = await this.#context(product);
    const flagged: string[] = [];
    const presets = presetCodes(matrix, binding.restrictions, flagged);
    if (flagged.length) throw new DomainError('conflict', `Ограничения по значениям параметров ${PRODUCT} не совпадают с загруженным шаблоном: ${flagged.join('; ')}. Измените ограничения товара.`);
    const codes = this.#choices(matrix, presets, request.parameters, `${path}.parameters`);
    const rows = matrix.tiers(codes)!;
    const parameters = Object.fromEntries(matrix.parameters.map((p, i) => [p.name, p.values[codes[i]!]!]));
    const source = { engine: this.engine, templateId: binding.template!.file, templateVersion: null, pricedAt: this.context.clock.now().toISOString(), cached: false };
    if (binding.useTiers) {
      const tiers = quoteFromTiers(product.tiers, request.quantity, `${path}.quantity`);
      return { ...tiers, currency: product.currency, breakdown: [], warnings: [], parameters, source };
    }
    const price = priceFor(rows, request.quantity, binding.strategy, matrix.hasQuantity);
    if ('problem' in price) throw invalidField(`${path}.quantity`, price.problem);
    const total = Math.round(price.total * 100);
    return {
      quantity: request.quantity,
      total,
      unitPrice: Math.round(total / request.quantity),
      currency: product.currency,
      breakdown: [{ name: `Цена по шаблону ${PRODUCT}: ${price.note}`, amount: total }],
      warnings: [],
      parameters,
      source,
    };
  }

  async #context(product: Product): Promise<PricingContext & { matrix: Matrix }> {
    const context = await this.templates.pricing(product.id);
    if (!context.enabled) throw new DomainError('unavailable', `Калькулятор ${PRODUCT} недоступен: интеграция с ${PRODUCT} выключена`);
    if (!context.matrix || !context.binding.template) throw new DomainError('conflict', `к товару «${product.name}» не загружен шаблон ${PRODUCT}: загрузите файл шаблона (.csv)`);
    return context as PricingContext & { matrix: Matrix };
  }

  /** The full combination the request and the presets name; a parameter left out is filled in when one value alone remains. */
  #choices(matrix: Matrix, presets: Array<number | undefined>, requested: Record<string, ParameterValue>, path: string): number[] {
    const codes = presets.map((code) => code ?? -1);
    for (const [key, raw] of Object.entries(requested)) {
      const index = matrix.parameterIndex(key);
      if (index < 0) throw invalidField(`${path}.${key}`, `в шаблоне ${PRODUCT} нет параметра «${key}»; есть: ${matrix.parameters.map((p) => p.name).join(', ') || 'ни одного'}`);
      const value = String(raw);
      const code = matrix.codeOf(index, value);
      const preset = presets[index];
      if (preset !== undefined) {
        if (code !== preset) throw invalidField(`${path}.${key}`, `для товара задано значение «${matrix.parameters[index]!.values[preset]}»`);
        continue;
      }
      if (code === undefined) throw invalidField(`${path}.${key}`, `нет значения «${value}»; есть: ${listOf(matrix.parameters[index]!.values)}`);
      codes[index] = code;
    }
    if (!codes.includes(-1) && matrix.tiers(codes)) return codes;
    // Something is missing or the combination is not in the file: say which parameter, and what it could be.
    for (;;) {
      const options = matrix.options(codes);
      const conflict = lastIndex(codes, (code, p) => code >= 0 && !options[p]!.has(code) && presets[p] === undefined);
      if (conflict >= 0) {
        const name = matrix.parameters[conflict]!.name;
        const possible = matrix.parameters[conflict]!.values.filter((_, code) => options[conflict]!.has(code));
        throw invalidField(
          `${path}.${name}`,
          `«${matrix.parameters[conflict]!.values[codes[conflict]!]}» недоступно с остальными выбранными значениями${possible.length ? `; доступно: ${listOf(possible)}` : ''}`,
        );
      }
      const open = codes.findIndex((code) => code < 0);
      if (open < 0) return codes;
      const possible = [...options[open]!];
      if (possible.length !== 1) {
        const values = matrix.parameters[open]!.values.filter((_, code) => options[open]!.has(code));
        throw invalidField(`${path}.${matrix.parameters[open]!.name}`, `выберите значение: ${listOf(values)}`);
      }
      codes[open] = possible[0]!;
    }
  }

  #quantityRule(matrix: Matrix, codes: readonly number[], strategy: string): QuantityRule {
    if (!matrix.hasQuantity) return { min: 1 };
    const quantities = matrix.quantitiesFor(codes);
    if (strategy === 'exact') return { presets: quantities };
    return { min: quantities[0] ?? 1, presets: quantities };
  }
}

/** Preset codes by parameter position; a preset the template lacks is described in `problems`. */
function presetCodes(matrix: Matrix, restrictions: Record<string, string>, problems: string[]): Array<number | undefined> {
  const codes: Array<number | undefined> = matrix.parameters.map(() => undefined);
  for (const [name, value] of Object.entries(restrictions)) {
    const index = matrix.parameterIndex(name);
    if (index < 0) {
      problems.push(`параметра «${name}» (предзаданное значение «${value}») нет в шаблоне`);
      continue;
    }
    const code = matrix.codeOf(index, value);
    if (code === undefined) problems.push(`значения «${value}» параметра «${name}» нет в шаблоне`);
    else codes[index] = code;
  }
  return codes;
}

function tierRule(product: Product): QuantityRule {
  const { tiers } = product;
  return tiers.mode === 'presets' ? { presets: tiers.presets.map((p) => p.quantity) } : { min: tiers.min, max: tiers.max, step: tiers.step };
}

function lastIndex<T>(items: readonly T[], test: (item: T, index: number) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (test(items[i]!, i)) return i;
  return -1;
}

function listOf(values: readonly string[]): string {
  const shown = values.slice(0, 20).map((v) => `«${v}»`);
  return values.length > 20 ? `${shown.join(', ')} и ещё ${values.length - 20}` : shown.join(', ');
}
