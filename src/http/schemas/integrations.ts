import { z } from 'zod';
import { safeKey } from '../../domain/keys.js';
import type { SettingsDefinition, SettingsShape } from '../../settings/definition.js';
import { maskSettings } from '../../settings/secrets.js';
import type { IntegrationAlert } from '../../store/integration-alerts.js';
import type { SettingsVersion } from '../../store/settings.js';
import { SYNC_OUTCOMES } from '../../store/sync-log.js';

export const integrationNameParams = z.strictObject({
  name: z.string().min(1).max(60).describe('integration name, e.g. bitrix24'),
});

const title = z.object({ ru: z.string(), en: z.string() });

const capabilities = z
  .object({
    testConnection: z.boolean(),
    liveValidation: z.boolean(),
    actions: z
      .array(z.object({ id: z.string(), title: z.string(), fills: z.array(z.string()) }))
      .describe('buttons that fill fields from the live system («Получить идентификаторы из ASystem»): POST …/actions/{id}'),
  })
  .describe('which buttons the form shows: «Проверить подключение», and whether saving checks the live system');

export const integrationAlertResponse = z
  .object({
    kind: z.string().describe('credentials | permission | misconfigured'),
    message: z.string(),
    jobName: z.string().nullable(),
    raisedAt: z.string(),
  })
  .describe("the integration is parked: its system refused its credentials or rights; its jobs wait until the settings are saved or it is resumed");

export const integrationSummaryResponse = z.object({
  name: z.string(),
  title,
  enabled: z.boolean(),
  version: z.number().int().describe('latest saved version; 0 when never saved'),
  updatedAt: z.string().nullable(),
  updatedBy: z.string().nullable(),
  capabilities,
  alert: integrationAlertResponse.nullable(),
});

const settingsDocument = z.record(safeKey(), z.unknown());

const secretStates = z
  .record(z.string(), z.object({ hasValue: z.boolean(), masked: z.string().nullable() }))
  .describe('per secret field: whether it is set, and its mask (send the mask back to keep the secret)');

export const settingsVersionResponse = z.object({
  version: z.number().int(),
  enabled: z.boolean(),
  settings: settingsDocument.describe('secret fields are masked'),
  secrets: secretStates,
  createdAt: z.string(),
  createdBy: z.string().nullable(),
});

export const integrationSettingsResponse = integrationSummaryResponse.extend({
  settings: settingsDocument.describe('the latest settings (defaults when never saved); secret fields are masked'),
  secrets: secretStates,
  secretFields: z.array(z.string()),
  schema: z.record(z.string(), z.unknown()).describe('JSON Schema of the settings form; secret fields carry "x-secret": true'),
});

export const settingsSaveBody = z.strictObject({
  version: z.number().int().min(0).describe('the version you read (0 when none was saved); a stale one gets 409'),
  enabled: z.boolean(),
  settings: settingsDocument.describe('the whole form; send a secret back masked (or leave it out) to keep it, null to clear it'),
});

export const connectionTestBody = z
  .strictObject({
    settings: settingsDocument.optional().describe('unsaved form values to test; the saved settings when left out'),
  })
  // Fastify hands a POST without a body over as null.
  .nullish();

export const connectionTestResponse = z.object({ ok: z.boolean(), message: z.string() });

export const settingsActionParams = integrationNameParams.extend({ action: z.string().min(1).max(60).describe('the action id, e.g. identity') });

export const settingsActionResponse = z.object({
  ok: z.boolean(),
  values: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).describe('field → value to put into the form'),
  message: z.string(),
});

export const syncOutcomeSchema = z.enum(SYNC_OUTCOMES);

export const syncLogEntryResponse = z.object({
  id: z.number().int(),
  entityType: z.string(),
  entityId: z.number().int(),
  system: z.string(),
  operation: z.string(),
  outcome: syncOutcomeSchema,
  request: z.unknown().describe('what was sent, secrets redacted'),
  response: z.unknown().describe('what came back, secrets redacted'),
  externalId: z.string().nullable(),
  error: z.string().nullable(),
  durationMs: z.number().nullable(),
  jobId: z.string().nullable(),
  createdAt: z.string(),
});

export const systemSyncStateResponse = z.object({
  system: z.string(),
  state: z.enum([...SYNC_OUTCOMES, 'never']),
  attempts: z.number().int(),
  lastAttemptAt: z.string().nullable(),
  lastOperation: z.string().nullable(),
  lastError: z.string().nullable(),
  lastSuccessAt: z.string().nullable(),
  externalId: z.string().nullable(),
  lastEntryId: z.number().int().nullable(),
  canResend: z.boolean().describe('an installed integration can send this entity again («Отправить повторно»)'),
});

export const resendResponse = z.object({
  system: z.string(),
  job: z.string(),
  jobId: z.string().nullable().describe('null when a pending job for this entity already waits and will send its current state'),
  collapsed: z.boolean(),
});

export function capabilitiesOf(definition: SettingsDefinition): z.infer<typeof capabilities> {
  return {
    testConnection: Boolean(definition.testConnection),
    liveValidation: Boolean(definition.validateLive),
    actions: Object.entries(definition.actions ?? {}).map(([id, action]) => ({ id, title: action.title, fills: [...action.fills] })),
  };
}

/** A saved version as the API shows it: secrets masked. */
export function settingsVersionView(definition: SettingsDefinition, version: SettingsVersion): z.infer<typeof settingsVersionResponse> {
  const { settings, secrets } = maskSettings(version.settings, definition.secretFields);
  return { version: version.version, enabled: version.enabled, settings, secrets, createdAt: version.createdAt, createdBy: version.createdBy };
}

/** The settings form: latest values (masked), the JSON Schema to render it from, and state. */
export function integrationSettingsView(
  definition: SettingsDefinition,
  latest: SettingsVersion | null,
  alert: IntegrationAlert | null,
): z.infer<typeof integrationSettingsResponse> {
  const values: SettingsShape = latest?.settings ?? { ...definition.defaults };
  const { settings, secrets } = maskSettings(values, definition.secretFields);
  return {
    name: definition.integration,
    title: { ...definition.title },
    enabled: latest?.enabled ?? false,
    version: latest?.version ?? 0,
    updatedAt: latest?.createdAt ?? null,
    updatedBy: latest?.createdBy ?? null,
    capabilities: capabilitiesOf(definition),
    alert: alertView(alert),
    settings,
    secrets,
    secretFields: [...definition.secretFields],
    schema: formSchema(definition),
  };
}

export function alertView(alert: IntegrationAlert | null): z.infer<typeof integrationAlertResponse> | null {
  return alert ? { kind: alert.kind, message: alert.message, jobName: alert.jobName, raisedAt: alert.raisedAt } : null;
}

// A definition never changes while the process runs, so its JSON Schema is computed once.
const formSchemas = new WeakMap<SettingsDefinition, Record<string, unknown>>();

function formSchema(definition: SettingsDefinition): Record<string, unknown> {
  const known = formSchemas.get(definition);
  if (known) return known;
  // `input`: the form edits what the user types (before defaults and transforms apply).
  const schema = z.toJSONSchema(definition.schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  for (const field of definition.secretFields) {
    const property = properties[field];
    if (property) properties[field] = { ...property, 'x-secret': true };
  }
  formSchemas.set(definition, schema);
  return schema;
}
