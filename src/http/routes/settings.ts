import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppServices } from '../../app.js';
import { pageOf, pageQuery, standardErrors } from '../schemas/common.js';
import {
  alertView,
  capabilitiesOf,
  connectionTestBody,
  connectionTestResponse,
  settingsActionParams,
  settingsActionResponse,
  integrationNameParams,
  integrationSettingsView,
  integrationSettingsResponse,
  integrationSummaryResponse,
  settingsSaveBody,
  settingsVersionResponse,
  settingsVersionView,
} from '../schemas/integrations.js';

const tags = ['Integrations'];

/**
 * Integration settings (CORE-6): «Заказы / Настройка / Выгрузка заказов / ERP и CRM системы».
 * Secrets never leave in plain text: they are masked on the way out and restored from the
 * stored version when the form sends the mask back. Managers may read the forms; saving and
 * «Проверить подключение» (it calls out with the stored secrets, or any URL typed in) are for
 * administrators.
 */
export const settingsRoutes: FastifyPluginAsyncZod<{ services: AppServices }> = async (server, { services }) => {
  const { settings, alerts } = services.stores;
  const { registry } = settings;

  server.get(
    '/integrations',
    {
      schema: {
        tags,
        summary: 'Installed integrations with their on/off toggle and settings version',
        response: { 200: z.object({ items: z.array(integrationSummaryResponse) }), ...standardErrors },
      },
    },
    async () => {
      const states = await settings.states();
      const parked = new Map((await alerts.all()).map((alert) => [alert.integration, alert]));
      return {
        items: states.map((state) => {
          const definition = registry.require(state.integration);
          return {
            name: state.integration,
            title: { ...definition.title },
            enabled: state.enabled,
            version: state.version,
            updatedAt: state.updatedAt,
            updatedBy: state.updatedBy,
            capabilities: capabilitiesOf(definition),
            alert: alertView(parked.get(state.integration) ?? null),
          };
        }),
      };
    },
  );

  server.get(
    '/integrations/:name/settings',
    {
      schema: {
        tags,
        summary: "An integration's settings form: latest values (secrets masked) and its JSON Schema",
        params: integrationNameParams,
        response: { 200: integrationSettingsResponse, ...standardErrors },
      },
    },
    async (request) => {
      const definition = registry.require(request.params.name);
      return integrationSettingsView(definition, await settings.latest(definition.integration), await alerts.find(definition.integration));
    },
  );

  server.put(
    '/integrations/:name/settings',
    {
      config: { requires: 'admin' },
      schema: {
        tags,
        summary: 'Save settings as a new version',
        description:
          'Validated by the integration\'s schema and, when enabled, against the live system; nothing is saved on any ' +
          'problem (400 naming `body.settings.<field>`). `version` must be the latest one (409 otherwise).',
        params: integrationNameParams,
        body: settingsSaveBody,
        response: { 200: integrationSettingsResponse, ...standardErrors },
      },
    },
    async (request) => {
      const definition = registry.require(request.params.name);
      const saved = await settings.save(
        definition.integration,
        {
          expectedVersion: request.body.version,
          enabled: request.body.enabled,
          settings: request.body.settings,
          by: request.principal?.name ?? null,
        },
        { pathPrefix: 'body.settings' },
      );
      return integrationSettingsView(definition, saved, null);
    },
  );

  server.get(
    '/integrations/:name/settings/history',
    {
      schema: {
        tags,
        summary: 'Saved versions of the settings, newest first (secrets masked)',
        params: integrationNameParams,
        querystring: z.strictObject({ ...pageQuery }),
        response: { 200: pageOf(settingsVersionResponse), ...standardErrors },
      },
    },
    async (request) => {
      const definition = registry.require(request.params.name);
      const page = await settings.history(definition.integration, request.query);
      return { items: page.items.map((version) => settingsVersionView(definition, version)), nextCursor: page.nextCursor };
    },
  );

  server.post(
    '/integrations/:name/test-connection',
    {
      config: { requires: 'admin' },
      schema: {
        tags,
        summary: '«Проверить подключение»: try the saved settings, or unsaved form values',
        description: 'A failed connection is an answer (`ok: false` with the reason), not an error.',
        params: integrationNameParams,
        body: connectionTestBody,
        response: { 200: connectionTestResponse, ...standardErrors },
      },
    },
    async (request) => settings.testConnection(request.params.name, request.body?.settings, { pathPrefix: 'body.settings' }),
  );

  server.post(
    '/integrations/:name/actions/:action',
    {
      config: { requires: 'admin' },
      schema: {
        tags,
        summary: 'A settings button that fills fields from the live system («Получить идентификаторы из ASystem»)',
        description: 'Runs on the saved settings, or on unsaved form values (stored secrets reused only for the address they were saved with). A failure is an answer (`ok: false`), not an error; nothing is saved.',
        params: settingsActionParams,
        body: connectionTestBody,
        response: { 200: settingsActionResponse, ...standardErrors },
      },
    },
    async (request) => settings.runAction(request.params.name, request.params.action, request.body?.settings, { pathPrefix: 'body.settings' }),
  );
};
