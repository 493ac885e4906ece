import type { CalculatorEngine } from '../../src/calculator/engine.js';
import { DomainError, invalidField } from '../../src/domain/errors.js';
import { IntegrationError } from '../../src/platform/errors.js';
import type { TestApi } from './api-server.js';

/**
 * A calculator engine for the widget's tests, standing in for any engine with parameters: paper
 * (select) and sides (select). Price: quantity × paper's unit price × sides, plus 300 ₽ setup.
 * `fault` makes it fail as an engine whose system is down or refuses a choice.
 */
export function fakeEngine(name: 'poly1c' | 'axiom' = 'poly1c'): CalculatorEngine & { fault: null | 'unavailable' | 'rejected' | 'crash'; quotes: number } {
  const paper: Record<string, number> = { coated: 10_00, matte: 15_00, designer: 25_00 };
  const engine = {
    engine: name,
    fault: null as null | 'unavailable' | 'rejected' | 'crash',
    quotes: 0,
    /** Options depend on each other, as in a price matrix: designer paper is printed on one side only. */
    async form(_product: unknown, chosen: Record<string, unknown> = {}) {
      const oneSided = chosen.paper === 'designer';
      return {
        engine: name,
        parameters: [
          { key: 'paper', label: 'Бумага', sourceName: 'Бумага', group: 'Параметры заказа', type: 'select' as const, required: true, default: 'coated', options: [{ value: 'coated', label: 'Мелованная' }, { value: 'matte', label: 'Матовая' }, { value: 'designer', label: 'Дизайнерская' }] },
          { key: 'sides', label: 'Печать', sourceName: 'Печать', group: 'Параметры заказа', type: 'select' as const, required: true, default: '1', options: oneSided ? [{ value: '1', label: '4+0' }] : [{ value: '1', label: '4+0' }, { value: '2', label: '4+4' }] },
        ],
        quantity: { min: 10, max: 10_000, step: 10, presets: [100, 500, 1000] },
      };
    },
    async quote(product: { currency: string }, request: { quantity: number; parameters: Record<string, unknown> }, path: string) {
      engine.quotes++;
      if (engine.fault === 'unavailable') throw new DomainError('unavailable', 'Калькулятор 1С временно недоступен: нет ответа');
      if (engine.fault === 'rejected') throw new IntegrationError(name, 'rejected', 'ERP refused the choice');
      if (engine.fault === 'crash') throw new Error('boom: internal detail');
      const chosenPaper = String(request.parameters.paper ?? 'coated');
      const sides = String(request.parameters.sides ?? '1');
      for (const key of Object.keys(request.parameters)) if (key !== 'paper' && key !== 'sides') throw invalidField(`${path}.parameters.${key}`, 'is not a parameter of this product');
      if (!(chosenPaper in paper)) throw invalidField(`${path}.parameters.paper`, `«${chosenPaper}» is not offered`);
      if (sides !== '1' && (sides !== '2' || chosenPaper === 'designer')) throw invalidField(`${path}.parameters.sides`, `«${sides}» is not offered`);
      if (request.quantity < 10 || request.quantity > 10_000 || request.quantity % 10 !== 0) throw invalidField(`${path}.quantity`, 'must be 10…10000 in steps of 10');
      const print = request.quantity * paper[chosenPaper]! * Number(sides);
      const total = print + 300_00;
      return {
        quantity: request.quantity,
        total,
        unitPrice: Math.round(total / request.quantity),
        currency: product.currency,
        breakdown: [
          { name: 'Печать', amount: print },
          { name: 'Приладка', amount: 300_00 },
        ],
        warnings: [],
        parameters: { paper: chosenPaper, sides },
        source: { engine: name, pricedAt: new Date().toISOString(), cached: false },
      };
    },
  };
  return engine;
}

/** A category priced by `engine` with the given widget options, and a product in it. */
export async function widgetCatalog(api: TestApi, engineName: string, widget: Record<string, unknown> = {}, products = 1): Promise<{ categoryId: number; productIds: number[] }> {
  const category = await api.request<{ id: number }>('POST', '/api/v1/categories', { name: 'Листовки', calculatorEngine: engineName, calculatorPrimary: true, widget });
  if (category.status !== 201) throw new Error(`category: ${JSON.stringify(category.body)}`);
  const productIds: number[] = [];
  for (let i = 0; i < products; i++) {
    const product = await api.request<{ id: number }>('POST', '/api/v1/products', {
      name: i === 0 ? 'Листовка А5' : `Листовка ${i + 1}`,
      categoryId: category.body.id,
      tiers: { mode: 'presets', presets: [{ quantity: 100, price: 100_00 }] },
    });
    if (product.status !== 201) throw new Error(`product: ${JSON.stringify(product.body)}`);
    productIds.push(product.body.id);
  }
  return { categoryId: category.body.id, productIds };
}

/** A site allowed from `origins`; its public key. */
export async function widgetSite(api: TestApi, origins: string[], name = 'Сайт типографии'): Promise<{ id: number; key: string }> {
  const site = await api.request<{ id: number; key: string }>('POST', '/api/v1/widget-sites', { name, origins });
  if (site.status !== 201) throw new Error(`site: ${JSON.stringify(site.body)}`);
  return site.body;
}
