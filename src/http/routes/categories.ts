import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idFromText } from '../../domain/ids.js';
import type { AppServices } from '../../app.js';
import { CALCULATOR_ENGINE_LABELS, CALCULATOR_ENGINE_LABELS_EN, CALCULATOR_ENGINES, categoryCreateSchema, categoryUpdateSchema } from '../../domain/catalog.js';
import { idempotentCreate } from '../idempotent-create.js';
import { categoryResponse } from '../schemas/catalog.js';
import { idParams, pageOf, pageQuery, standardErrors } from '../schemas/common.js';

const tags = ['Catalog'];

/** Everyone reads the catalog; creating, changing and deleting it is for administrators. */
export const categoryRoutes: FastifyPluginAsyncZod<{ services: AppServices }> = async (server, { services }) => {
  const { categories, idempotency } = services.stores;

  server.post(
    '/categories',
    {
      config: { requires: 'admin' },
      schema: {
        tags,
        summary: 'Create a product category with its calculator engine',
        body: categoryCreateSchema,
        response: { 201: categoryResponse, ...standardErrors },
      },
    },
    async (request, reply) => idempotentCreate(idempotency, request, reply, (db) => categories.create(request.body, db)),
  );

  server.get(
    '/calculator-engines',
    {
      schema: {
        tags,
        summary: 'The calculator engines a category can choose, with their labels',
        response: { 200: z.object({ items: z.array(z.object({ code: z.enum(CALCULATOR_ENGINES), label: z.object({ ru: z.string(), en: z.string() }) })) }), ...standardErrors },
      },
    },
    async () => ({
      items: CALCULATOR_ENGINES.map((code) => ({ code, label: { ru: CALCULATOR_ENGINE_LABELS[code], en: CALCULATOR_ENGINE_LABELS_EN[code] } })),
    }),
  );

  server.get(
    '/categories',
    {
      schema: {
        tags,
        summary: 'List categories, newest first',
        querystring: z.strictObject({
          parentId: z
            .union([z.literal('root'), idFromText])
            .optional()
            .describe('children of this category; "root" for top-level categories'),
          calculatorEngine: z.enum(CALCULATOR_ENGINES).optional(),
          ...pageQuery,
        }),
        response: { 200: pageOf(categoryResponse), ...standardErrors },
      },
    },
    async (request) => {
      const { parentId, ...rest } = request.query;
      return categories.list({ ...rest, parentId: parentId === 'root' ? null : parentId });
    },
  );

  server.get(
    '/categories/:id',
    { schema: { tags, summary: 'Get a category', params: idParams, response: { 200: categoryResponse, ...standardErrors } } },
    async (request) => categories.get(request.params.id),
  );

  server.patch(
    '/categories/:id',
    {
      config: { requires: 'admin' },
      schema: {
        tags,
        summary: 'Change a category; fields left out stay as they are',
        params: idParams,
        body: categoryUpdateSchema,
        response: { 200: categoryResponse, ...standardErrors },
      },
    },
    async (request) => categories.update(request.params.id, request.body),
  );

  server.delete(
    '/categories/:id',
    {
      config: { requires: 'admin' },
      schema: {
        tags,
        summary: 'Delete an empty category (409 while it has products or subcategories)',
        params: idParams,
        response: { 204: z.null().describe('deleted'), ...standardErrors },
      },
    },
    async (request, reply) => {
      await categories.delete(request.params.id);
      return reply.code(204).send(null);
    },
  );
};
