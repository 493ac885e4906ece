import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Database, SyncLogRow } from '../db/schema.js';
import { redact, redactToJson } from '../domain/redaction.js';
import { nowIso, parseJson } from './json.js';
import type { Page } from './pagination.js';
import { DEFAULT_PAGE_SIZE, decodeCursor, toPage } from './pagination.js';

export const SYNC_OUTCOMES = ['ok', 'error', 'skipped'] as const;
export type SyncOutcome = (typeof SYNC_OUTCOMES)[number];

/** One attempt to move one entity to (or from) one external system. */
export interface SyncAttempt {
  /** `order`, `person`, `organization`, `product`… */
  entityType: string;
  entityId: number;
  /** Integration name, e.g. `bitrix24`. */
  system: string;
  /** What was tried, e.g. `deal.add`, `contact.update`, `order.export`. */
  operation: string;
  outcome: SyncOutcome;
  /** What was sent (URL, body…); redacted and cut before it is stored. */
  request?: unknown;
  /** What came back; redacted and cut before it is stored. */
  response?: unknown;
  externalId?: string | number | null;
  /** An Error, a message, or an error body; redacted before it is stored. */
  error?: unknown;
  durationMs?: number | null;
  jobId?: string | null;
  /**
   * Secret values to mask beyond those the system's saved settings already hold (these are
   * looked up and masked automatically), e.g. a session token obtained during the call.
   */
  secrets?: ReadonlyArray<string | null | undefined>;
}

export interface SyncLogEntry {
  id: number;
  entityType: string;
  entityId: number;
  system: string;
  operation: string;
  outcome: SyncOutcome;
  request: unknown;
  response: unknown;
  externalId: string | null;
  error: string | null;
  durationMs: number | null;
  jobId: string | null;
  createdAt: string;
}

export interface SyncLogFilter {
  entityType?: string | undefined;
  entityId?: number | undefined;
  system?: string | undefined;
  outcome?: SyncOutcome | undefined;
  jobId?: string | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
}

/** Where one entity stands with one system: what the order card's sync panel shows per system. */
export interface SystemSyncState {
  system: string;
  /** Outcome of the latest attempt; `never` when nothing was attempted yet. */
  state: SyncOutcome | 'never';
  attempts: number;
  lastAttemptAt: string | null;
  lastOperation: string | null;
  /** The latest attempt's error, when it failed. */
  lastError: string | null;
  lastSuccessAt: string | null;
  /** The newest external id any attempt reported (an error after a success keeps it). */
  externalId: string | null;
  /** The latest entry, for "show what was sent". */
  lastEntryId: number | null;
}

/** Finds the plain-text secrets of a system (its saved settings), in the caller's transaction. */
export type SecretsLookup = (system: string, db: Kysely<Database>) => Promise<string[]>;

const MAX_ERROR_CHARS = 4_096;

/**
 * The sync log (CORE-8): every attempt of every integration, per entity and system. Append
 * only. Secrets are redacted in `record`, before the row exists — see domain/redaction.ts.
 */
export class SyncLogStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly secretsOf: SecretsLookup = async () => [],
  ) {}

  /** Pass the job's transaction as `db` to log an attempt together with its effects. */
  async record(attempt: SyncAttempt, db: Kysely<Database> = this.db): Promise<SyncLogEntry> {
    const secrets = [...(attempt.secrets ?? []), ...(await this.secretsOf(attempt.system, db))];
    const row = await db
      .insertInto('sync_log')
      .values({
        entity_type: attempt.entityType,
        entity_id: attempt.entityId,
        system: attempt.system,
        operation: attempt.operation,
        outcome: attempt.outcome,
        request: redactToJson(attempt.request, { secrets }),
        response: redactToJson(attempt.response, { secrets }),
        external_id: attempt.externalId === undefined || attempt.externalId === null ? null : String(attempt.externalId),
        error: errorText(attempt.error, secrets),
        duration_ms: attempt.durationMs === undefined || attempt.durationMs === null ? null : Math.round(attempt.durationMs),
        job_id: attempt.jobId ?? null,
        created_at: nowIso(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toEntry(row);
  }

  async get(id: number): Promise<SyncLogEntry | null> {
    const row = await this.db.selectFrom('sync_log').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toEntry(row) : null;
  }

  /** Newest first, keyset-paginated. */
  async list(filter: SyncLogFilter = {}): Promise<Page<SyncLogEntry>> {
    const limit = filter.limit ?? DEFAULT_PAGE_SIZE;
    const before = decodeCursor(filter.cursor);
    let query = this.db.selectFrom('sync_log').selectAll().orderBy('id', 'desc').limit(limit + 1);
    if (before !== null) query = query.where('id', '<', before);
    if (filter.entityType !== undefined) query = query.where('entity_type', '=', filter.entityType);
    if (filter.entityId !== undefined) query = query.where('entity_id', '=', filter.entityId);
    if (filter.system !== undefined) query = query.where('system', '=', filter.system);
    if (filter.outcome !== undefined) query = query.where('outcome', '=', filter.outcome);
    if (filter.jobId !== undefined) query = query.where('job_id', '=', filter.jobId);
    return toPage(await query.execute(), limit, toEntry);
  }

  /**
   * Per system, where this entity stands: two indexed queries however long the history.
   * `systems` are listed even when never attempted (the integrations that could send it).
   */
  async latestPerSystem(entityType: string, entityId: number, systems: readonly string[] = []): Promise<SystemSyncState[]> {
    const groups = await this.db
      .selectFrom('sync_log')
      .select((eb) => [
        'system',
        eb.fn.countAll<number>().as('attempts'),
        eb.fn.max('id').as('last_id'),
        sql<number | null>`max(case when outcome = 'ok' then id end)`.as('last_ok_id'),
        sql<number | null>`max(case when external_id is not null then id end)`.as('last_external_id'),
      ])
      .where('entity_type', '=', entityType)
      .where('entity_id', '=', entityId)
      .groupBy('system')
      .execute();
    const ids = [...new Set(groups.flatMap((g) => [g.last_id, g.last_ok_id, g.last_external_id]).filter((id): id is number => id !== null))];
    const rows = ids.length ? await this.db.selectFrom('sync_log').selectAll().where('id', 'in', ids).execute() : [];
    const byId = new Map(rows.map((row) => [row.id, row]));

    const states = new Map<string, SystemSyncState>();
    for (const system of systems) states.set(system, neverAttempted(system));
    for (const group of groups) {
      const last = byId.get(Number(group.last_id));
      if (!last) continue;
      const ok = group.last_ok_id === null ? undefined : byId.get(Number(group.last_ok_id));
      const withExternalId = group.last_external_id === null ? undefined : byId.get(Number(group.last_external_id));
      states.set(group.system, {
        system: group.system,
        state: last.outcome as SyncOutcome,
        attempts: Number(group.attempts),
        lastAttemptAt: last.created_at,
        lastOperation: last.operation,
        lastError: last.outcome === 'error' ? last.error : null,
        lastSuccessAt: ok?.created_at ?? null,
        externalId: withExternalId?.external_id ?? null,
        lastEntryId: last.id,
      });
    }
    return [...states.values()].sort((a, b) => a.system.localeCompare(b.system));
  }
}

function neverAttempted(system: string): SystemSyncState {
  return {
    system,
    state: 'never',
    attempts: 0,
    lastAttemptAt: null,
    lastOperation: null,
    lastError: null,
    lastSuccessAt: null,
    externalId: null,
    lastEntryId: null,
  };
}

function errorText(error: unknown, secrets: ReadonlyArray<string | null | undefined>): string | null {
  if (error === undefined || error === null || error === '') return null;
  let text: string;
  if (typeof error === 'string') text = error;
  // An integration's error (it has a `failure` kind) is already worded for people; a programming
  // error keeps its class name, which is what a developer needs.
  else if (error instanceof Error) text = error.name && error.name !== 'Error' && !('failure' in error) ? `${error.name}: ${error.message}` : error.message;
  else text = JSON.stringify(redact(error, { secrets }));
  const redacted = redact(text, { secrets }) as string;
  return redacted.length > MAX_ERROR_CHARS ? `${redacted.slice(0, MAX_ERROR_CHARS)}…` : redacted;
}

function toEntry(row: SyncLogRow): SyncLogEntry {
  return {
    id: row.id,
    entityType: row.entity_type,
    entityId: row.entity_id,
    system: row.system,
    operation: row.operation,
    outcome: row.outcome as SyncOutcome,
    request: parseJson<unknown>(row.request, null),
    response: parseJson<unknown>(row.response, null),
    externalId: row.external_id,
    error: row.error,
    durationMs: row.duration_ms,
    jobId: row.job_id,
    createdAt: row.created_at,
  };
}
