import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppServices } from '../../app.js';
import { notFound } from '../../domain/errors.js';
import { emptyMap } from '../../domain/keys.js';
import { ENTITY_TYPES } from '../../events/domain-events.js';
import type { ExternalIdField, PanelExtension } from '../../platform/panel.js';
import type { SettingsShape } from '../../settings/definition.js';
import { standardErrors } from '../schemas/common.js';
import { alertView, integrationAlertResponse, integrationNameParams } from '../schemas/integrations.js';

const tags = ['Integrations'];

const text = z.object({ ru: z.string(), en: z.string() });

const panelResponse = z.object({
  items: z.array(
    z.object({
      name: z.string(),
      title: text,
      enabled: z.boolean(),
      configured: z.boolean().describe('its settings were saved at least once (always true for an integration without settings)'),
      alert: integrationAlertResponse.nullable(),
      cards: z.array(
        z.object({
          entityType: z.enum(ENTITY_TYPES),
          externalIds: z.array(
            z.object({
              kind: z.string(),
              label: text,
              editable: z.boolean(),
              column: z.boolean(),
              link: z.string().nullable().describe('URL with `{id}` standing for the external id; null when there is none'),
            }),
          ),
          actions: z.array(
            z.object({
              id: z.string(),
              label: text,
              route: z.string().describe('path under /api/v1/integrations/{name}/ to POST to; `{id}` is the entity id'),
              confirm: text.nullable(),
              whenUnlinked: z.string().nullable(),
            }),
          ),
        }),
      ),
      settingsSections: z.array(z.object({ id: z.string(), title: text, description: text.nullable(), fields: z.array(z.string()) })),
    }),
  ),
});

/**
 * What the admin panel draws for each integration beyond its settings form (platform/panel.ts),
 * and «Возобновить» for a parked integration.
 */
export const integrationPanelRoutes: FastifyPluginAsyncZod<{ services: AppServices }> = async (server, { services }) => {
  const { settings, alerts } = services.stores;

  server.get(
    '/integrations/panel',
    {
      schema: {
        tags,
        summary: 'Sections integrations add to order and client cards and to their settings',
        description: 'The panel shows a card section when the integration is on or configured, or when the entity already has its ids.',
        response: { 200: panelResponse, ...standardErrors },
      },
    },
    async () => {
      const items = [];
      const parked = new Map((await alerts.all()).map((alert) => [alert.integration, alert]));
      for (const { definition, panel } of services.integrations.integrations) {
        const saved = definition.settings ? await settings.latest(definition.name) : null;
        const visible = publicSettings(saved?.settings ?? {}, definition.settings?.secretFields ?? []);
        items.push({
          name: definition.name,
          title: { ...definition.title },
          enabled: definition.settings ? (saved?.enabled ?? false) : true,
          configured: definition.settings ? saved !== null : true,
          alert: alertView(parked.get(definition.name) ?? null),
          ...describePanel(panel, visible),
        });
      }
      return { items };
    },
  );

  server.post(
    '/integrations/:name/resume',
    {
      config: { requires: 'admin' },
      schema: {
        tags,
        summary: '«Возобновить»: un-park an integration whose credentials were refused, without changing its settings',
        description: 'For a fix made on the other side (a scope added to the webhook). Saving the settings resumes it as well.',
        params: integrationNameParams,
        response: { 200: z.object({ resumed: z.boolean().describe('false when it was not parked') }), ...standardErrors },
      },
    },
    async (request) => {
      if (!services.integrations.find(request.params.name)) throw notFound('integration', request.params.name);
      return { resumed: await alerts.clear(request.params.name) };
    },
  );
};

function describePanel(panel: PanelExtension, settings: SettingsShape) {
  return {
    cards: (panel.cards ?? []).map((card) => ({
      entityType: card.entityType,
      externalIds: (card.externalIds ?? []).map((field) => ({
        kind: field.kind,
        label: { ...field.label },
        editable: field.editable ?? false,
        column: field.column ?? false,
        link: resolveLink(field, settings),
      })),
      actions: (card.actions ?? []).map((action) => ({
        id: action.id,
        label: { ...action.label },
        route: action.route,
        confirm: action.confirm ? { ...action.confirm } : null,
        whenUnlinked: action.whenUnlinked ?? null,
      })),
    })),
    settingsSections: (panel.settingsSections ?? []).map((section) => ({
      id: section.id,
      title: { ...section.title },
      description: section.description ? { ...section.description } : null,
      fields: [...section.fields],
    })),
  };
}

/** `{settings.portalUrl}/crm/contact/details/{id}/` with the saved portal URL; null while a setting is missing. */
function resolveLink(field: ExternalIdField, settings: SettingsShape): string | null {
  if (!field.link) return null;
  let missing = false;
  const link = field.link.replace(/\{settings\.([A-Za-z0-9_]+)\}/g, (_, name: string) => {
    const value = settings[name];
    if (typeof value !== 'string' && typeof value !== 'number') {
      missing = true;
      return '';
    }
    return String(value);
  });
  return missing ? null : link;
}

/** Saved settings without their secrets: only these may appear in links. */
function publicSettings(saved: SettingsShape, secretFields: readonly string[]): SettingsShape {
  const visible: SettingsShape = emptyMap();
  for (const [key, value] of Object.entries(saved)) if (!secretFields.includes(key)) visible[key] = value;
  return visible;
}
