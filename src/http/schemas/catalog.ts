import { z } from 'zod';
import { CALCULATOR_ENGINES, CALCULATOR_PRIMARY_LABEL } from '../../domain/catalog.js';
import { WIDGET_TOGGLE_LABELS } from '../../domain/widget.js';

export const calculatorEngineResponse = z
  .enum(CALCULATOR_ENGINES)
  .describe('builtin «Встроенный», asystem «ASystem», axiom «Axiom», poly1c «1С:Полиграфия»');

export const widgetOptionsResponse = z.object({
  continueCaption: z.boolean().describe(WIDGET_TOGGLE_LABELS.continueCaption),
  continueCaptionText: z.string().nullable(),
  addToCart: z.boolean().describe(WIDGET_TOGGLE_LABELS.addToCart),
  fileUpload: z.boolean().describe(WIDGET_TOGGLE_LABELS.fileUpload),
  unitPrice: z.boolean().describe(WIDGET_TOGGLE_LABELS.unitPrice),
  stylesOnPages: z.boolean().describe(WIDGET_TOGGLE_LABELS.stylesOnPages),
  stylesInEditor: z.boolean().describe(WIDGET_TOGGLE_LABELS.stylesInEditor),
  customCss: z.string().nullable(),
  grouping: z.boolean().describe(WIDGET_TOGGLE_LABELS.grouping),
});

export const categoryResponse = z.object({
  id: z.number(),
  name: z.string(),
  parentId: z.number().nullable(),
  calculatorEngine: calculatorEngineResponse,
  calculatorEngineLabel: z.string(),
  calculatorPrimary: z.boolean().describe(CALCULATOR_PRIMARY_LABEL),
  widget: widgetOptionsResponse,
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

const parameterValue = z.union([z.string(), z.number(), z.boolean()]);

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
  breakdown: z.array(z.object({ name: z.string(), amount: z.number().describe('minor units') })),
  warnings: z.array(z.string()),
  parameters: z.record(z.string(), parameterValue).describe('the parameters priced, defaults filled in'),
  source: z
    .object({
      engine: calculatorEngineResponse,
      templateId: z.string().optional(),
      templateVersion: z.number().nullable().optional(),
      pricedAt: z.string(),
      cached: z.boolean(),
      productionDays: z.number().optional(),
    })
    .describe('where the price came from'),
});

export const calculatorResponse = z.object({
  productId: z.number(),
  engine: calculatorEngineResponse,
  categoryEngine: calculatorEngineResponse.nullable(),
  parameters: z.array(
    z.object({
      key: z.string(),
      label: z.string(),
      sourceName: z.string(),
      group: z.string(),
      type: z.enum(['number', 'integer', 'string', 'text', 'select', 'boolean', 'date']),
      required: z.boolean(),
      options: z.array(z.object({ value: z.string(), label: z.string() })).optional(),
      default: parameterValue.optional(),
      min: z.number().optional(),
      max: z.number().optional(),
      step: z.number().optional(),
      unit: z.string().optional(),
    }),
  ),
  quantity: z.object({ min: z.number().optional(), max: z.number().optional(), step: z.number().optional(), presets: z.array(z.number()).optional() }),
  warnings: z.array(z.string()).optional().describe('what the form could not follow: a chosen value no longer possible, a preset the template lacks'),
});
