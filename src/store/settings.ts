import { isUniqueViolation } from '../db/errors.js';
import type { Kysely, Selectable } from 'kysely';
import type { Database, SettingsTable } from '../db/schema.js';
import { DomainError } from '../domain/errors.js';
import type { FieldProblem } from '../domain/errors.js';
import { redactText } from '../domain/redaction.js';
import type { ConnectionTestResult, SettingsDefinition, SettingsHookContext, SettingsShape } from '../settings/definition.js';
import type { SettingsActionResult } from '../settings/definition.js';

/** What a settings action answers: a failure (the system is down, the key refused) is an answer too, like «Проверить подключение». */
export interface SettingsActionAnswer extends SettingsActionResult {
  ok: boolean;
}
import type { SettingsRegistry } from '../settings/registry.js';
import { restoreSecrets, secretsMovedElsewhere, secretValues } from '../settings/secrets.js';
import { runHook } from '../settings/run-hook.js';
import type { IntegrationAlertStore } from './integration-alerts.js';
import { SharedRateBucket } from './rate-bucket.js';
import { flag, nowIso, parseJson, toJson } from './json.js';
import type { Page } from './pagination.js';
import { DEFAULT_PAGE_SIZE, decodeCursor, toPage } from './pagination.js';
import { transact } from './transaction.js';

type SettingsRow = Selectable<SettingsTable>;

/** One saved version of an integration's settings. */
export interface SettingsVersion<T extends SettingsShape = SettingsShape> {
  integration: string;
  /** 1, 2, 3… in save order. */
  version: number;
  enabled: boolean;
  /** Including secrets in plain text: for the integration's own calls, never for display. */
  settings: T;
  createdAt: string;
  createdBy: string | null;
}

export interface SettingsSaveInput {
  /** The version the caller started from; 0 when nothing was saved yet. A stale one is a conflict. */
  expectedVersion: number;
  enabled: boolean;
  /** As the form sends them: a secret may be its mask or left out (the stored one is kept). */
  settings: SettingsShape;
  /** Who saved them (shown in the history). */
  by?: string | null;
}

export interface SettingsCheckOptions {
  /** Prefix of the field paths in validation errors, e.g. `body.settings`. @default 'settings' */
  pathPrefix?: string;
}

export interface IntegrationState {
  integration: string;
  enabled: boolean;
  /** 0 when never saved. */
  version: number;
  updatedAt: string | null;
  updatedBy: string | null;
}

/**
 * Versioned settings of the integrations, one JSON document per save.
 *
 * There is deliberately no cache: every read is one query on the (integration, version) primary
 * key, newest first, so a save made by any process (another `worker`, the panel on another node)
 * is what the next read of every process sees — there is nothing to invalidate or "reset". The
 * readers are jobs that are about to call a remote system anyway; one indexed lookup next to an
 * HTTP round trip is noise.
 */
export class SettingsStore {
  constructor(
    private readonly db: Kysely<Database>,
    readonly registry: SettingsRegistry,
    private readonly alerts?: IntegrationAlertStore,
  ) {}

  /**
   * The latest saved settings, validated and typed by the definition, or null when they were
   * never saved. Defaults fill fields a newer schema added since; saved data that no longer
   * passes the schema throws `validation_failed` (the admin has to open and save the form).
   */
  async get<T extends SettingsShape>(definition: SettingsDefinition<T>, db: Kysely<Database> = this.db): Promise<SettingsVersion<T> | null> {
    const row = await latestRow(db, definition.integration);
    if (!row) return null;
    const data = parseJson<SettingsShape>(row.data, {});
    const parsed = definition.schema.safeParse({ ...definition.defaults, ...data });
    if (!parsed.success) {
      const secrets = secretValues(data, definition.secretFields);
      const details = problemsFromIssues(parsed.error.issues, 'settings', secrets);
      throw new DomainError(
        'validation_failed',
        `saved settings of ${definition.integration} (version ${row.version}) no longer pass its settings form ` +
          `(${details.map((d) => `${d.path}: ${d.message}`).join('; ')}); open the settings and save them again`,
        details,
      );
    }
    return toVersion(row, parsed.data);
  }

  /** `get`, for code that cannot work without settings (an export job): throws when never saved. */
  async require<T extends SettingsShape>(definition: SettingsDefinition<T>, db: Kysely<Database> = this.db): Promise<SettingsVersion<T>> {
    const found = await this.get(definition, db);
    if (!found) throw new DomainError('conflict', `${definition.integration} is not configured yet: save its settings first`);
    return found;
  }

  /** The latest version as stored, without validation (what the settings form shows). */
  async latest(integration: string, db: Kysely<Database> = this.db): Promise<SettingsVersion | null> {
    const row = await latestRow(db, integration);
    return row ? toVersion(row, parseJson<SettingsShape>(row.data, {})) : null;
  }

  /**
   * Whether the integration is switched on in its latest saved settings. An integration without a
   * settings form has no switch and is always on; one never saved is off.
   */
  async isEnabled(integration: string, db: Kysely<Database> = this.db): Promise<boolean> {
    if (!this.registry.find(integration)) return true;
    return (await latestRow(db, integration))?.enabled === 1;
  }

  /** Every registered integration with its toggle and latest version, in registration order. */
  async states(): Promise<IntegrationState[]> {
    const rows = await this.db
      .selectFrom('settings as s')
      .select(['s.integration', 's.version', 's.enabled', 's.created_at', 's.created_by'])
      .where('s.version', '=', (eb) =>
        eb.selectFrom('settings as newer').select((e) => e.fn.max('newer.version').as('v')).whereRef('newer.integration', '=', 's.integration'),
      )
      .execute();
    const byName = new Map(rows.map((row) => [row.integration, row]));
    return this.registry.all().map((definition) => {
      const row = byName.get(definition.integration);
      return {
        integration: definition.integration,
        enabled: row?.enabled === 1,
        version: row?.version ?? 0,
        updatedAt: row?.created_at ?? null,
        updatedBy: row?.created_by ?? null,
      };
    });
  }

  /** Saved versions, newest first; the cursor pages by version. */
  async history(integration: string, page: { limit?: number | undefined; cursor?: string | undefined } = {}): Promise<Page<SettingsVersion>> {
    this.registry.require(integration);
    const limit = page.limit ?? DEFAULT_PAGE_SIZE;
    const before = decodeCursor(page.cursor);
    let query = this.db.selectFrom('settings').selectAll().where('integration', '=', integration).orderBy('version', 'desc').limit(limit + 1);
    if (before !== null) query = query.where('version', '<', before);
    const rows = await query.execute();
    return toPage(
      rows.map((row) => ({ ...row, id: row.version })),
      limit,
      (row) => toVersion(row, parseJson<SettingsShape>(row.data, {})),
    );
  }

  /**
   * Saves a new version: secrets sent back masked are restored, the schema validates, the
   * integration's live check runs (when the result is enabled), then version N+1 is inserted
   * if N is still the latest. Nothing is written when any step fails.
   */
  async save(integration: string, input: SettingsSaveInput, options: SettingsCheckOptions = {}): Promise<SettingsVersion> {
    const definition = this.registry.require(integration);
    const current = await latestRow(this.db, integration);
    assertExpectedVersion(integration, input.expectedVersion, current?.version ?? 0);
    const settings = this.validate(definition, input.settings, current, options);
    if (input.enabled && definition.validateLive) {
      await this.checkLive(definition, settings, options);
    }
    try {
      return await transact(this.db, async (trx) => {
        // Checked again inside the write: someone may have saved while the live check ran.
        const latest = await latestRow(trx, integration);
        assertExpectedVersion(integration, input.expectedVersion, latest?.version ?? 0);
        const row = await trx
          .insertInto('settings')
          .values({
            integration,
            version: input.expectedVersion + 1,
            enabled: flag(input.enabled),
            data: toJson(settings),
            created_at: nowIso(),
            created_by: input.by ?? null,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        // A parked integration resumes with the new settings: they may be the fix (and if not,
        // the first refusal parks it again with the new reason).
        await this.alerts?.clear(integration, trx);
        return toVersion(row, settings);
      });
    } catch (error) {
      // PostgreSQL (read committed): a parallel save read the same N and inserted N+1 first.
      if (isUniqueViolation(error)) assertExpectedVersion(integration, input.expectedVersion, input.expectedVersion + 1);
      throw error;
    }
  }

  #hookContext(integration: string, signal: AbortSignal): SettingsHookContext {
    // Keyed as the integration's own context keys them (platform/context.ts), so both share one budget.
    return { signal, rateBucket: (key, limit) => new SharedRateBucket(this.db, `${integration}:${key}`, limit) };
  }

  /**
   * Runs the integration's connection test on `draft` (the form's unsaved values, secrets
   * restored from the saved version) or, without a draft, on the saved settings.
   */
  async testConnection(integration: string, draft: SettingsShape | undefined, options: SettingsCheckOptions = {}): Promise<ConnectionTestResult> {
    const definition = this.registry.require(integration);
    const test = definition.testConnection;
    if (!test) throw new DomainError('not_found', `${integration} has no connection test`);
    const { settings, secrets } = await this.draftOrSaved(definition, draft, options);
    try {
      const result = await runHook((signal) => test.call(definition, settings, this.#hookContext(integration, signal)));
      return { ok: result.ok, message: redactText(result.message, { secrets }) };
    } catch (error) {
      return { ok: false, message: redactText(errorMessage(error), { secrets }) };
    }
  }

  /** Runs a settings action (a button that fills fields from the live system) on the form as typed, or the saved settings. */
  async runAction(integration: string, actionId: string, draft: SettingsShape | undefined, options: SettingsCheckOptions = {}): Promise<SettingsActionAnswer> {
    const definition = this.registry.require(integration);
    const action = Object.hasOwn(definition.actions ?? {}, actionId) ? definition.actions![actionId] : undefined;
    if (!action) throw new DomainError('not_found', `${integration} has no settings action ${actionId}`);
    const { settings, secrets } = await this.draftOrSaved(definition, draft, options);
    try {
      const result = await runHook((signal) => action.run(settings, this.#hookContext(integration, signal)));
      return { ok: true, values: result.values, message: redactText(result.message, { secrets }) };
    } catch (error) {
      return { ok: false, values: {}, message: redactText(errorMessage(error), { secrets }) };
    }
  }

  private async draftOrSaved(definition: SettingsDefinition, draft: SettingsShape | undefined, options: SettingsCheckOptions): Promise<{ settings: SettingsShape; secrets: string[] }> {
    const current = await latestRow(this.db, definition.integration);
    const stored = current ? parseJson<SettingsShape>(current.data, {}) : null;
    // Without a draft, the saved settings as jobs read them (`get`): defaults fill fields added since.
    const settings = draft
      ? this.validate(definition, draft, current, options)
      : this.validate(definition, { ...definition.defaults, ...stored }, current, options);
    return { settings, secrets: [...secretValues(settings, definition.secretFields), ...secretValues(stored, definition.secretFields)] };
  }

  /**
   * The plain-text secrets of an integration's latest settings, so whoever logs traffic of
   * that system can mask them. Empty for a system without registered settings.
   */
  async secretsOf(integration: string, db: Kysely<Database> = this.db): Promise<string[]> {
    const definition = this.registry.find(integration);
    if (!definition || definition.secretFields.length === 0) return [];
    const row = await latestRow(db, integration);
    return row ? secretValues(parseJson<SettingsShape>(row.data, {}), definition.secretFields) : [];
  }

  private validate(definition: SettingsDefinition, sent: SettingsShape, current: SettingsRow | undefined, options: SettingsCheckOptions): SettingsShape {
    const stored = current ? parseJson<SettingsShape>(current.data, {}) : null;
    const { settings: merged, restored } = restoreSecrets(sent, stored, definition.secretFields);
    const parsed = definition.schema.safeParse(merged);
    const prefix = options.pathPrefix ?? 'settings';
    const secrets = [...secretValues(merged, definition.secretFields), ...secretValues(stored, definition.secretFields)];
    if (!parsed.success) throw settingsInvalid(definition, problemsFromIssues(parsed.error.issues, prefix, secrets));
    if (stored && restored.length > 0) {
      // The stored address as today's schema normalizes it (a release may have changed how);
      // a stored document that no longer parses is compared as it is.
      const storedNow = definition.schema.safeParse({ ...definition.defaults, ...stored });
      const moved = secretsMovedElsewhere(restored, definition.secretAddresses, parsed.data, storedNow.success ? storedNow.data : stored);
      if (moved.length > 0) {
        throw settingsInvalid(
          definition,
          moved.map((p) => ({ path: joinPath(prefix, p.path), message: redactText(p.message, { secrets }) })),
        );
      }
    }
    return parsed.data;
  }

  private async checkLive(definition: SettingsDefinition, settings: SettingsShape, options: SettingsCheckOptions): Promise<void> {
    const prefix = options.pathPrefix ?? 'settings';
    const secrets = secretValues(settings, definition.secretFields);
    let problems: readonly FieldProblem[];
    try {
      problems = (await runHook((signal) => definition.validateLive!(settings, this.#hookContext(definition.integration, signal)))) ?? [];
    } catch (error) {
      problems = [{ path: '', message: `could not be checked against ${definition.title.en}: ${errorMessage(error)}` }];
    }
    if (problems.length === 0) return;
    throw settingsInvalid(
      definition,
      problems.map((p) => ({ path: joinPath(prefix, p.path), message: redactText(p.message, { secrets }) })),
    );
  }
}

function latestRow(db: Kysely<Database>, integration: string): Promise<SettingsRow | undefined> {
  return db.selectFrom('settings').selectAll().where('integration', '=', integration).orderBy('version', 'desc').limit(1).executeTakeFirst();
}

function toVersion<T extends SettingsShape>(row: SettingsRow, settings: T): SettingsVersion<T> {
  return {
    integration: row.integration,
    version: row.version,
    enabled: row.enabled === 1,
    settings,
    createdAt: row.created_at,
    createdBy: row.created_by,
  };
}

function assertExpectedVersion(integration: string, expected: number, actual: number): void {
  if (expected === actual) return;
  throw new DomainError(
    'version_conflict',
    `settings of ${integration} were changed by someone else (your version ${expected}, current ${actual}); reload them and apply your change again`,
  );
}

function settingsInvalid(definition: SettingsDefinition, details: FieldProblem[]): DomainError {
  const summary = details.map((d) => `${d.path}: ${d.message}`).join('; ');
  return new DomainError('validation_failed', `settings of ${definition.integration} were not saved: ${summary}`, details);
}

/** zod issue paths → `prefix.portalUrl`, `prefix.statusMap[2].stage`; messages cleaned of secrets. */
function problemsFromIssues(
  issues: ReadonlyArray<{ path: readonly PropertyKey[]; message: string }>,
  prefix: string,
  secrets: string[],
): FieldProblem[] {
  return issues.map((issue) => ({
    path: joinPath(prefix, issue.path.map((segment) => (typeof segment === 'number' ? `[${segment}]` : String(segment))).join('.').replace(/\.\[/g, '[')),
    message: redactText(issue.message, { secrets }),
  }));
}

function joinPath(prefix: string, path: string): string {
  if (!path) return prefix;
  return path.startsWith('[') ? `${prefix}${path}` : `${prefix}.${path}`;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
