import type { LocalizedText } from '../domain/localized-text.js';
import type { EntityType } from '../events/domain-events.js';

/**
 * What an integration shows in the admin panel beyond its settings form. The panel's shared
 * pages (the order card, the client cards and lists, «ERP и CRM системы») know no integration by
 * name: they ask `GET /api/v1/integrations/panel` and draw these descriptions.
 *
 * Settings fields can also take their options live from the integration: a field whose schema
 * carries `.meta({ 'x-options': { route: 'stages', params: { categoryId: 'categoryId' } } })` is
 * drawn as a list filled from `GET /api/v1/integrations/<name>/stages?categoryId=<the form's
 * categoryId>`, which answers `{ items: [{ value, label }] }` (see `LiveOptions`).
 */
export interface PanelExtension {
  /** Sections on the cards of orders, persons and organizations. */
  cards?: readonly CardSection[];
  /** Subsections of the integration's settings form, each with some of its fields. */
  settingsSections?: readonly SettingsSection[];
  /** A block on the product card: which template of the integration's system prices the product. */
  productTemplate?: ProductTemplateSection;
  /** A block on the product card for a template *file* the admin uploads (a 1C price matrix). */
  productTemplateFile?: ProductTemplateFileSection;
}

/**
 * A template file per product (P1C-2..P1C-5): upload it, see what was read, look at its JSON,
 * unbind it; a switch to price by the product's own tiers instead; a preset value per parameter.
 * The routes are relative to `/api/v1/integrations/<name>/`:
 * - `GET products/{id}/template-file` → `{ template: { file, product, variants, … } | null, strategy, useTiers, restrictions: [{ name, values, preset, problem }] }`;
 * - `POST products/{id}/template-file` multipart with the file in `file` → the same, or a 400 naming the line;
 * - `DELETE products/{id}/template-file` → the same, without a template («Сбросить привязку»);
 * - `PUT products/{id}/template-file/settings` with `{ useTiers?, strategy?, restrictions?: { name: value | null } }`;
 * - `GET products/{id}/template-file/json` → the parsed template («Покажи внутренний JSON»).
 */
export interface ProductTemplateFileSection {
  /** «Выбор шаблона 1С:Полиграфия». */
  title: LocalizedText;
  /** «Загрузить файл шаблона (.csv)». */
  uploadLabel: LocalizedText;
  /** What the file picker accepts, e.g. `.csv,text/csv`. */
  accept: string;
  /** «Брать стоимость шаблона из настроек тиражности продукта». */
  useTiersLabel: LocalizedText;
  /** «Ограничения по значениям параметров 1С:Полиграфия». */
  restrictionsTitle: LocalizedText;
  /** «Название параметра 1С:Полиграфия». */
  parameterColumn: LocalizedText;
  /** «Предзаданное значение параметра 1С:Полиграфия». */
  presetColumn: LocalizedText;
  /** Help text: what is assumed about the file. */
  description?: LocalizedText;
}

/**
 * «Шаблон ASystem» on the product card (AS-4, AS-5): sync the templates, choose the product's,
 * see its JSON, and set «Название параметра на сайте» for each parameter. The routes are
 * relative to `/api/v1/integrations/<name>/`:
 * - `GET templates` → `LiveOptions` (the synced templates; a removed one says so);
 * - `POST templates/sync` → `{ message }`;
 * - `GET templates/{templateId}` → `{ raw, template, syncedAt, missingSince }` («Покажи внутренний JSON»);
 * - `GET products/{id}/template` → `{ templateId, templateName, missingSince, parameters: [{ key, group, sourceName, siteLabel }] }`;
 * - `PUT products/{id}/template` with `{ templateId, labels: { key: siteLabel } }`.
 */
export interface ProductTemplateSection {
  /** «Шаблон ASystem». */
  title: LocalizedText;
  /** «Синхронизировать шаблоны с сервером ASystem». */
  syncLabel: LocalizedText;
  /** Help text: what is assumed about the ERP's API. */
  description?: LocalizedText;
  /** Titles of the label tables per parameter group, e.g. `order`: «Параметры заказа шаблона ASystem». */
  groupTitles: Record<'order' | 'detail' | 'operation', LocalizedText>;
  /** «Название параметра в ASystem». */
  sourceNameColumn: LocalizedText;
}

export interface CardSection {
  entityType: EntityType;
  /** The entity's ids in the integration's system (external links of this integration). */
  externalIds?: readonly ExternalIdField[];
  /** Buttons; each calls one of the integration's API routes. */
  actions?: readonly CardAction[];
  /** Facts the card reads from the integration when it opens (e.g. the last change that came from the other system). */
  details?: readonly CardDetails[];
}

/**
 * A block of facts on a card: the panel GETs `route` (relative to `/api/v1/integrations/<name>/`,
 * `{id}` our entity's id), which answers `CardDetailsAnswer`, and draws its rows.
 */
export interface CardDetails {
  /** Unique within the integration, e.g. `lastChange`. */
  id: string;
  /** «Последнее изменение из Битрикс24». */
  title: LocalizedText;
  route: string;
}

/** What a card details route answers: labelled rows (`at` is a time the panel formats), or a word when there are none. */
export interface CardDetailsAnswer {
  rows: Array<{ label: string; value: string; at?: string | null }>;
  /** Shown when there are no rows, e.g. «Изменений из Битрикс24 ещё не было». */
  empty?: string;
}

export interface ExternalIdField {
  /** The link's kind, e.g. `contact`, `company`, `deal`. */
  kind: string;
  /** «Bitrix Contact ID». */
  label: LocalizedText;
  /** Staff may type it (CORE-1: an admin fixes a wrong Bitrix ID). @default false */
  editable?: boolean;
  /** Also a column of the entity's list page. @default false */
  column?: boolean;
  /**
   * Opens the object in the other system: `{id}` is the external id, `{settings.<field>}` a saved
   * (non-secret) setting, e.g. `{settings.portalUrl}/crm/contact/details/{id}/`.
   */
  link?: string;
}

export interface CardAction {
  /** Unique within the integration, e.g. `send`. */
  id: string;
  /** «Отправить в ASystem». */
  label: LocalizedText;
  /** An API route of the integration, relative to `/api/v1/integrations/<name>/`; `{id}` is our entity's id. */
  route: string;
  /** Asked before the call, e.g. «Отправить заказ ещё раз?». */
  confirm?: LocalizedText;
  /** Shown only while the entity has no link of this kind (e.g. «Отправить в Битрикс24» for clients without a Bitrix ID). */
  whenUnlinked?: string;
  /** Shown only while this saved (non-secret) setting is true, e.g. a toggle «Использовать телефонию…». */
  whenSetting?: string;
}

export interface SettingsSection {
  /** Unique within the integration, e.g. `statusMap`. */
  id: string;
  /** «Соответствие статусов». */
  title: LocalizedText;
  description?: LocalizedText;
  /** Top-level settings fields drawn in this section instead of the main form. */
  fields: readonly string[];
  /**
   * Addresses of printsync the admin pastes into the other system (e.g. where it sends its
   * events), each shown with a copy button.
   */
  copyFields?: readonly CopyField[];
}

export interface CopyField {
  id: string;
  /** «URL обработчика». */
  label: LocalizedText;
  /** A path of printsync's server, e.g. `/api/inbound/events`: shown after PUBLIC_URL, or after the panel's own origin when that is unset. */
  path: string;
  description?: LocalizedText;
}

/** What a live-options route answers: the choices of a settings field, read from the other system. */
export interface LiveOptions {
  items: Array<{ value: string | number; label: string }>;
}
