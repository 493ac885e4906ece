/**
 * The API's shapes as the panel uses them (see /docs for the full OpenAPI description): the
 * server's own types, imported as types only (nothing of the server reaches the bundle).
 */
import type { SystemSyncState as StoredSyncState } from '../../src/store/sync-log';
import type { StaffSession } from '../../src/store/sessions';

export type { ExternalIds, Organization, Person } from '../../src/domain/clients';
export type { Order, OrderItem, OrderSummary } from '../../src/domain/orders';
export type { OrderStatusInfo } from '../../src/domain/order-status';
export type { Category, Product, QuantityTiers as Tiers } from '../../src/domain/catalog';
export type { JobNameStats as JobStats, JobView as Job } from '../../src/jobs/driver';
export type { Page } from '../../src/store/pagination';

/** GET/POST /session: the stored session without its `id` (a hash of the cookie, never sent). */
export type Session = Omit<StaffSession, 'id'>;

/** One system's state for one order (GET /orders/:id/sync): the route adds `canResend`. */
export type SystemSyncState = StoredSyncState & { canResend: boolean };

/** `{ ru, en }`: integrations describe what the panel shows in both languages. */
export interface LocalizedText {
  ru: string;
  en: string;
}

export type CardEntityType = 'order' | 'person' | 'organization';

/** GET /integrations/panel: what an integration adds to the shared pages (src/platform/panel.ts). */
export interface PanelExternalIdField {
  kind: string;
  label: LocalizedText;
  editable: boolean;
  column: boolean;
  /** URL with `{id}` standing for the external id; null when there is none (yet). */
  link: string | null;
}

export interface PanelAction {
  id: string;
  label: LocalizedText;
  /** Relative to /api/v1/integrations/<name>/; `{id}` is our entity's id. Called with POST. */
  route: string;
  confirm: LocalizedText | null;
  /** Shown only while the entity has no external id of this kind. */
  whenUnlinked: string | null;
}

export interface PanelCard {
  entityType: CardEntityType;
  externalIds: PanelExternalIdField[];
  actions: PanelAction[];
  /** Blocks of facts read from the integration when the card opens (older servers send none). */
  details?: PanelCardDetails[];
}

export interface PanelCardDetails {
  id: string;
  title: LocalizedText;
  /** Relative to /api/v1/integrations/<name>/; `{id}` is our entity's id. Called with GET. */
  route: string;
}

/** What a card details route answers. */
export interface CardDetailsAnswer {
  rows: Array<{ label: string; value: string; at?: string | null }>;
  empty?: string;
}

/** An address of printsync to paste into the other system. */
export interface PanelCopyField {
  id: string;
  label: LocalizedText;
  description: LocalizedText | null;
  path: string;
  /** PUBLIC_URL + path; null when unset: the panel's own origin is used. */
  url: string | null;
}

/** Events another system sent, by outcome (the sync health page). */
export interface InboundCounts {
  name: string;
  title: LocalizedText;
  counts: { received: number; pending: number; applied: number; echo: number; stale: number; ignored: number; failed: number };
}

export interface PanelSettingsSection {
  id: string;
  title: LocalizedText;
  description: LocalizedText | null;
  /** Top-level settings fields drawn in this section instead of the main form. */
  fields: string[];
  copyFields?: PanelCopyField[];
}

export interface PanelIntegration {
  name: string;
  title: LocalizedText;
  enabled: boolean;
  /** Its settings were saved at least once (always true without a settings form). */
  configured: boolean;
  alert: IntegrationAlert | null;
  cards: PanelCard[];
  settingsSections: PanelSettingsSection[];
  /** A block on the product card: the product's template in the integration's system (older servers send none). */
  productTemplate?: PanelProductTemplate | null;
  /** A block on the product card: a template file the admin uploads per product (older servers send none). */
  productTemplateFile?: PanelProductTemplateFile | null;
}

/** An uploaded template file per product (src/platform/panel.ts ProductTemplateFileSection). */
export interface PanelProductTemplateFile {
  title: LocalizedText;
  uploadLabel: LocalizedText;
  accept: string;
  useTiersLabel: LocalizedText;
  restrictionsTitle: LocalizedText;
  parameterColumn: LocalizedText;
  presetColumn: LocalizedText;
  description: LocalizedText | null;
}

/** GET /integrations/<name>/products/<id>/template-file. */
export interface ProductTemplateFile {
  template: { file: string; product: string | null; variants: number; parameters: string[]; encoding: string; delimiter: string; uploadedAt: string } | null;
  strategy: 'floor' | 'exact' | 'interpolate';
  useTiers: boolean;
  restrictions: Array<{ name: string; values: string[]; preset: string | null; problem: string | null }>;
  message?: string;
}

/** Which template of the integration's system prices a product (src/platform/panel.ts ProductTemplateSection). */
export interface PanelProductTemplate {
  title: LocalizedText;
  syncLabel: LocalizedText;
  /** Help text: what is assumed about the other system's API. */
  description: LocalizedText | null;
  groupTitles: Record<TemplateGroupKind, LocalizedText>;
  sourceNameColumn: LocalizedText;
}

export type TemplateGroupKind = 'order' | 'detail' | 'operation';

/** GET /integrations/<name>/templates: the synced templates (a removed one's label says so). */
export interface TemplateChoices {
  items: Array<{ value: string | number; label: string }>;
}

/** POST /integrations/<name>/templates/sync. */
export interface TemplateSyncAnswer {
  message: string;
  templates: number;
  updated: string[];
  missing: string[];
}

/** GET /integrations/<name>/products/<id>/template: the product's template and its parameters' site labels. */
export interface ProductTemplateBinding {
  templateId: string | null;
  templateName: string | null;
  /** When the other system stopped listing the template (or a word saying it is not synced); null while it is there. */
  missingSince: string | null;
  parameters: TemplateParameter[];
}

export interface TemplateParameter {
  key: string;
  group: string;
  groupKind: TemplateGroupKind;
  sourceName: string;
  /** «Название параметра на сайте»; empty: the other system's name is used. */
  siteLabel: string;
  label: string;
}

/** GET /products/<id>/calculator: the parameters and quantities a product can be priced with. */
export interface ProductCalculator {
  engine: string;
  parameters: CalculatorParameter[];
  quantity: { min?: number; max?: number; step?: number; presets?: number[] };
}

export type ParameterValue = string | number | boolean;

export interface CalculatorParameter {
  key: string;
  label: string;
  group: string;
  type: 'number' | 'integer' | 'string' | 'text' | 'select' | 'boolean' | 'date';
  required: boolean;
  options?: Array<{ value: string; label: string }>;
  default?: ParameterValue;
  min?: number;
  max?: number;
  step?: number;
  unit?: string;
}

/** POST /products/<id>/quote (money in minor units). */
export interface Quote {
  quantity: number;
  total: number;
  unitPrice: number;
  currency: string;
  breakdown: Array<{ name: string; amount: number }>;
  warnings: string[];
  source: { engine: string; cached: boolean; templateVersion?: number | null; productionDays?: number };
}

/** A parked integration: its system refused its credentials or rights; its jobs wait. */
export interface IntegrationAlert {
  kind: string;
  message: string;
  jobName: string | null;
  raisedAt: string;
}

/** A settings button that fills fields from the live system (POST /integrations/<name>/actions/<id>). */
export interface SettingsActionInfo {
  id: string;
  title: string;
  /** The fields it fills. */
  fills: string[];
}

/** What a settings action answers: the values go into the form unsaved. */
export interface SettingsActionAnswer {
  ok: boolean;
  values: Record<string, string | number | boolean>;
  message: string;
}

/** GET /integrations: integrations with a settings form. */
export interface IntegrationSummary {
  name: string;
  title: LocalizedText;
  enabled: boolean;
  /** 0 when never saved. */
  version: number;
  updatedAt: string | null;
  updatedBy: string | null;
  capabilities: { testConnection: boolean; liveValidation: boolean; actions?: SettingsActionInfo[] };
  alert: IntegrationAlert | null;
}

/** GET /calculator-engines. */
export interface CalculatorEngineInfo {
  code: string;
  label: LocalizedText;
}
