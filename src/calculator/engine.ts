import type { CalculatorEngine as EngineName } from '../domain/catalog.js';
import type { Product } from '../domain/catalog.js';

/**
 * One calculator interface (CALC-1): whatever prices a product — its own quantity tiers, an
 * ERP's template, a 1C price matrix — answers the same two questions, so the panel, the API and
 * the storefront widget never know which engine is behind a category.
 */
export type ParameterValue = string | number | boolean;

export interface CalculatorOption {
  value: string;
  label: string;
}

/** One choice the buyer (or a manager) makes. */
export interface CalculatorParameter {
  /** Stable across renames in the other system: what a quote request's `parameters` are keyed by. */
  key: string;
  /** What the buyer sees: the site label when the shop set one, else the engine's own name. */
  label: string;
  /** The engine's own name for it (ASystem's parameter name). */
  sourceName: string;
  /** «Параметры заказа», or the detail/operation it belongs to («Флаер», «Упаковка»). */
  group: string;
  type: 'number' | 'integer' | 'string' | 'text' | 'select' | 'boolean' | 'date';
  required: boolean;
  /** For `select`: the values still possible. */
  options?: CalculatorOption[] | undefined;
  default?: ParameterValue | undefined;
  min?: number | undefined;
  max?: number | undefined;
  step?: number | undefined;
  unit?: string | undefined;
}

export interface QuantityRule {
  min?: number | undefined;
  max?: number | undefined;
  step?: number | undefined;
  presets?: number[] | undefined;
}

/** What a calculator shows for a product: its parameters and which quantities can be ordered. */
export interface CalculatorForm {
  engine: EngineName;
  parameters: CalculatorParameter[];
  quantity: QuantityRule;
  /** What the form could not follow (a chosen value no longer possible, a product preset the template lacks). */
  warnings?: string[] | undefined;
}

export interface QuoteRequest {
  quantity: number;
  parameters: Record<string, ParameterValue>;
}

export interface EngineQuote {
  quantity: number;
  /** Minor units (kopecks). */
  total: number;
  unitPrice: number;
  currency: string;
  breakdown: Array<{ name: string; amount: number }>;
  warnings: string[];
  /** The parameters the price is for, by key, defaults filled in. */
  parameters: Record<string, ParameterValue>;
  /**
   * The same choices as a person reads them — by label, options by their labels — when the keys
   * are an engine's codes (`p-paper: coated-300` is «Бумага: Мелованная 300 г/м²»). An order line
   * priced from the quote keeps these: the card, Bitrix24 and 1C show them. Absent when the keys
   * are the names already.
   */
  readable?: Record<string, ParameterValue> | undefined;
  /** Where the price came from. */
  source: QuoteSource;
}

/** Whether two sets of choices are the same: the same keys with the same values. */
export function sameChoices(a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.prototype.hasOwnProperty.call(b, key) && a[key] === b[key]);
}

export interface QuoteSource {
  engine: EngineName;
  /** The engine's own template, when it has one. */
  templateId?: string | undefined;
  templateVersion?: number | null | undefined;
  /** When the engine priced it (for a cached answer: when it was first priced). */
  pricedAt: string;
  /** Served from the engine's cache rather than asked anew. */
  cached: boolean;
  productionDays?: number | undefined;
}

/**
 * An engine. Validation problems are `DomainError`s whose paths name the parameter
 * (`parameters.<key>`, prefixed by the caller's path); an engine that cannot answer now
 * (its system is down) throws `DomainError('unavailable', …)`.
 */
export interface CalculatorEngine {
  readonly engine: EngineName;
  /**
   * `chosen`: values already picked, by key. An engine whose options depend on each other (a 1C
   * price matrix) offers only the values still possible with them and preselects them as
   * `default`; others may ignore it.
   */
  form(product: Product, chosen?: Record<string, ParameterValue>): Promise<CalculatorForm>;
  quote(product: Product, request: QuoteRequest, path: string): Promise<EngineQuote>;
}
