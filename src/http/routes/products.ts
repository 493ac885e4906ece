import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idFromText } from '../../domain/ids.js';
import { invalidField } from '../../domain/errors.js';
import type { AppServices } from '../../app.js';
import { productCreateSchema, productUpdateSchema, quoteRequestSchema } from '../../domain/catalog.js';
import { readChosenParameters } from '../chosen-parameters.js';
import type { ChosenParameters } from '../chosen-parameters.js';
import { idempotentCreate } from '../idempotent-create.js';
import { calculatorResponse, productResponse, quoteResponse } from '../schemas/catalog.js';
import { idParams, pageOf, pageQuery, standardErrors } from '../schemas/common.js';

const tags = ['Catalog'];

/** `?parameters=` of the calculator form: problems at `querystring.parameters` (…`.<key>`). */
function chosenParameters(text: string | undefined): ChosenParameters | undefined {
  return readChosenParameters(text, (problem) =>
    problem.kind === 'not_json' ? invalidField('querystring.parameters', 'must be a JSON object of parameter values by key') : invalidField(problem.path, problem.message),
  );
}

/** Everyone reads the catalog (and quotes); creating, changing and deleting it is for administrators. */
export const productRoutes: FastifyPluginAsyncZod<{ services: AppServices }> = async (server, { services }) => {
  const { products, idempotency } = services.stores;

  server.post(
    '/products',
    {
      config: { requires: 'admin' },
      schema: {
        tags,
        summary: 'Create a product with its quantity tiers («тиражность»)',
        description: 'Prices are integer minor units (kopecks for RUB).',
        body: productCreateSchema,
        response: { 201: productResponse, ...standardErrors },
      },
    },
    async (request, reply) => idempotentCreate(idempotency, request, reply, (db) => products.create(request.body, db)),
  );

  server.get(
    '/products',
    {
      schema: {
        tags,
        summary: 'List products, newest first',
        querystring: z.strictObject({
          categoryId: idFromText.optional(),
          search: z.string().max(100).optional().describe('part of the name or SKU, any case'),
          ...pageQuery,
        }),
        response: { 200: pageOf(productResponse), ...standardErrors },
      },
    },
    async (request) => products.list(request.query),
  );

  server.get(
    '/products/:id',
    { schema: { tags, summary: 'Get a product', params: idParams, response: { 200: productResponse, ...standardErrors } } },
    async (request) => products.get(request.params.id),
  );

  server.patch(
    '/products/:id',
    {
      config: { requires: 'admin' },
      schema: {
        tags,
        summary: 'Change a product; fields left out stay as they are, `tiers` is replaced whole',
        params: idParams,
        body: productUpdateSchema,
        response: { 200: productResponse, ...standardErrors },
      },
    },
    async (request) => products.update(request.params.id, request.body),
  );

  server.delete(
    '/products/:id',
    {
      config: { requires: 'admin' },
      schema: {
        tags,
        summary: 'Delete a product (409 while orders contain it)',
        params: idParams,
        response: { 204: z.null().describe('deleted'), ...standardErrors },
      },
    },
    async (request, reply) => {
      await products.delete(request.params.id);
      return reply.code(204).send(null);
    },
  );

  server.get(
    '/products/:id/calculator',
    {
      schema: {
        tags,
        summary: "The product's calculator: its parameters and the quantities that can be ordered",
        description:
          "From the engine its category chose as primary (an ERP's template, say), else from the product's tiers. " +
          'A 503 when that engine cannot answer now (its system is down).',
        params: idParams,
        querystring: z.strictObject({
          parameters: z
            .string()
            .max(20_000)
            .optional()
            .describe('values already chosen, as a JSON object by parameter key (`{"format":"A4"}`): an engine whose options depend on each other offers only those still possible'),
        }),
        response: { 200: calculatorResponse, ...standardErrors },
      },
    },
    async (request) => services.quotes.form(request.params.id, chosenParameters(request.query.parameters)),
  );

  server.post(
    '/products/:id/quote',
    {
      schema: {
        tags,
        summary: 'Price a quantity of the product with chosen parameters',
        description:
          'Priced by the engine the category chose as primary (ASystem, Axiom, 1C), else by the builtin engine from the ' +
          "product's tiers; `engine` and `source` say which. A quantity or parameter value that cannot be ordered is a 400 " +
          'on `body.quantity` or `body.parameters.<key>`; a 503 when the engine cannot answer now.',
        params: idParams,
        body: quoteRequestSchema,
        response: { 200: quoteResponse, ...standardErrors },
      },
    },
    async (request) => services.quotes.quote(request.params.id, request.body),
  );
};
