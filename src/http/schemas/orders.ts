import { z } from 'zod';
import { ORDER_SOURCE_CODES, ORDER_STATUS_CODES, PAYMENT_STATUS_CODES, RENDER_STATUSES } from '../../domain/order-status.js';
import { externalIdsResponse } from './common.js';

export const orderItemResponse = z.object({
  id: z.number(),
  position: z.number(),
  productId: z.number().nullable(),
  name: z.string(),
  quantity: z.number(),
  unitPrice: z.number().describe('minor units (kopecks)'),
  total: z.number().describe('minor units (kopecks)'),
  parameters: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  quoteId: z.string().nullable().optional().describe('the issued quote this line was priced from (on GET /orders/{id}, POST and PATCH)'),
});

export const orderCommentResponse = z.object({ id: z.number(), author: z.string(), text: z.string(), createdAt: z.string() });

const orderSummaryShape = {
  id: z.number(),
  number: z.string(),
  site: z.string().nullable(),
  source: z.enum(ORDER_SOURCE_CODES),
  status: z.enum(ORDER_STATUS_CODES),
  personId: z.number().nullable(),
  organizationId: z.number().nullable(),
  items: z.array(orderItemResponse),
  delivery: z
    .object({ method: z.string(), address: z.string().nullable(), recipient: z.string().nullable(), price: z.number() })
    .nullable(),
  payment: z.object({ status: z.enum(PAYMENT_STATUS_CODES), method: z.string().nullable() }),
  currency: z.string(),
  totals: z
    .object({ items: z.number(), delivery: z.number(), discount: z.number(), total: z.number() })
    .describe('minor units (kopecks)'),
  manager: z.string().nullable(),
  comment: z.string().nullable(),
  readyAt: z.string().nullable().describe('when the order is to be ready for the client («Дата выдачи»), ISO UTC'),
  render: z.object({ status: z.enum(RENDER_STATUSES), archiveUrl: z.string().nullable() }),
  externalIds: externalIdsResponse,
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number(),
};

export const orderSummaryResponse = z.object(orderSummaryShape);

export const orderResponse = z.object({
  ...orderSummaryShape,
  comments: z.array(orderCommentResponse),
  statusHistory: z.array(
    z.object({
      from: z.enum(ORDER_STATUS_CODES).nullable(),
      to: z.enum(ORDER_STATUS_CODES),
      changedBy: z.string().nullable().describe('who made the change, for people: a staff member, «Битрикс24», a token'),
      changedAt: z.string(),
      origin: z
        .object({ kind: z.enum(['user', 'token', 'integration', 'system']), name: z.string() })
        .nullable()
        .describe('what kind of caller made the change; `name` is the integration name for integrations'),
    }),
  ),
});

export const orderStatusResponse = z.object({
  code: z.enum(ORDER_STATUS_CODES),
  id: z.number(),
  alias: z.string(),
  ru: z.string(),
  en: z.string(),
  settable: z.boolean(),
});
