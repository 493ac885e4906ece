import { invalidField } from '../domain/errors.js';
import type { Product } from '../domain/catalog.js';
import { quoteFromTiers } from '../domain/catalog.js';
import type { CalculatorEngine, CalculatorForm, EngineQuote, QuoteRequest } from './engine.js';

/** The builtin engine: the product's own quantity tiers («тиражность»), no parameters. */
export const builtinEngine: CalculatorEngine = {
  engine: 'builtin',

  async form(product: Product): Promise<CalculatorForm> {
    const { tiers } = product;
    return {
      engine: 'builtin',
      parameters: [],
      quantity: tiers.mode === 'presets' ? { presets: tiers.presets.map((p) => p.quantity) } : { min: tiers.min, max: tiers.max, step: tiers.step },
    };
  },

  async quote(product: Product, request: QuoteRequest, path: string): Promise<EngineQuote> {
    const [unknown] = Object.keys(request.parameters);
    if (unknown !== undefined) throw invalidField(`${path}.parameters.${unknown}`, 'this product is priced by its quantity alone and has no parameters');
    const quote = quoteFromTiers(product.tiers, request.quantity, `${path}.quantity`);
    return {
      ...quote,
      currency: product.currency,
      breakdown: [],
      warnings: [],
      parameters: {},
      source: { engine: 'builtin', pricedAt: new Date().toISOString(), cached: false },
    };
  },
};
