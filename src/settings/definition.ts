import type { z } from 'zod';
import type { FieldProblem } from '../domain/errors.js';
import type { LocalizedText } from '../domain/localized-text.js';
import type { RateLimit, SharedRateBucket } from '../store/rate-bucket.js';

/** Plain-object settings; every integration's settings are one JSON document. */
export type SettingsShape = Record<string, unknown>;

export interface SettingsHookContext {
  /** Aborted when the caller gives up (request timeout); pass it to HTTP calls. */
  signal: AbortSignal;
  /**
   * The same shared request budget the integration's jobs take from (`context.rateBucket`): a
   * check made while they run waits for its turn instead of being refused by the other system.
   */
  rateBucket(key: string, limit: RateLimit): SharedRateBucket;
}

export interface ConnectionTestResult {
  ok: boolean;
  /** For people, shown next to «Проверить подключение»; secrets are masked before it is shown. */
  message: string;
}

/**
 * A button of the settings form that asks the live system for values and puts them into fields
 * («Получить идентификаторы из ASystem»). It runs with the form as typed (stored secrets reused
 * under the same rules as «Проверить подключение»); the values go into the form, and the admin saves.
 */
export interface SettingsAction<T extends SettingsShape = SettingsShape> {
  /** The button's text. */
  readonly title: string;
  /** The fields it fills (shown next to them). */
  readonly fills: readonly string[];
  run(settings: T, context: SettingsHookContext): Promise<SettingsActionResult>;
}

export interface SettingsActionResult {
  /** Field → value to put into the form. */
  values: Record<string, string | number | boolean>;
  message: string;
}

/**
 * An integration's settings form: its schema, which fields are secrets, and optional checks
 * against the live system. Declared once per integration with `defineSettings` and handed to
 * `defineIntegration`, which names it; the core stores, versions and serves it.
 */
export interface SettingsForm<T extends SettingsShape = SettingsShape> {
  /** Validates a whole settings document; what it outputs is what is stored. */
  readonly schema: z.ZodType<T>;
  /**
   * Top-level fields holding credentials: stored, never shown (masked), kept when sent back
   * masked. (Plain strings here so any definition fits the registry; `defineSettings` checks
   * that they are fields of T.)
   */
  readonly secretFields: readonly string[];
  /**
   * The address field each secret is sent to, e.g. `{ webhookCode: 'portalUrl' }`. A stored
   * secret is reused (sent back masked, or left out) only while that address — as the schema
   * normalizes it — is the one it was saved with; with another address the secret has to be
   * typed again. Otherwise «Проверить подключение» with a new address and the mask would hand the
   * stored key to whatever server the caller names.
   */
  readonly secretAddresses?: Readonly<Record<string, string>>;
  /** Values of a form never saved yet; also fill fields a newer schema added to older saved versions. */
  readonly defaults: Partial<T>;
  /**
   * Checks the settings against the live counterpart before they are saved (does the portal
   * answer, does the chosen funnel exist). Returns problems with paths inside the settings
   * (`categoryId`, `statusMap[2].stage`); any problem, or a throw, means nothing is saved.
   * Runs only for saves that leave the integration enabled: a switched-off integration may
   * point at a system that is down. (Method syntax: definitions of any shape fit the registry.)
   */
  validateLive?(settings: T, context: SettingsHookContext): Promise<readonly FieldProblem[] | void>;
  /** «Проверить подключение»: one cheap authenticated call. */
  testConnection?(settings: T, context: SettingsHookContext): Promise<ConnectionTestResult>;
  /** Buttons that fill fields from the live system, by id. */
  readonly actions?: Readonly<Record<string, SettingsAction<T>>>;
}

/** A settings form with the integration it belongs to: what the settings store works with. */
export interface SettingsDefinition<T extends SettingsShape = SettingsShape> extends SettingsForm<T> {
  /** Also the `system` name in the sync log and resend targets, e.g. `bitrix24`. */
  readonly integration: string;
  readonly title: LocalizedText;
}

const INTEGRATION_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** Integration names: lower-case letters, digits and dashes (`bitrix24`, `demo-crm`). */
export function assertIntegrationName(name: string): void {
  if (!INTEGRATION_NAME.test(name)) {
    throw new Error(`integration name "${name}" must be lower-case letters, digits and dashes, e.g. bitrix24`);
  }
}

/**
 * Declares an integration's settings form.
 *
 * @example
 * export const bitrix24Settings = defineSettings({
 *   schema: z.strictObject({ portalUrl: z.url(), userId: z.number().int(), webhookCode: z.string().min(8), ... }),
 *   secretFields: ['webhookCode', 'applicationToken'],
 *   secretAddresses: { webhookCode: 'portalUrl', applicationToken: 'portalUrl' },
 *   defaults: { orderTypes: 'all' },
 *   validateLive: async (s, { signal }) => (await portalAnswers(s, signal)) ? [] : [{ path: 'webhookCode', message: '...' }],
 * });
 * // then: defineIntegration({ name: 'bitrix24', title: { ru: 'Битрикс24', en: 'Bitrix24' }, settings: bitrix24Settings, setup })
 * // and in a job: const { settings } = await context.settings.require();
 */
export function defineSettings<T extends SettingsShape>(
  form: SettingsForm<T> & {
    readonly secretFields: readonly (keyof T & string)[];
    readonly secretAddresses?: { readonly [K in keyof T & string]?: keyof T & string };
  },
): SettingsForm<T> {
  const duplicate = form.secretFields.find((field, index) => form.secretFields.indexOf(field) !== index);
  if (duplicate) throw new Error(`secret field "${duplicate}" is listed twice`);
  for (const [secret, address] of Object.entries(form.secretAddresses ?? {})) {
    if (!form.secretFields.includes(secret)) throw new Error(`secretAddresses names "${secret}", which is not one of the secret fields`);
    if (form.secretFields.includes(address as keyof T & string)) throw new Error(`secretAddresses binds "${secret}" to "${address}", a secret field, not an address`);
  }
  return form;
}

/** Names a settings form after its integration (done by `defineIntegration`). */
export function settingsDefinition<T extends SettingsShape>(integration: string, title: LocalizedText, form: SettingsForm<T>): SettingsDefinition<T> {
  assertIntegrationName(integration);
  return { ...form, integration, title };
}
