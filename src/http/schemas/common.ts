import { z } from 'zod';
import { idFromText, wholeNumberFromText } from '../../domain/ids.js';
import { MAX_PAGE_SIZE } from '../../store/pagination.js';

export const idParams = z.strictObject({ id: idFromText });

export const pageQuery = {
  limit: wholeNumberFromText({ min: 1, max: MAX_PAGE_SIZE }).optional(),
  cursor: z.string().max(200).optional(),
};

export const errorResponse = z
  .object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.object({ path: z.string(), message: z.string() })),
  })
  .describe('An error: a stable code, a message for people, and the fields at fault');

export const externalIdsResponse = z
  .record(z.string(), z.record(z.string(), z.string()))
  .describe('Ids in external systems, e.g. {"bitrix24": {"contact": "17"}}');

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

export const booleanQuery = z.enum(['true', 'false']).transform((v) => v === 'true');

export const standardErrors = {
  400: errorResponse,
  401: errorResponse,
  404: errorResponse,
  409: errorResponse,
};
