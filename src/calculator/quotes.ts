import type { CalculatorEngine as EngineName, Product } from '../domain/catalog.js';
import { CALCULATOR_ENGINE_LABELS } from '../domain/catalog.js';
import type { CategoryStore } from '../store/categories.js';
import type { ProductStore } from '../store/products.js';
import { builtinEngine } from './builtin.js';
import type { CalculatorEngine, CalculatorForm, EngineQuote, ParameterValue, QuoteRequest } from './engine.js';

export interface ProductQuote extends EngineQuote {
  productId: number;
  /** The engine that priced it. */
  engine: EngineName;
  /** The engine the product's category chose; null for a product without a category. */
  categoryEngine: EngineName | null;
}

export interface ProductCalculator extends CalculatorForm {
  productId: number;
  categoryEngine: EngineName | null;
}

/**
 * Picks a product's engine and asks it. A category prices with the engine it chose only when
 * that engine is its primary one («Использовать калькулятор в качестве основного»); otherwise the
 * product's tiers price it. Engines other than the builtin one come from integrations.
 */
export class QuoteService {
  readonly #engines = new Map<EngineName, CalculatorEngine>([['builtin', builtinEngine]]);

  constructor(
    private readonly products: ProductStore,
    private readonly categories: CategoryStore,
  ) {}

  register(engine: CalculatorEngine): void {
    if (this.#engines.has(engine.engine)) throw new Error(`calculator engine "${engine.engine}" is registered twice`);
    this.#engines.set(engine.engine, engine);
  }

  /** `chosen`: the values already picked, by parameter key (the form narrows what is still possible). */
  async form(productId: number, chosen?: Record<string, ParameterValue>): Promise<ProductCalculator> {
    const { product, engine, categoryEngine } = await this.#resolve(productId);
    return { productId, categoryEngine, ...(await engine.form(product, chosen)) };
  }

  /** `path` prefixes problems: `body` makes them `body.quantity`, `body.parameters.<key>`. */
  async quote(productId: number, request: QuoteRequest, path = 'body'): Promise<ProductQuote> {
    const { product, engine, categoryEngine, warning } = await this.#resolve(productId);
    const quote = await engine.quote(product, request, path);
    return { productId, engine: engine.engine, categoryEngine, ...quote, warnings: warning ? [warning, ...quote.warnings] : quote.warnings };
  }

  async #resolve(productId: number): Promise<{ product: Product; engine: CalculatorEngine; categoryEngine: EngineName | null; warning?: string }> {
    const product = await this.products.get(productId);
    const category = product.categoryId === null ? null : await this.categories.get(product.categoryId);
    const categoryEngine = category?.calculatorEngine ?? null;
    if (!category || !category.calculatorPrimary || category.calculatorEngine === 'builtin') return { product, engine: builtinEngine, categoryEngine };
    const engine = this.#engines.get(category.calculatorEngine);
    // An engine this build does not have priced nothing yet; the tiers do, and the answer says so.
    // An engine that is installed but cannot answer never falls back: its errors reach the caller.
    if (!engine) {
      const warning = `калькулятор ${CALCULATOR_ENGINE_LABELS[category.calculatorEngine]} не подключён в этой установке: цена по тиражности продукта`;
      return { product, engine: builtinEngine, categoryEngine, warning };
    }
    return { product, engine, categoryEngine };
  }
}
