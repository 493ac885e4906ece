import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppServices } from '../../app.js';
import { notFound } from '../../domain/errors.js';
import { emptyMap } from '../../domain/keys.js';
import { ENTITY_TYPES } from '../../events/domain-events.js';
import type { ExternalIdField, PanelExtension, ProductTemplateFileSection } from '../../platform/panel.js';
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
          details: z.array(z.object({ id: z.string(), title: text, route: z.string().describe('path under /api/v1/integrations/{name}/ to GET; `{id}` is the entity id') })),
        }),
      ),
      settingsSections: z.array(
        z.object({
          id: z.string(),
          title: text,
          description: text.nullable(),
          fields: z.array(z.string()),
          copyFields: z.array(
            z.object({
              id: z.string(),
              label: text,
              description: text.nullable(),
              path: z.string(),
              url: z.string().nullable().describe('PUBLIC_URL followed by the path; null when PUBLIC_URL is unset (the panel then uses its own origin)'),
            }),
          )
            .optional()
            .describe('addresses of printsync to paste into the other system, each with a copy button; absent when there are none'),
        }),
      ),
      productTemplate: z
        .object({
          title: text,
          syncLabel: text,
          description: text.nullable(),
          groupTitles: z.object({ order: text, detail: text, operation: text }),
          sourceNameColumn: text,
        })
        .nullable()
        .describe("a block on the product card: the product's template in the integration's system (routes in platform/panel.ts ProductTemplateSection)"),
      productTemplateFile: z
        .object({
          title: text,
          uploadLabel: text,
          accept: z.string(),
          useTiersLabel: text,
          restrictionsTitle: text,
          parameterColumn: text,
          presetColumn: text,
          description: text.nullable(),
        })
        .nullable()
        .describe('a block on the product card: a template file the admin uploads per product (routes in platform/panel.ts ProductTemplateFileSection)'),
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
          ...describePanel(panel, visible, services.config.publicUrl ?? null),
        });
      }
      return { items };
    },
  );

  server.get(
    '/integrations/inbound',
    {
      schema: {
        tags,
        summary: 'Events other systems sent to printsync, per integration that receives them, by outcome',
        description: 'For the sync health page: received, still pending, applied, dropped as printsync\'s own change (echo), older than what was applied (stale), not printsync\'s business (ignored), failed.',
        response: {
          200: z.object({
            items: z.array(
              z.object({
                name: z.string(),
                title: text,
                counts: z.object({ received: z.number(), pending: z.number(), applied: z.number(), echo: z.number(), stale: z.number(), ignored: z.number(), failed: z.number() }),
              }),
            ),
          }),
          ...standardErrors,
        },
      },
    },
    async () => {
      const items = [];
      for (const { definition, context, routes } of services.integrations.integrations) {
        if (!routes.inbound?.length) continue;
        items.push({ name: definition.name, title: { ...definition.title }, counts: await context.inbox.counts() });
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

function describePanel(panel: PanelExtension, settings: SettingsShape, publicUrl: string | null) {
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
      actions: (card.actions ?? []).filter((action) => !action.whenSetting || settings[action.whenSetting] === true).map((action) => ({
        id: action.id,
        label: { ...action.label },
        route: action.route,
        confirm: action.confirm ? { ...action.confirm } : null,
        whenUnlinked: action.whenUnlinked ?? null,
      })),
      details: (card.details ?? []).map((details) => ({ id: details.id, title: { ...details.title }, route: details.route })),
    })),
    settingsSections: (panel.settingsSections ?? []).map((section) => ({
      id: section.id,
      title: { ...section.title },
      description: section.description ? { ...section.description } : null,
      fields: [...section.fields],
      ...(section.copyFields?.length && {
        copyFields: section.copyFields.map((field) => ({
          id: field.id,
          label: { ...field.label },
          description: field.description ? { ...field.description } : null,
          path: field.path,
          url: publicUrl ? `${publicUrl.replace(/\/+$/, '')}${field.path}` : null,
        })),
      }),
    })),
    productTemplate: panel.productTemplate
      ? {
          title: { ...panel.productTemplate.title },
          syncLabel: { ...panel.productTemplate.syncLabel },
          description: panel.productTemplate.description ? { ...panel.productTemplate.description } : null,
          groupTitles: {
            order: { ...panel.productTemplate.groupTitles.order },
            detail: { ...panel.productTemplate.groupTitles.detail },
            operation: { ...panel.productTemplate.groupTitles.operation },
          },
          sourceNameColumn: { ...panel.productTemplate.sourceNameColumn },
        }
      : null,
    productTemplateFile: panel.productTemplateFile ? describeTemplateFile(panel.productTemplateFile) : null,
  };
}

function describeTemplateFile(section: ProductTemplateFileSection) {
  return {
    title: { ...section.title },
    uploadLabel: { ...section.uploadLabel },
    accept: section.accept,
    useTiersLabel: { ...section.useTiersLabel },
    restrictionsTitle: { ...section.restrictionsTitle },
    parameterColumn: { ...section.parameterColumn },
    presetColumn: { ...section.presetColumn },
    description: section.description ? { ...section.description } : null,
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
