import { z } from 'zod';
import { invalidField } from './errors.js';
import { idSchema } from './ids.js';
import { safeKey } from './keys.js';
import type { WidgetOptions } from './widget.js';
import { widgetOptionsSchema } from './widget.js';

/**
 * The catalog (CORE-2): categories choose a calculator engine, products carry quantity tiers
 * («тиражность») with prices. Money is integer minor units (kopecks for RUB), never floats.
 */

export const CALCULATOR_ENGINES = ['builtin', 'asystem', 'axiom', 'poly1c'] as const;
export type CalculatorEngine = (typeof CALCULATOR_ENGINES)[number];

/** Labels as the admin panel shows them on the category's «Калькулятор» tab. */
export const CALCULATOR_ENGINE_LABELS: Record<CalculatorEngine, string> = {
  builtin: 'Встроенный',
  asystem: 'ASystem',
  axiom: 'Axiom',
  poly1c: '1С:Полиграфия',
};

/** The same in English, for the panel's second language. */
export const CALCULATOR_ENGINE_LABELS_EN: Record<CalculatorEngine, string> = {
  builtin: 'Built-in',
  asystem: 'ASystem',
  axiom: 'Axiom',
  poly1c: '1C:Poligrafiya',
};

/** What `calculatorPrimary` means, in the seed platform's words. */
export const CALCULATOR_PRIMARY_LABEL = 'Использовать калькулятор в качестве основного (в редакторе и панели управления)';

/**
 * Bounds keep every total a safe integer: 10^7 units × 10^11 kopecks would not be, so range
 * prices are also checked against `max` (unit price × max quantity ≤ MAX_MONEY).
 */
export const MAX_QUANTITY = 10_000_000;
/** 1 billion rubles in kopecks: the largest price or total the builtin engine produces. */
export const MAX_MONEY = 100_000_000_000;
export const MAX_PRESETS = 100;
export const MAX_PRICE_BREAKS = 100;

const quantitySchema = z
  .number()
  .int('must be a whole number')
  .min(1, 'must be at least 1')
  .max(MAX_QUANTITY, `must be at most ${MAX_QUANTITY}`);

/** Integer minor units (kopecks): 590 ₽ is 59000. */
export const moneySchema = z
  .number()
  .int('must be a whole number of minor units (kopecks)')
  .min(0, 'must not be negative')
  .max(MAX_MONEY, `must be at most ${MAX_MONEY}`);

/**
 * Fixed quantities («Предзаданные тиражи»): only these quantities can be ordered, each at its
 * own price for the whole run (100 business cards — 590 ₽), not per unit.
 */
const presetTiersSchema = z
  .strictObject({
    mode: z.literal('presets'),
    presets: z
      .array(z.strictObject({ quantity: quantitySchema, price: moneySchema.describe('price of the whole run, minor units') }))
      .min(1, 'needs at least one preset')
      .max(MAX_PRESETS, `at most ${MAX_PRESETS} presets`),
  })
  .superRefine((tiers, ctx) => {
    tiers.presets.forEach((preset, i) => {
      const previous = tiers.presets[i - 1];
      if (previous && preset.quantity <= previous.quantity) {
        ctx.addIssue({
          code: 'custom',
          path: ['presets', i, 'quantity'],
          message: `must be greater than the previous preset (${previous.quantity}); list presets in ascending order without repeats`,
        });
      }
    });
  });

/**
 * A range («Тираж от 1 до 1000 с шагом роста 1, цена за штуку»): any quantity min, min+step, …, max.
 * Each unit costs the unit price of the last break at or below the quantity (all units, not
 * graduated: 300 photos at a break of 300 all cost the 300 price). The first break must be at
 * `min`, so every allowed quantity has a price; `max` must be reachable in whole steps, so the
 * range a customer sees is exactly what can be ordered.
 */
const rangeTiersSchema = z
  .strictObject({
    mode: z.literal('range'),
    min: quantitySchema,
    max: quantitySchema,
    step: quantitySchema,
    prices: z
      .array(z.strictObject({ fromQuantity: quantitySchema, unitPrice: moneySchema.describe('price of one unit, minor units') }))
      .min(1, 'needs at least one price')
      .max(MAX_PRICE_BREAKS, `at most ${MAX_PRICE_BREAKS} price breaks`),
  })
  .superRefine((tiers, ctx) => {
    const issue = (path: Array<string | number>, message: string) => ctx.addIssue({ code: 'custom', path, message });
    // Zod runs refinements even after a field check failed; those fields are reported already.
    if (![tiers.min, tiers.max, tiers.step].every((n) => Number.isSafeInteger(n) && n >= 1)) return;
    if (tiers.min > tiers.max) {
      issue(['max'], `must not be less than min (${tiers.min})`);
      return;
    }
    if ((tiers.max - tiers.min) % tiers.step !== 0) {
      const below = tiers.max - ((tiers.max - tiers.min) % tiers.step);
      issue(['max'], `must be min (${tiers.min}) plus a whole number of steps (${tiers.step}); e.g. ${below} or ${below + tiers.step}`);
    }
    tiers.prices.forEach((price, i) => {
      const previous = tiers.prices[i - 1];
      if (i === 0 && price.fromQuantity !== tiers.min) {
        issue(['prices', 0, 'fromQuantity'], `must equal min (${tiers.min}) so that every quantity in the range has a price`);
      } else if (previous && price.fromQuantity <= previous.fromQuantity) {
        issue(['prices', i, 'fromQuantity'], `must be greater than the previous break (${previous.fromQuantity})`);
      } else if (price.fromQuantity > tiers.max) {
        issue(['prices', i, 'fromQuantity'], `must not exceed max (${tiers.max}); this break could never apply`);
      }
      if (price.unitPrice * tiers.max > MAX_MONEY) {
        issue(['prices', i, 'unitPrice'], `times max (${tiers.max}) exceeds the largest total ${MAX_MONEY}`);
      }
    });
  });

export const tiersSchema = z.discriminatedUnion('mode', [presetTiersSchema, rangeTiersSchema]);
export type PresetTiers = z.output<typeof presetTiersSchema>;
export type RangeTiers = z.output<typeof rangeTiersSchema>;
export type QuantityTiers = z.output<typeof tiersSchema>;

/** Russian names of the two modes, as on the product card's «Тиражность» block. */
export const TIER_MODE_LABELS: Record<QuantityTiers['mode'], string> = {
  presets: 'Предзаданные тиражи',
  range: 'Произвольные тиражи',
};

export interface Quote {
  quantity: number;
  /**
   * Price of one unit in minor units. For a range it is exact (total = unitPrice × quantity);
   * for a preset it is the run's price divided by the quantity, rounded to a kopeck, for display
   * only — the preset's price is the total.
   */
  unitPrice: number;
  total: number;
}

/** Why `quantity` cannot be ordered under `tiers`, or null when it can. */
export function quantityProblem(tiers: QuantityTiers, quantity: number): string | null {
  if (!Number.isSafeInteger(quantity) || quantity < 1) return `must be a whole number of at least 1, got ${quantity}`;
  if (tiers.mode === 'presets') {
    if (tiers.presets.some((p) => p.quantity === quantity)) return null;
    return `${quantity} is not one of the preset quantities (${tiers.presets.map((p) => p.quantity).join(', ')})`;
  }
  if (quantity < tiers.min || quantity > tiers.max) return `${quantity} is outside the range ${tiers.min}…${tiers.max}`;
  const offset = (quantity - tiers.min) % tiers.step;
  if (offset !== 0) {
    const below = quantity - offset;
    const options = below + tiers.step <= tiers.max ? `${below} or ${below + tiers.step}` : `${below}`;
    return `${quantity} is not on a step of ${tiers.step} from ${tiers.min}; the nearest allowed: ${options}`;
  }
  return null;
}

/**
 * The builtin calculator engine: the price of `quantity` units under the product's tiers.
 * Throws a validation error at `path` (e.g. `body.items[2].quantity`) when the quantity
 * cannot be ordered, so callers report it against the field the client sent.
 */
export function quoteFromTiers(tiers: QuantityTiers, quantity: number, path = 'quantity'): Quote {
  const problem = quantityProblem(tiers, quantity);
  if (problem) throw invalidField(path, problem);
  if (tiers.mode === 'presets') {
    const preset = tiers.presets.find((p) => p.quantity === quantity)!;
    return { quantity, unitPrice: Math.round(preset.price / quantity), total: preset.price };
  }
  // The first break is at `min` (validated), so one always applies.
  let unitPrice = tiers.prices[0]!.unitPrice;
  for (const price of tiers.prices) {
    if (price.fromQuantity <= quantity) unitPrice = price.unitPrice;
  }
  return { quantity, unitPrice, total: unitPrice * quantity };
}

/** The smallest quantity that can be ordered: what a calculator preselects. */
export function minimumQuantity(tiers: QuantityTiers): number {
  return tiers.mode === 'presets' ? tiers.presets[0]!.quantity : tiers.min;
}

export interface Category {
  id: number;
  name: string;
  parentId: number | null;
  calculatorEngine: CalculatorEngine;
  calculatorEngineLabel: string;
  /** «Использовать калькулятор в качестве основного (в редакторе и панели управления)». */
  calculatorPrimary: boolean;
  /** The storefront widget's options (the seven toggles of the «Калькулятор» tab, the caption, the styles). */
  widget: WidgetOptions;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface Product {
  id: number;
  categoryId: number | null;
  name: string;
  sku: string | null;
  description: string | null;
  currency: string;
  tiers: QuantityTiers;
  createdAt: string;
  updatedAt: string;
  version: number;
}

const categoryNameSchema = z.string().trim().min(1, 'must not be empty').max(255);
const versionSchema = z
  .number()
  .int()
  .positive()
  .describe('when given, the update applies only if the record is still at this version');

export const categoryCreateSchema = z.strictObject({
  name: categoryNameSchema,
  parentId: idSchema.nullish().describe('parent category; null or absent for a top-level one'),
  calculatorEngine: z.enum(CALCULATOR_ENGINES).default('builtin'),
  calculatorPrimary: z.boolean().default(false).describe(CALCULATOR_PRIMARY_LABEL),
  widget: widgetOptionsSchema.partial().optional().describe("the storefront widget's options; left out: all off"),
});
export type CategoryCreateInput = z.output<typeof categoryCreateSchema>;

export const categoryUpdateSchema = z.strictObject({
  name: categoryNameSchema.optional(),
  parentId: idSchema.nullish().describe('null moves the category to the top level'),
  calculatorEngine: z.enum(CALCULATOR_ENGINES).optional(),
  calculatorPrimary: z.boolean().optional().describe(CALCULATOR_PRIMARY_LABEL),
  widget: widgetOptionsSchema.partial().optional().describe("the storefront widget's options; the fields given replace those stored"),
  version: versionSchema.optional(),
});
export type CategoryUpdateInput = z.output<typeof categoryUpdateSchema>;

const currencySchema = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z]{3}$/, 'must be a three-letter ISO 4217 code such as RUB');

export const productCreateSchema = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(255),
  categoryId: idSchema.nullish(),
  sku: z.string().trim().min(1).max(64).nullish().describe('article («артикул»)'),
  description: z.string().trim().max(10_000).nullish(),
  currency: currencySchema.default('RUB'),
  tiers: tiersSchema,
});
export type ProductCreateInput = z.output<typeof productCreateSchema>;

/** `tiers`, when given, replaces the product's tiers as a whole. */
export const productUpdateSchema = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(255).optional(),
  categoryId: idSchema.nullish(),
  sku: z.string().trim().min(1).max(64).nullish(),
  description: z.string().trim().max(10_000).nullish(),
  currency: currencySchema.optional(),
  tiers: tiersSchema.optional(),
  version: versionSchema.optional(),
});
export type ProductUpdateInput = z.output<typeof productUpdateSchema>;

export const quoteRequestSchema = z.strictObject({
  quantity: z.number().int('must be a whole number').min(1, 'must be at least 1').max(MAX_QUANTITY),
  parameters: z
    .record(safeKey(z.string().min(1).max(200)), z.union([z.string().max(1000), z.number(), z.boolean()]))
    .refine((map) => Object.keys(map).length <= 200, 'at most 200 parameters')
    .default({})
    .describe("the calculator's parameters by key (GET /products/{id}/calculator lists them); none for a product priced by its tiers"),
});

/**
 * Checks tiers outside HTTP (seeds, imports): the problems as `tiers.presets[2].quantity: …`,
 * or the parsed tiers.
 */
export function parseTiers(input: unknown): { ok: true; value: QuantityTiers } | { ok: false; problems: string[] } {
  const result = tiersSchema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, problems: result.error.issues.map((issue) => `${issuePath('tiers', issue.path)}: ${issue.message}`) };
}

function issuePath(root: string, path: PropertyKey[]): string {
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : `${acc}.${String(key)}`), root);
}
