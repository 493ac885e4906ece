import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { redactText } from '../domain/redaction.js';
import { nowIso } from './json.js';

/** Why an integration is parked; shown on its settings and on the sync health page. */
export interface IntegrationAlert {
  integration: string;
  /** `credentials`, `permission` or `misconfigured` (see platform/errors.ts). */
  kind: string;
  /** What the other system said, in words for people; secrets masked. */
  message: string;
  /** The job that met the refusal. */
  jobName: string | null;
  raisedAt: string;
}

const MAX_MESSAGE_CHARS = 2_000;

/**
 * Parked integrations: one open alert per integration at most. While it is open, the
 * integration's jobs are not claimed (they wait, nothing is lost); saving its settings or
 * «Возобновить» clears it and the jobs run again.
 */
export class IntegrationAlertStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** Opens the alert, or keeps the one already open (its first reason is what to fix first). */
  async raise(alert: Omit<IntegrationAlert, 'raisedAt'>, secrets: readonly string[] = []): Promise<void> {
    const message = redactText(alert.message, { secrets });
    await this.db
      .insertInto('integration_alerts')
      .values({
        integration: alert.integration,
        kind: alert.kind,
        message: message.length > MAX_MESSAGE_CHARS ? `${message.slice(0, MAX_MESSAGE_CHARS)}…` : message,
        job_name: alert.jobName,
        raised_at: nowIso(),
      })
      .onConflict((oc) => oc.column('integration').doNothing())
      .execute();
  }

  /** True when an alert was open. `db` lets a settings save clear it in its own transaction. */
  async clear(integration: string, db: Kysely<Database> = this.db): Promise<boolean> {
    const result = await db.deleteFrom('integration_alerts').where('integration', '=', integration).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async find(integration: string): Promise<IntegrationAlert | null> {
    const row = await this.db.selectFrom('integration_alerts').selectAll().where('integration', '=', integration).executeTakeFirst();
    return row ? toAlert(row) : null;
  }

  async all(): Promise<IntegrationAlert[]> {
    const rows = await this.db.selectFrom('integration_alerts').selectAll().orderBy('raised_at').execute();
    return rows.map(toAlert);
  }

  /** Names of the parked integrations: one small query, asked before every claim of jobs. */
  async parked(): Promise<Set<string>> {
    const rows = await this.db.selectFrom('integration_alerts').select('integration').execute();
    return new Set(rows.map((row) => row.integration));
  }
}

function toAlert(row: { integration: string; kind: string; message: string; job_name: string | null; raised_at: string }): IntegrationAlert {
  return { integration: row.integration, kind: row.kind, message: row.message, jobName: row.job_name, raisedAt: row.raised_at };
}
