import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppServices } from '../../app.js';
import { organizationCreateSchema, organizationUpdateSchema } from '../../domain/clients.js';
import { originOf } from '../auth.js';
import { idempotentCreate } from '../idempotent-create.js';
import { organizationResponse, personResponse } from '../schemas/clients.js';
import { idParams, pageOf, pageQuery, standardErrors } from '../schemas/common.js';

const tags = ['Clients'];

export const organizationRoutes: FastifyPluginAsyncZod<{ services: AppServices }> = async (server, { services }) => {
  const { organizations, persons, idempotency } = services.stores;

  server.post(
    '/organizations',
    {
      schema: {
        tags,
        summary: 'Create an organization («Организация»)',
        body: organizationCreateSchema,
        response: { 201: organizationResponse, ...standardErrors },
      },
    },
    async (request, reply) => idempotentCreate(idempotency, request, reply, (db) => organizations.as(originOf(request)).create(request.body, db)),
  );

  server.get(
    '/organizations',
    {
      schema: {
        tags,
        summary: 'List organizations, newest first',
        querystring: z.strictObject({
          search: z.string().max(100).optional().describe('part of the title, INN or KPP'),
          inn: z.string().max(12).optional(),
          ...pageQuery,
        }),
        response: { 200: pageOf(organizationResponse), ...standardErrors },
      },
    },
    async (request) => organizations.list(request.query),
  );

  server.get(
    '/organizations/:id',
    {
      schema: { tags, summary: 'Get an organization', params: idParams, response: { 200: organizationResponse, ...standardErrors } },
    },
    async (request) => organizations.get(request.params.id),
  );

  server.get(
    '/organizations/:id/employees',
    {
      schema: {
        tags,
        summary: "List an organization's employees (persons)",
        params: idParams,
        querystring: z.strictObject(pageQuery),
        response: { 200: pageOf(personResponse), ...standardErrors },
      },
    },
    async (request) => {
      await organizations.get(request.params.id);
      return persons.list({ organizationId: request.params.id, ...request.query });
    },
  );

  server.patch(
    '/organizations/:id',
    {
      schema: {
        tags,
        summary: 'Change an organization; fields left out stay as they are',
        params: idParams,
        body: organizationUpdateSchema,
        response: { 200: organizationResponse, ...standardErrors },
      },
    },
    async (request) => organizations.as(originOf(request)).update(request.params.id, request.body),
  );
};
