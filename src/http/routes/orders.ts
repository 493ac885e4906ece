import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idFromText } from '../../domain/ids.js';
import type { AppServices } from '../../app.js';
import { ORDER_STATUSES, PAYMENT_STATUS_CODES } from '../../domain/order-status.js';
import type { Order } from '../../domain/orders.js';
import { commentCreateSchema, orderCreateSchema, orderUpdateSchema, renderReportSchema, statusChangeSchema } from '../../domain/orders.js';
import { findOrderStatus } from '../../domain/order-status.js';
import { originOf } from '../auth.js';
import { idempotentCreate } from '../idempotent-create.js';
import { fillFromQuotes, quotesOfLines, withQuoteIds } from '../quoted-lines.js';
import { transact } from '../../store/transaction.js';
import { idParams, pageOf, pageQuery, standardErrors } from '../schemas/common.js';
import { orderCommentResponse, orderResponse, orderStatusResponse, orderSummaryResponse } from '../schemas/orders.js';

const tags = ['Orders'];

/** `status=Printing,Shipped` or the same with aliases; any known status may be filtered on. */
const statusListQuery = z
  .string()
  .max(1_000)
  .transform((value, ctx) =>
    value.split(',').map((part) => {
      const status = findOrderStatus(part);
      if (!status) ctx.addIssue({ code: 'custom', message: `unknown order status "${part.trim()}"` });
      return status?.code ?? 'None';
    }),
  );

const isoDate = z.iso.datetime({ offset: true }).or(z.iso.date()).describe('ISO 8601 date or date-time');

export const orderRoutes: FastifyPluginAsyncZod<{ services: AppServices }> = async (server, { services }) => {
  const { orders, idempotency, issuedQuotes, products } = services.stores;
  const linesFromQuotes = fillFromQuotes(issuedQuotes, products);

  server.get(
    '/order-statuses',
    {
      schema: {
        tags,
        summary: 'All order statuses with their Russian and English labels',
        response: { 200: z.array(orderStatusResponse) },
      },
    },
    async () => ORDER_STATUSES.map((s) => ({ ...s })),
  );

  server.post(
    '/orders',
    {
      schema: {
        tags,
        summary: 'Create an order',
        description:
          'Totals are computed from items, delivery and discount. Send `Idempotency-Key` to make retries safe. ' +
          'A line with `quoteId` is priced from that issued quote, and the order keeps it.',
        body: orderCreateSchema,
        response: { 201: orderResponse, ...standardErrors },
      },
      preValidation: linesFromQuotes,
    },
    async (request, reply) =>
      idempotentCreate(idempotency, request, reply, async (db) => {
        const store = orders.as(originOf(request));
        if (!request.body.items.some((item) => item.quoteId)) return unquoted(await store.create(request.body, db));
        const links = await quotesOfLines(request, issuedQuotes, request.body.items);
        return transact(db ?? services.database.db, async (trx) => {
          const order = await store.create(request.body, trx);
          await issuedQuotes.linkOrder(trx, order.id, links);
          return { ...order, items: order.items.map((item) => ({ ...item, quoteId: links.get(item.position) ?? null })) };
        });
      }),
  );

  server.get(
    '/orders',
    {
      schema: {
        tags,
        summary: 'List orders, newest first',
        querystring: z.strictObject({
          status: statusListQuery.optional().describe('comma-separated statuses'),
          number: z.string().max(64).optional().describe('part of the order number'),
          personId: idFromText.optional(),
          organizationId: idFromText.optional(),
          site: z.string().max(255).optional(),
          paymentStatus: z.enum(PAYMENT_STATUS_CODES).optional(),
          createdFrom: isoDate.optional(),
          createdTo: isoDate.optional().describe('exclusive'),
          ...pageQuery,
        }),
        response: { 200: pageOf(orderSummaryResponse), ...standardErrors },
      },
    },
    async (request) => {
      const { createdFrom, createdTo, ...rest } = request.query;
      return orders.list({ ...rest, createdFrom: toUtcIso(createdFrom), createdTo: toUtcIso(createdTo) });
    },
  );

  server.get(
    '/orders/:id',
    {
      schema: {
        tags,
        summary: 'Get an order with its items, discussion feed and status history',
        params: idParams,
        response: { 200: orderResponse, ...standardErrors },
      },
    },
    async (request) => withQuoteIds(issuedQuotes, await orders.get(request.params.id)),
  );

  server.patch(
    '/orders/:id',
    {
      schema: {
        tags,
        summary: 'Change an order (optimistic concurrency: send the version you read)',
        description: 'Items, when sent, replace the whole list. Status changes go through POST /orders/{id}/status.',
        params: idParams,
        body: orderUpdateSchema,
        response: { 200: orderResponse, ...standardErrors },
      },
      preValidation: linesFromQuotes,
    },
    async (request) => {
      const store = orders.as(originOf(request));
      const items = request.body.items;
      if (!items) return withQuoteIds(issuedQuotes, await store.update(request.params.id, request.body));
      const links = await quotesOfLines(request, issuedQuotes, items);
      return transact(services.database.db, async (trx) => {
        const order = await store.update(request.params.id, request.body, trx);
        await issuedQuotes.linkOrder(trx, order.id, links);
        return { ...order, items: order.items.map((item) => ({ ...item, quoteId: links.get(item.position) ?? null })) };
      });
    },
  );

  server.post(
    '/orders/:id/status',
    {
      schema: {
        tags,
        summary: 'Move the order to another status',
        params: idParams,
        body: statusChangeSchema,
        response: { 200: orderResponse, ...standardErrors },
      },
    },
    async (request) => orders.as(originOf(request)).changeStatus(request.params.id, request.body),
  );

  server.post(
    '/orders/:id/comments',
    {
      schema: {
        tags,
        summary: 'Add a comment to the discussion feed («лента обсуждения»)',
        params: idParams,
        body: commentCreateSchema,
        response: { 201: orderCommentResponse, ...standardErrors },
      },
    },
    async (request, reply) => idempotentCreate(idempotency, request, reply, (db) => orders.as(originOf(request)).addComment(request.params.id, request.body, db)),
  );

  server.post(
    '/orders/:id/render',
    {
      schema: {
        tags,
        summary: 'Report that the print files are rendered, with the archive link',
        params: idParams,
        body: renderReportSchema,
        response: { 200: orderResponse, ...standardErrors },
      },
    },
    async (request) => orders.as(originOf(request)).reportRender(request.params.id, request.body),
  );

};

/** A new order none of whose lines came from a quote: each line says so, as GET /orders/{id} does. */
function unquoted(order: Order): Order & { items: Array<Order['items'][number] & { quoteId: null }> } {
  return { ...order, items: order.items.map((item) => ({ ...item, quoteId: null })) };
}

/** Dates from the query become UTC ISO strings, the form timestamps are stored in. */
function toUtcIso(value: string | undefined): string | undefined {
  return value === undefined ? undefined : new Date(value).toISOString();
}
