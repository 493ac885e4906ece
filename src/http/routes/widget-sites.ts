import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppServices } from '../../app.js';
import { quoteRequestSchema } from '../../domain/catalog.js';
import { quoteIdSchema, widgetSiteCreateSchema, widgetSiteUpdateSchema } from '../../domain/widget.js';
import { quoteResponse } from '../schemas/catalog.js';
import { idParams, standardErrors } from '../schemas/common.js';

const tags = ['Calculator widget'];

const siteResponse = z.object({
  id: z.number(),
  name: z.string(),
  key: z.string().describe("public key: the snippet's data-key"),
  origins: z.array(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const fileResponse = z.object({ id: z.string(), name: z.string(), contentType: z.string(), size: z.number(), createdAt: z.string() });

export const issuedQuoteResponse = quoteResponse.extend({
  quoteId: z.string(),
  siteId: z.number().nullable(),
  issuedAt: z.string(),
  expiresAt: z.string(),
  files: z.array(fileResponse),
});

/**
 * Staff side of the widget: the sites allowed to embed it (administrators change them), and
 * issued quotes — made in the panel for an order, or read back with their files and orders.
 */
export const widgetSiteRoutes: FastifyPluginAsyncZod<{ services: AppServices }> = async (server, { services }) => {
  const { widgetSites, issuedQuotes } = services.stores;

  server.get(
    '/widget-sites',
    { schema: { tags, summary: 'Sites that may embed the calculator widget', response: { 200: z.object({ items: z.array(siteResponse) }), ...standardErrors } } },
    async () => ({ items: await widgetSites.list() }),
  );

  server.post(
    '/widget-sites',
    {
      config: { requires: 'admin' },
      schema: { tags, summary: 'Add a site: a new public key and the origins allowed', body: widgetSiteCreateSchema, response: { 201: siteResponse, ...standardErrors } },
    },
    async (request, reply) => {
      reply.code(201);
      return widgetSites.create(request.body);
    },
  );

  server.patch(
    '/widget-sites/:id',
    {
      config: { requires: 'admin' },
      schema: { tags, summary: "Rename a site or replace its origins", params: idParams, body: widgetSiteUpdateSchema, response: { 200: siteResponse, ...standardErrors } },
    },
    async (request) => widgetSites.update(request.params.id, request.body),
  );

  server.post(
    '/widget-sites/:id/key',
    {
      config: { requires: 'admin' },
      schema: { tags, summary: 'Give a site a new key (the old one stops working)', params: idParams, response: { 200: siteResponse, ...standardErrors } },
    },
    async (request) => widgetSites.rotateKey(request.params.id),
  );

  server.delete(
    '/widget-sites/:id',
    {
      config: { requires: 'admin' },
      schema: { tags, summary: 'Remove a site (its widgets stop working)', params: idParams, response: { 204: z.null().describe('deleted'), ...standardErrors } },
    },
    async (request, reply) => {
      await widgetSites.delete(request.params.id);
      return reply.code(204).send(null);
    },
  );

  server.post(
    '/products/:id/quotes',
    {
      schema: {
        tags,
        summary: 'Price a choice and keep it as an issued quote (for an order line\'s quoteId)',
        description: 'The same quote as POST /products/{id}/quote, kept with an id for 30 days.',
        params: idParams,
        body: quoteRequestSchema,
        response: { 201: issuedQuoteResponse, ...standardErrors },
      },
    },
    async (request, reply) => {
      const quote = await services.quotes.quote(request.params.id, request.body);
      reply.code(201);
      return issuedQuotes.issue(quote, null);
    },
  );

  server.get(
    '/quotes/:quoteId',
    {
      schema: {
        tags,
        summary: 'An issued quote with its files and the orders priced from it',
        params: z.strictObject({ quoteId: quoteIdSchema }),
        response: { 200: issuedQuoteResponse.extend({ orders: z.array(z.object({ orderId: z.number(), position: z.number() })) }), ...standardErrors },
      },
    },
    async (request) => {
      const quote = await issuedQuotes.get(request.params.quoteId);
      return { ...quote, orders: await issuedQuotes.ordersOf(quote.quoteId) };
    },
  );

  server.get(
    '/quotes/:quoteId/files/:fileId',
    {
      schema: {
        tags,
        summary: 'Download a file the shopper attached to a quote',
        params: z.strictObject({ quoteId: quoteIdSchema, fileId: z.string().regex(/^f_[a-z2-7]{24}$/, 'is not a file id') }),
      },
    },
    async (request, reply) => {
      const { file, content } = await issuedQuotes.fileContent(request.params.quoteId, request.params.fileId);
      return reply
        .header('content-type', 'application/octet-stream')
        .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`)
        .header('x-content-type', file.contentType)
        .send(content);
    },
  );
};
