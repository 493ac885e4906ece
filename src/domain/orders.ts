import { z } from 'zod';
import type { ExternalIds } from './clients.js';
import { DomainError } from './errors.js';
import { idSchema } from './ids.js';
import { safeKey } from './keys.js';
import { quoteIdSchema } from './widget.js';
import type { OrderSource, OrderStatus, PaymentStatus, RenderStatus } from './order-status.js';
import type { OriginKind } from './origin.js';
import { ORDER_SOURCE_CODES, PAYMENT_STATUS_CODES, RENDER_STATUSES, findOrderStatus, isSettableStatus } from './order-status.js';

/** Money is an integer number of minor units (kopecks for RUB); never a float. */
const money = z.number().int('must be an integer number of minor units (kopecks)').min(0, 'must not be negative');

export const parameterValueSchema = z.union([z.string().max(1_000), z.number(), z.boolean()]);

/**
 * An order line. Print runs are often priced as a whole (500 cards for 2 490 ₽), so a line may
 * give its `total` instead of, or besides, a `unitPrice`: the total is then what the line costs
 * and the unit price, rounded to a kopeck, is for display. With only `unitPrice`, the line costs
 * `unitPrice × quantity`.
 */
export const orderItemInputSchema = z
  .strictObject({
    productId: idSchema.nullish(),
    name: z.string().trim().min(1).max(255),
    quantity: z.number().int('must be a whole number').positive('must be greater than 0').max(10_000_000),
    unitPrice: money.optional(),
    total: money.optional().describe('what the whole line costs, e.g. the price of a print run'),
    /** What the client chose: format, paper, sides, finishing… */
    parameters: z.record(safeKey(z.string().max(100)), parameterValueSchema).default({}),
    quoteId: quoteIdSchema
      .optional()
      .describe(
        'an issued quote (the widget\'s continue / add to cart, POST /products/{id}/quotes): the line is priced from it and the order keeps it; ' +
          'fields left out are taken from the quote, fields given must agree with it',
      ),
  })
  .superRefine((item, ctx) => {
    if (item.unitPrice === undefined && item.total === undefined) {
      ctx.addIssue({ code: 'custom', path: ['unitPrice'], message: 'give unitPrice, or total for a line priced as a whole' });
    }
  })
  .transform(({ unitPrice, total, ...item }) => ({
    ...item,
    total: total ?? unitPrice! * item.quantity,
    unitPrice: unitPrice ?? Math.round(total! / item.quantity),
  }));

export const deliveryInputSchema = z.strictObject({
  method: z.string().trim().min(1).max(100),
  address: z.string().trim().max(500).nullish(),
  recipient: z.string().trim().max(255).nullish(),
  price: money.default(0),
});

export const paymentInputSchema = z.strictObject({
  status: z.enum(PAYMENT_STATUS_CODES).default('not_paid'),
  method: z.string().trim().max(100).nullish(),
});

/** A status given by its API name or alias; only statuses staff may set are accepted. */
export const settableStatusSchema = z.string().transform((value, ctx): OrderStatus => {
  const status = findOrderStatus(value);
  if (!status) {
    ctx.addIssue({ code: 'custom', message: `unknown order status "${value}"` });
    return z.NEVER;
  }
  if (!isSettableStatus(status.code)) {
    ctx.addIssue({ code: 'custom', message: `status "${status.code}" is set by the system and cannot be chosen` });
    return z.NEVER;
  }
  return status.code;
});

/** The years a «Дата выдачи» may fall in (the panel checks the same before it sends). */
export const READY_AT_YEARS = { from: 2000, to: 2100 } as const;

function isYearInRange(year: number): boolean {
  return year >= READY_AT_YEARS.from && year <= READY_AT_YEARS.to;
}

/**
 * When the order is to be ready for the client: «Дата готовности» when it is created, «Дата выдачи»
 * on its card and in the ERPs' extra parameter. An ISO 8601 date-time with its offset; kept in UTC.
 */
export const readyAtSchema = z.iso
  .datetime({ offset: true, error: 'must be an ISO 8601 date-time with an offset, e.g. 2026-12-05T15:00:00+03:00' })
  // The day goes to the ERPs and Bitrix24 as `YYYY-MM-DD`: a typo's year 20266 or 0026 is refused here.
  .refine((value) => isYearInRange(new Date(value).getUTCFullYear()), { error: `must be between ${READY_AT_YEARS.from} and ${READY_AT_YEARS.to}` })
  .transform((value) => new Date(value).toISOString())
  .describe('when the order is to be ready for the client («Дата готовности» / «Дата выдачи»), ISO 8601 with an offset');

const orderNumber = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[\p{L}\p{N}._/-]+$/u, 'may contain letters, digits, ".", "_", "/" and "-"');

export const orderCreateSchema = z.strictObject({
  number: orderNumber.optional().describe('Unique order number; assigned by printsync when left out'),
  site: z.string().trim().max(255).nullish(),
  source: z.enum(ORDER_SOURCE_CODES).default('api'),
  personId: idSchema.describe('The client, or the employee who ordered for an organization'),
  organizationId: idSchema.nullish(),
  status: settableStatusSchema.optional(),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as RUB').default('RUB'),
  items: z.array(orderItemInputSchema).min(1, 'an order needs at least one item').max(500),
  delivery: deliveryInputSchema.nullish(),
  payment: paymentInputSchema.default({ status: 'not_paid' }),
  discount: money.default(0),
  manager: z.string().trim().max(255).nullish(),
  comment: z.string().max(10_000).nullish(),
  readyAt: readyAtSchema.nullish(),
});
export type OrderCreateInput = z.output<typeof orderCreateSchema>;

export const orderUpdateSchema = z.strictObject({
  version: z.number().int().positive().describe('The version you read; a newer one on the server gives 409'),
  site: z.string().trim().max(255).nullish(),
  personId: idSchema.optional(),
  organizationId: idSchema.nullish(),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as RUB').optional(),
  items: z.array(orderItemInputSchema).min(1, 'an order needs at least one item').max(500).optional(),
  delivery: deliveryInputSchema.nullish(),
  payment: paymentInputSchema.partial().optional(),
  discount: money.optional(),
  manager: z.string().trim().max(255).nullish(),
  comment: z.string().max(10_000).nullish(),
  readyAt: readyAtSchema.nullish(),
});
export type OrderUpdateInput = z.output<typeof orderUpdateSchema>;

export const statusChangeSchema = z.strictObject({
  status: settableStatusSchema,
  changedBy: z.string().trim().max(255).nullish(),
  version: z.number().int().positive().optional(),
});
export type StatusChangeInput = z.output<typeof statusChangeSchema>;

export const commentCreateSchema = z.strictObject({
  author: z.string().trim().min(1).max(255),
  text: z.string().trim().min(1, 'must not be empty').max(10_000),
});
export type CommentCreateInput = z.output<typeof commentCreateSchema>;

export const renderReportSchema = z
  .strictObject({
    status: z.enum(RENDER_STATUSES).default('ready'),
    archiveUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2_000).nullish(),
  })
  .superRefine((value, ctx) => {
    if (value.status === 'ready' && !value.archiveUrl) {
      ctx.addIssue({ code: 'custom', path: ['archiveUrl'], message: 'is required when the render is ready' });
    }
  });
export type RenderReportInput = z.output<typeof renderReportSchema>;

export interface OrderItem {
  id: number;
  position: number;
  productId: number | null;
  name: string;
  quantity: number;
  unitPrice: number;
  total: number;
  parameters: Record<string, string | number | boolean>;
}

export interface Delivery {
  method: string;
  address: string | null;
  recipient: string | null;
  price: number;
}

export interface OrderComment {
  id: number;
  author: string;
  text: string;
  createdAt: string;
}

/** Who moved the order: `{ kind: 'user', name: 'Анна' }`, `{ kind: 'integration', name: 'bitrix24' }`. */
export interface StatusChangeOrigin {
  kind: OriginKind;
  /** A staff member's or token's name, printsync for the system, the integration's name. */
  name: string;
}

export interface StatusChange {
  from: OrderStatus | null;
  to: OrderStatus;
  /** A label for people: a staff member's name, «Битрикс24». */
  changedBy: string | null;
  changedAt: string;
  /** Null on changes recorded before origins were. */
  origin: StatusChangeOrigin | null;
}

export interface OrderTotals {
  items: number;
  delivery: number;
  discount: number;
  total: number;
}

export interface OrderSummary {
  id: number;
  number: string;
  site: string | null;
  source: OrderSource;
  status: OrderStatus;
  personId: number | null;
  organizationId: number | null;
  items: OrderItem[];
  delivery: Delivery | null;
  payment: { status: PaymentStatus; method: string | null };
  currency: string;
  totals: OrderTotals;
  manager: string | null;
  comment: string | null;
  /** «Дата выдачи», ISO UTC. */
  readyAt: string | null;
  render: { status: RenderStatus; archiveUrl: string | null };
  externalIds: ExternalIds;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface Order extends OrderSummary {
  comments: OrderComment[];
  statusHistory: StatusChange[];
}

/** Totals from items, delivery and discount; a discount larger than the order is refused. */
export function computeTotals(items: ReadonlyArray<{ total: number }>, deliveryPrice: number, discount: number): OrderTotals {
  const itemsTotal = items.reduce((sum, item) => sum + item.total, 0);
  if (!Number.isSafeInteger(itemsTotal)) throw new DomainError('validation_failed', 'body.items: the order total is too large', [{ path: 'body.items', message: 'total is too large' }]);
  if (!Number.isSafeInteger(itemsTotal + deliveryPrice)) {
    throw new DomainError('validation_failed', 'body.delivery.price: the order total with delivery is too large', [
      { path: 'body.delivery.price', message: 'makes the order total too large' },
    ]);
  }
  if (discount > itemsTotal + deliveryPrice) {
    throw new DomainError('validation_failed', `body.discount: ${discount} is more than the order amount ${itemsTotal + deliveryPrice}`, [
      { path: 'body.discount', message: 'is more than the order amount' },
    ]);
  }
  return { items: itemsTotal, delivery: deliveryPrice, discount, total: itemsTotal + deliveryPrice - discount };
}
