import { z } from 'zod';
import { ErpError } from './client.js';
import type { ErpGroup, ErpParam, ErpTemplate, ErpTemplateSummary } from './template.js';

/**
 * The parts of the assumed template JSON both ERPs share (docs/erp-contract.md): a parameter,
 * the quantity rule, a list entry. Read leniently — unknown fields are ignored, a parameter of
 * an unknown type is taken as text — because the real ERPs will surely differ in details.
 */
const value = z.union([z.string(), z.number(), z.boolean()]);

const paramJson = z.object({
  id: z.union([z.string(), z.number()]).transform(String),
  name: z.string().min(1),
  type: z.string().optional(),
  required: z.boolean().optional(),
  default: value.optional().nullable(),
  options: z.array(z.object({ value: z.union([z.string(), z.number()]).transform(String), label: z.string().optional() })).optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  step: z.number().optional(),
  unit: z.string().optional(),
  affectsPrice: z.boolean().optional(),
});

export const paramListJson = z.array(paramJson).default([]);

export const groupJson = z.object({ id: z.union([z.string(), z.number()]).transform(String), name: z.string(), params: paramListJson });

export const quantityJson = z
  .object({ min: z.number().optional(), max: z.number().optional(), step: z.number().optional(), presets: z.array(z.number()).optional() })
  .optional();

export const templateHeadJson = z.object({
  id: z.union([z.string(), z.number()]).transform(String),
  name: z.string(),
  version: z.number().nullish(),
  updatedAt: z.string().nullish(),
});

const TYPES = new Set<ErpParam['type']>(['number', 'integer', 'string', 'text', 'select', 'boolean', 'date']);

export function toParam(raw: z.output<typeof paramJson>): ErpParam {
  const type = TYPES.has(raw.type as ErpParam['type']) ? (raw.type as ErpParam['type']) : 'text';
  return {
    id: raw.id,
    name: raw.name,
    type,
    required: raw.required ?? false,
    default: raw.default ?? undefined,
    options: raw.options?.map((o) => ({ value: o.value, label: o.label ?? o.value })),
    min: raw.min,
    max: raw.max,
    step: raw.step,
    unit: raw.unit,
    affectsPrice: raw.affectsPrice ?? true,
  };
}

export function toGroup(kind: ErpGroup['kind'], raw: z.output<typeof groupJson>): ErpGroup {
  return { kind, id: raw.id, name: raw.name, params: raw.params.map(toParam) };
}

export function toSummary(integration: string, product: string, raw: unknown): ErpTemplateSummary {
  const head = parse(integration, product, templateHeadJson, raw, 'элемент списка шаблонов');
  return { id: head.id, name: head.name, version: head.version ?? null, updatedAt: head.updatedAt ?? null };
}

/** A template from its head, quantity and groups, once each ERP has said where its groups are. */
export function toTemplate(head: z.output<typeof templateHeadJson>, quantity: z.output<typeof quantityJson>, groups: ErpGroup[]): ErpTemplate {
  return { id: head.id, name: head.name, version: head.version ?? null, updatedAt: head.updatedAt ?? null, quantity: quantity ?? {}, groups };
}

/** Reads ERP JSON with a schema; a shape that is not one is the ERP's error, named for people. */
export function parse<T extends z.ZodType>(integration: string, product: string, schema: T, raw: unknown, what: string): z.output<T> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.length ? ` (${issue.path.join('.')}: ${issue.message})` : '';
  throw new ErpError(integration, 'server', `${product} прислал ${what} не по ожидаемому формату${where}`);
}
