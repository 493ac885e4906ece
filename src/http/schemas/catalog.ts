import { z } from 'zod';
import { CALCULATOR_ENGINES, CALCULATOR_PRIMARY_LABEL } from '../../domain/catalog.js';

export const calculatorEngineResponse = z
  .enum(CALCULATOR_ENGINES)
  .describe('builtin «Встроенный», asystem «ASystem», axiom «Axiom», poly1c «1С:Полиграфия»');

export const categoryResponse = z.object({
  id: z.number(),
  name: z.string(),
  parentId: z.number().nullable(),
  calculatorEngine: calculatorEngineResponse,
  calculatorEngineLabel: z.string(),
  calculatorPrimary: z.boolean().describe(CALCULATOR_PRIMARY_LABEL),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number(),
});

// Plain shapes for output: the input schema's refinements and defaults belong to requests.
export const tiersResponse = z
  .discriminatedUnion('mode', [
    z.object({
      mode: z.literal('presets'),
      presets: z.array(z.object({ quantity: z.number(), price: z.number().describe('whole run, minor units') })),
    }),
    z.object({
      mode: z.literal('range'),
      min: z.number(),
      max: z.number(),
      step: z.number(),
      prices: z.array(z.object({ fromQuantity: z.number(), unitPrice: z.number().describe('one unit, minor units') })),
    }),
  ])
  .describe('Quantity tiers («тиражность»): fixed presets, or a range with a step and unit-price breaks');

export const productResponse = z.object({
  id: z.number(),
  categoryId: z.number().nullable(),
  name: z.string(),
  sku: z.string().nullable(),
  description: z.string().nullable(),
  currency: z.string(),
  tiers: tiersResponse,
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number(),
});

export const quoteResponse = z.object({
  productId: z.number(),
  quantity: z.number(),
  unitPrice: z
    .number()
    .describe('minor units; exact for a range, the preset price divided by the quantity (rounded) for a preset'),
  total: z.number().describe('minor units; the price to charge'),
  currency: z.string(),
  engine: calculatorEngineResponse.describe('the engine that priced this quote'),
  categoryEngine: calculatorEngineResponse.nullable().describe("the engine the product's category chose"),
});
