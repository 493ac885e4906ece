import { api, ApiError } from './api';
import type { CardEntityType, ExternalIds, LocalizedText, PanelAction, PanelCardDetails, PanelExternalIdField, PanelIntegration, SystemSyncState } from './types';

/**
 * What the integrations add to the panel's shared pages, as the server describes it
 * (`GET /integrations/panel`, src/platform/panel.ts). The panel knows no integration by name:
 * titles, id fields, links, buttons and settings subsections all come from here.
 */
export interface IntegrationsView {
  /** Every installed integration, in the order they are installed. */
  panel: PanelIntegration[];
}

/** The list; an older server without it gives an empty one (the pages then show no sections). */
export async function loadIntegrationsView(): Promise<IntegrationsView> {
  const panel = await api<{ items: PanelIntegration[] }>('GET', '/integrations/panel').then(
    (body) => body.items,
    (error: unknown) => {
      if (error instanceof ApiError && error.status === 404) return [];
      throw error;
    },
  );
  return { panel };
}

/** `crm` → its `{ ru, en }` title, for every installed integration. */
export function titlesOf(panel: readonly PanelIntegration[]): Record<string, LocalizedText> {
  return Object.fromEntries(panel.map((item) => [item.name, item.title]));
}

function hasIds(ids: Record<string, string> | undefined): boolean {
  return Object.values(ids ?? {}).some(Boolean);
}

/**
 * Whether an integration's sections are shown: while it is switched on, once it has been
 * configured (saved at least once), or when the entity already has ids in its system.
 */
export function isShown(integration: PanelIntegration, externalIds?: ExternalIds): boolean {
  if (integration.enabled || integration.configured) return true;
  return hasIds(externalIds?.[integration.name]);
}

/** One integration's part of an entity's card: its ids, its buttons, where the entity stands with it. */
export interface EntitySection {
  system: string;
  /** Null for a system that is not installed (ids or sync log left from before): its name is shown. */
  title: LocalizedText | null;
  /** Switched on (or has no settings form); a switched-off one sends nothing, so «Отправить повторно» is not offered. */
  enabled: boolean;
  /** The fields the integration declares, then any other kind the entity has an id of (labelled by its kind). */
  fields: PanelExternalIdField[];
  actions: PanelAction[];
  /** Facts read from the integration when the card opens (e.g. the last change it received). */
  details: PanelCardDetails[];
  sync: SystemSyncState | null;
}

/** The sections of one entity's card, in the order the integrations are installed. */
export function entitySections(
  view: IntegrationsView,
  entityType: CardEntityType,
  externalIds: ExternalIds,
  sync: readonly SystemSyncState[] | null,
): EntitySection[] {
  const sections: EntitySection[] = [];
  const seen = new Set<string>();
  const stateOf = (system: string) => sync?.find((s) => s.system === system) ?? null;
  const undeclared = (system: string, declared: readonly PanelExternalIdField[]): PanelExternalIdField[] =>
    Object.entries(externalIds[system] ?? {})
      .filter(([kind, id]) => id && !declared.some((f) => f.kind === kind))
      .map(([kind]) => ({ kind, label: { ru: `${kind}:`, en: `${kind}:` }, editable: false, column: false, link: null }));

  for (const integration of view.panel) {
    seen.add(integration.name);
    const cards = integration.cards.filter((card) => card.entityType === entityType);
    const state = stateOf(integration.name);
    const declared = cards.flatMap((card) => card.externalIds);
    const fields = [...declared, ...undeclared(integration.name, declared)];
    if (!cards.length && !state && !fields.length) continue;
    if (!isShown(integration, externalIds)) continue;
    sections.push({ system: integration.name, title: integration.title, enabled: integration.enabled, fields, actions: cards.flatMap((card) => card.actions), details: cards.flatMap((card) => card.details ?? []), sync: state });
  }

  // Systems this build does not run, but the entity still has ids of, or was sent to.
  const leftovers = new Set([...Object.keys(externalIds).filter((s) => hasIds(externalIds[s])), ...(sync ?? []).filter((s) => s.state !== 'never').map((s) => s.system)]);
  for (const system of leftovers) {
    if (seen.has(system)) continue;
    sections.push({ system, title: null, enabled: false, fields: undeclared(system, []), actions: [], details: [], sync: stateOf(system) });
  }
  return sections;
}

/** A column of a list page: one external id field of a shown integration. */
export interface ExternalIdColumn {
  system: string;
  field: PanelExternalIdField;
}

/** The `column: true` fields for a list of `entityType`: of integrations that are on, configured, or that some row has ids of. */
export function listColumns(view: IntegrationsView | undefined, entityType: CardEntityType, rows: ReadonlyArray<{ externalIds: ExternalIds }>): ExternalIdColumn[] {
  if (!view) return [];
  return view.panel.flatMap((integration) => {
    const shown = isShown(integration) || rows.some((row) => hasIds(row.externalIds[integration.name]));
    if (!shown) return [];
    return integration.cards
      .filter((card) => card.entityType === entityType)
      .flatMap((card) => card.externalIds.filter((field) => field.column).map((field) => ({ system: integration.name, field })));
  });
}

/** «Contact ID:» → «Contact ID» for a column heading. */
export function headingOf(label: string): string {
  return label.replace(/\s*:\s*$/, '');
}

/** A card details route with the entity's id: the path under /api/v1 to GET. */
export function detailsPath(system: string, route: string, entityId: number): string {
  return `/integrations/${encodeURIComponent(system)}/${route.split('{id}').join(String(entityId))}`;
}

/** The address to paste into the other system: PUBLIC_URL's when the server has one, else this panel's own origin. */
export function copyUrlOf(field: { url: string | null; path: string }, origin: string): string {
  return field.url ?? `${origin.replace(/\/+$/, '')}${field.path}`;
}

/** The link to the object in the other system, or null. */
export function linkOf(field: PanelExternalIdField, id: string): string | null {
  if (!field.link || !id) return null;
  return field.link.split('{id}').join(encodeURIComponent(id));
}

/** `orders/{id}/send` for order 12 → `/integrations/<name>/orders/12/send`. */
export function actionPath(system: string, route: string, entityId: number): string {
  return `/integrations/${encodeURIComponent(system)}/${route.replace(/^\/+/, '').split('{id}').join(String(entityId))}`;
}

/** «портал ответил 401.» → «портал ответил 401»: the sentence the panel puts it in ends it. */
export function parkedReason(message: string): string {
  return message.trim().replace(/[.。]+$/, '');
}
