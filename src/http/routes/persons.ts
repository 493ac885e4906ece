import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idFromText } from '../../domain/ids.js';
import { emailInputSchema, personCreateSchema, personUpdateSchema, phoneInputSchema } from '../../domain/clients.js';
import type { AppServices } from '../../app.js';
import { originOf } from '../auth.js';
import { idempotentCreate } from '../idempotent-create.js';
import { personResponse } from '../schemas/clients.js';
import { booleanQuery, idParams, pageOf, pageQuery, standardErrors } from '../schemas/common.js';

const tags = ['Clients'];

export const personRoutes: FastifyPluginAsyncZod<{ services: AppServices }> = async (server, { services }) => {
  const { persons, idempotency } = services.stores;

  server.post(
    '/persons',
    {
      schema: {
        tags,
        summary: 'Create a person («Частное лицо»)',
        body: personCreateSchema,
        response: { 201: personResponse, ...standardErrors },
      },
    },
    async (request, reply) => idempotentCreate(idempotency, request, reply, (db) => persons.as(originOf(request)).create(request.body, db)),
  );

  server.get(
    '/persons',
    {
      schema: {
        tags,
        summary: 'List persons, newest first',
        querystring: z.strictObject({
          search: z.string().max(100).optional().describe('part of a name, e-mail or phone digits'),
          phone: phoneInputSchema.optional(),
          email: emailInputSchema.optional(),
          organizationId: idFromText.optional().describe('employees of this organization'),
          isGuest: booleanQuery.optional(),
          ...pageQuery,
        }),
        response: { 200: pageOf(personResponse), ...standardErrors },
      },
    },
    async (request) => persons.list({ ...request.query, phone: request.query.phone?.e164 }),
  );

  server.get(
    '/persons/:id',
    { schema: { tags, summary: 'Get a person', params: idParams, response: { 200: personResponse, ...standardErrors } } },
    async (request) => persons.get(request.params.id),
  );

  server.patch(
    '/persons/:id',
    {
      schema: {
        tags,
        summary: 'Change a person; fields left out stay as they are',
        params: idParams,
        body: personUpdateSchema,
        response: { 200: personResponse, ...standardErrors },
      },
    },
    async (request) => persons.as(originOf(request)).update(request.params.id, request.body),
  );
};
