import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { idFromText } from '../../domain/ids.js';
import type { AppServices } from '../../app.js';
import { notFound } from '../../domain/errors.js';
import type { EntityType } from '../../events/domain-events.js';
import { assertEntityExists } from '../../store/entities.js';
import { originOf } from '../auth.js';
import { idParams, pageOf, pageQuery, standardErrors } from '../schemas/common.js';
import { resendResponse, syncLogEntryResponse, syncOutcomeSchema, systemSyncStateResponse } from '../schemas/integrations.js';

const tags = ['Sync log'];

const ENTITY_ROUTES: ReadonlyArray<{ path: string; entityType: EntityType; label: string }> = [
  { path: 'orders', entityType: 'order', label: 'an order' },
  { path: 'persons', entityType: 'person', label: 'a person' },
  { path: 'organizations', entityType: 'organization', label: 'an organization' },
];

/** The sync log (CORE-8): every attempt to every system, and where each entity stands per system. */
export const syncLogRoutes: FastifyPluginAsyncZod<{ services: AppServices }> = async (server, { services }) => {
  const { syncLog } = services.stores;
  const { db } = services.database;

  server.get(
    '/sync-log',
    {
      schema: {
        tags,
        summary: 'Sync attempts, newest first',
        querystring: z.strictObject({
          entityType: z.string().max(40).optional().describe('order, person, organization…'),
          entityId: idFromText.optional(),
          system: z.string().max(60).optional().describe('e.g. bitrix24'),
          outcome: syncOutcomeSchema.optional(),
          jobId: z.string().max(100).optional(),
          ...pageQuery,
        }),
        response: { 200: pageOf(syncLogEntryResponse), ...standardErrors },
      },
    },
    async (request) => syncLog.list(request.query),
  );

  server.get(
    '/sync-log/:id',
    { schema: { tags, summary: 'One sync attempt', params: idParams, response: { 200: syncLogEntryResponse, ...standardErrors } } },
    async (request) => {
      const entry = await syncLog.get(request.params.id);
      if (!entry) throw notFound('sync log entry', request.params.id);
      return entry;
    },
  );

  for (const { path, entityType, label } of ENTITY_ROUTES) {
    server.get(
      `/${path}/:id/sync`,
      {
        schema: {
          tags,
          summary: `Where ${label} stands with each external system`,
          description: '`canResend` is true when an installed, switched-on integration can send it again («Отправить повторно»).',
          params: idParams,
          response: {
            200: z.object({ entityType: z.string(), entityId: z.number().int(), systems: z.array(systemSyncStateResponse) }),
            ...standardErrors,
          },
        },
      },
      async (request) => {
        const { id } = request.params;
        await assertEntityExists(db, entityType, id);
        const installed = services.resend.registry.systemsFor(entityType);
        // A switched-off integration would refuse the resend (409): the button is not offered.
        const resendable = new Set(await services.resend.enabledAmong(installed));
        const states = await syncLog.latestPerSystem(entityType, id, installed);
        return { entityType, entityId: id, systems: states.map((state) => ({ ...state, canResend: resendable.has(state.system) })) };
      },
    );

    server.post(
      `/${path}/:id/sync/:system/resend`,
      {
        schema: {
          tags,
          summary: `«Отправить повторно»: send ${label} to a system again`,
          description: "Enqueues the integration's send job; the sync log shows the attempt when it has run.",
          params: z.strictObject({ id: idFromText, system: z.string().min(1).max(60) }),
          response: { 202: resendResponse, ...standardErrors },
        },
      },
      async (request, reply) => {
        const result = await services.resend.resend(entityType, request.params.id, request.params.system, originOf(request));
        return reply.code(202).send(result);
      },
    );
  }
};
