import { describe, expect, it } from 'vitest';
import type { QuantityTiers } from '../../src/domain/catalog.js';
import {
  MAX_MONEY,
  categoryCreateSchema,
  minimumQuantity,
  parseTiers,
  productCreateSchema,
  quantityProblem,
  quoteFromTiers,
} from '../../src/domain/catalog.js';
import { DomainError } from '../../src/domain/errors.js';
import { DEMO_CATEGORIES, DEMO_PRODUCTS } from '../../src/demo/catalog-seed.js';
import { CARD_TIERS, PHOTO_TIERS } from '../support/catalog-fixtures.js';

const cards = CARD_TIERS;
const photos = PHOTO_TIERS;

const flyers: QuantityTiers = {
  mode: 'range',
  min: 100,
  max: 5000,
  step: 100,
  prices: [
    { fromQuantity: 100, unitPrice: 900 },
    { fromQuantity: 1000, unitPrice: 450 },
  ],
};

function problems(input: unknown): string[] {
  const result = parseTiers(input);
  return result.ok ? [] : result.problems;
}

function quoteError(tiers: QuantityTiers, quantity: number, path?: string): DomainError {
  try {
    quoteFromTiers(tiers, quantity, path);
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error(`quantity ${quantity} was accepted`);
}

describe('quoteFromTiers: presets', () => {
  it('prices each preset as the whole run', () => {
    expect(quoteFromTiers(cards, 100)).toEqual({ quantity: 100, unitPrice: 590, total: 59_000 });
    expect(quoteFromTiers(cards, 1000)).toEqual({ quantity: 1000, unitPrice: 239, total: 239_000 });
  });

  it('rounds the display unit price to a kopeck but keeps the preset price as the total', () => {
    const tiers: QuantityTiers = { mode: 'presets', presets: [{ quantity: 3, price: 1000 }] };
    expect(quoteFromTiers(tiers, 3)).toEqual({ quantity: 3, unitPrice: 333, total: 1000 });
  });

  it('refuses a quantity that is not a preset, listing the presets', () => {
    const error = quoteError(cards, 150, 'body.quantity');
    expect(error.code).toBe('validation_failed');
    expect(error.details).toEqual([{ path: 'body.quantity', message: expect.stringContaining('100, 200, 500, 1000') }]);
    expect(error.message).toMatch(/^body\.quantity: 150 is not one of the preset quantities/);
  });

  it('allows a free preset (price 0)', () => {
    expect(quoteFromTiers({ mode: 'presets', presets: [{ quantity: 1, price: 0 }] }, 1)).toEqual({ quantity: 1, unitPrice: 0, total: 0 });
  });
});

describe('quoteFromTiers: range', () => {
  it('uses the last break at or below the quantity for all units', () => {
    expect(quoteFromTiers(photos, 1)).toEqual({ quantity: 1, unitPrice: 2_500, total: 2_500 });
    expect(quoteFromTiers(photos, 49)).toEqual({ quantity: 49, unitPrice: 2_500, total: 122_500 });
    expect(quoteFromTiers(photos, 50)).toEqual({ quantity: 50, unitPrice: 1_900, total: 95_000 });
    expect(quoteFromTiers(photos, 299)).toEqual({ quantity: 299, unitPrice: 1_900, total: 568_100 });
    expect(quoteFromTiers(photos, 300)).toEqual({ quantity: 300, unitPrice: 1_500, total: 450_000 });
    expect(quoteFromTiers(photos, 1000)).toEqual({ quantity: 1000, unitPrice: 1_500, total: 1_500_000 });
  });

  it('accepts quantities on the steps, min and max included', () => {
    expect(quoteFromTiers(flyers, 100).total).toBe(90_000);
    expect(quoteFromTiers(flyers, 900).total).toBe(810_000);
    expect(quoteFromTiers(flyers, 1000).total).toBe(450_000);
    expect(quoteFromTiers(flyers, 5000).total).toBe(2_250_000);
  });

  it('refuses quantities outside the range', () => {
    expect(quoteError(photos, 1001).message).toBe('quantity: 1001 is outside the range 1…1000');
    expect(quoteError(flyers, 99).message).toBe('quantity: 99 is outside the range 100…5000');
  });

  it('refuses quantities between steps and names the nearest allowed ones', () => {
    expect(quoteError(flyers, 150).message).toBe('quantity: 150 is not on a step of 100 from 100; the nearest allowed: 100 or 200');
    expect(quoteError(flyers, 4999).message).toBe('quantity: 4999 is not on a step of 100 from 100; the nearest allowed: 4900 or 5000');
  });

  it('counts steps from min, not from zero', () => {
    const tiers: QuantityTiers = { mode: 'range', min: 5, max: 25, step: 10, prices: [{ fromQuantity: 5, unitPrice: 100 }] };
    expect(quantityProblem(tiers, 15)).toBeNull();
    expect(quantityProblem(tiers, 10)).toMatch(/nearest allowed: 5 or 15/);
    expect(quoteFromTiers(tiers, 25).total).toBe(2_500);
  });

  it('handles a single-quantity range', () => {
    const tiers: QuantityTiers = { mode: 'range', min: 7, max: 7, step: 1, prices: [{ fromQuantity: 7, unitPrice: 10 }] };
    expect(quoteFromTiers(tiers, 7)).toEqual({ quantity: 7, unitPrice: 10, total: 70 });
    expect(quantityProblem(tiers, 8)).toMatch(/outside the range 7…7/);
  });

  it('refuses zero, negative and fractional quantities', () => {
    for (const quantity of [0, -1, 1.5, Number.NaN]) {
      expect(quoteError(photos, quantity).message).toMatch(/must be a whole number of at least 1/);
      expect(quoteError(cards, quantity).message).toMatch(/must be a whole number of at least 1/);
    }
  });

  it('keeps the largest allowed total a safe integer', () => {
    const tiers = parseTiers({ mode: 'range', min: 1, max: 10, step: 1, prices: [{ fromQuantity: 1, unitPrice: MAX_MONEY / 10 }] });
    expect(tiers.ok).toBe(true);
    if (tiers.ok) expect(quoteFromTiers(tiers.value, 10).total).toBe(MAX_MONEY);
  });
});

describe('tiers validation', () => {
  it('accepts the examples', () => {
    expect(parseTiers(cards).ok).toBe(true);
    expect(parseTiers(photos).ok).toBe(true);
    expect(parseTiers(flyers).ok).toBe(true);
  });

  it('names the preset that is not ascending', () => {
    const tiers = { mode: 'presets', presets: [{ quantity: 100, price: 1 }, { quantity: 200, price: 2 }, { quantity: 200, price: 3 }] };
    expect(problems(tiers)).toEqual([
      'tiers.presets[2].quantity: must be greater than the previous preset (200); list presets in ascending order without repeats',
    ]);
  });

  it('refuses empty presets, negative prices, zero and fractional quantities', () => {
    expect(problems({ mode: 'presets', presets: [] })).toEqual(['tiers.presets: needs at least one preset']);
    expect(problems({ mode: 'presets', presets: [{ quantity: 100, price: -1 }] })).toEqual(['tiers.presets[0].price: must not be negative']);
    expect(problems({ mode: 'presets', presets: [{ quantity: 0, price: 1 }] })).toEqual(['tiers.presets[0].quantity: must be at least 1']);
    expect(problems({ mode: 'presets', presets: [{ quantity: 2.5, price: 1 }] })).toEqual(['tiers.presets[0].quantity: must be a whole number']);
    expect(problems({ mode: 'presets', presets: [{ quantity: 1, price: 10.5 }] })).toEqual([
      'tiers.presets[0].price: must be a whole number of minor units (kopecks)',
    ]);
  });

  it('refuses unknown fields and modes', () => {
    expect(problems({ mode: 'presets', presets: [{ quantity: 1, price: 1, discount: 5 }] })[0]).toMatch(/^tiers\.presets\[0\]/);
    expect(problems({ mode: 'matrix', presets: [] })[0]).toMatch(/^tiers\.mode: /);
  });

  it('refuses min > max and a range with a zero step', () => {
    expect(problems({ mode: 'range', min: 10, max: 5, step: 1, prices: [{ fromQuantity: 10, unitPrice: 1 }] })).toEqual([
      'tiers.max: must not be less than min (10)',
    ]);
    expect(problems({ mode: 'range', min: 1, max: 5, step: 0, prices: [{ fromQuantity: 1, unitPrice: 1 }] })).toEqual([
      'tiers.step: must be at least 1',
    ]);
  });

  it('refuses a max that is not reachable in whole steps and suggests one', () => {
    expect(problems({ mode: 'range', min: 1, max: 1000, step: 100, prices: [{ fromQuantity: 1, unitPrice: 1 }] })).toEqual([
      'tiers.max: must be min (1) plus a whole number of steps (100); e.g. 901 or 1001',
    ]);
  });

  it('requires the price breaks to start at min, ascend and stay within the range', () => {
    const base = { mode: 'range', min: 10, max: 100, step: 10 };
    expect(problems({ ...base, prices: [] })).toEqual(['tiers.prices: needs at least one price']);
    expect(problems({ ...base, prices: [{ fromQuantity: 20, unitPrice: 5 }] })).toEqual([
      'tiers.prices[0].fromQuantity: must equal min (10) so that every quantity in the range has a price',
    ]);
    expect(
      problems({ ...base, prices: [{ fromQuantity: 10, unitPrice: 5 }, { fromQuantity: 50, unitPrice: 4 }, { fromQuantity: 50, unitPrice: 3 }] }),
    ).toEqual(['tiers.prices[2].fromQuantity: must be greater than the previous break (50)']);
    expect(problems({ ...base, prices: [{ fromQuantity: 10, unitPrice: 5 }, { fromQuantity: 200, unitPrice: 4 }] })).toEqual([
      'tiers.prices[1].fromQuantity: must not exceed max (100); this break could never apply',
    ]);
    expect(problems({ ...base, prices: [{ fromQuantity: 10, unitPrice: -5 }] })).toEqual(['tiers.prices[0].unitPrice: must not be negative']);
  });

  it('refuses a unit price whose total at max would exceed the money bound', () => {
    expect(problems({ mode: 'range', min: 1, max: 1000, step: 1, prices: [{ fromQuantity: 1, unitPrice: MAX_MONEY }] })).toEqual([
      `tiers.prices[0].unitPrice: times max (1000) exceeds the largest total ${MAX_MONEY}`,
    ]);
  });

  it('gives the smallest orderable quantity', () => {
    expect(minimumQuantity(cards)).toBe(100);
    expect(minimumQuantity(flyers)).toBe(100);
  });
});

describe('category and product input', () => {
  it('defaults a category to the builtin engine, not primary', () => {
    expect(categoryCreateSchema.parse({ name: ' Визитки ' })).toEqual({
      name: 'Визитки',
      calculatorEngine: 'builtin',
      calculatorPrimary: false,
    });
  });

  it('refuses an unknown engine', () => {
    const result = categoryCreateSchema.safeParse({ name: 'Листовки', calculatorEngine: 'helloprint' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['calculatorEngine']);
  });

  it('upper-cases the currency and defaults it to RUB', () => {
    expect(productCreateSchema.parse({ name: 'Фото 10×15', tiers: photos }).currency).toBe('RUB');
    expect(productCreateSchema.parse({ name: 'Фото 10×15', currency: 'eur', tiers: photos }).currency).toBe('EUR');
    expect(productCreateSchema.safeParse({ name: 'Фото 10×15', currency: 'рубли', tiers: photos }).success).toBe(false);
  });
});

describe('demo catalog seed', () => {
  it('holds only valid tiers, each with an orderable minimum', () => {
    for (const product of DEMO_PRODUCTS) {
      const result = parseTiers(product.tiers);
      expect(result.ok ? [] : result.problems, product.sku).toEqual([]);
      expect(quoteFromTiers(product.tiers, minimumQuantity(product.tiers)).total, product.sku).toBeGreaterThan(0);
    }
    expect(new Set(DEMO_PRODUCTS.map((p) => p.sku)).size).toBe(DEMO_PRODUCTS.length);
  });

  it('names only categories it defines, parents first', () => {
    const keys = DEMO_CATEGORIES.map((c) => c.key);
    DEMO_CATEGORIES.forEach((category, i) => {
      if (category.parent) expect(keys.slice(0, i)).toContain(category.parent);
    });
    for (const product of DEMO_PRODUCTS) expect(keys).toContain(product.category);
  });
});
