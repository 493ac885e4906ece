import { setTimeout as sleep } from 'node:timers/promises';
import qs from 'qs';
import { redactText } from '../../../domain/redaction.js';
import { IntegrationError } from '../../../platform/errors.js';
import type { IntegrationFailure } from '../../../platform/errors.js';
import { httpCall, NetworkError } from '../../common/http.js';
import type { HttpCallOptions } from '../../common/http.js';

/**
 * Calls to a Bitrix24 portal through its inbound webhook (`{portal}/rest/{userId}/{code}/{method}`):
 * one method (`call`) or up to 50 in one request (`batch`), each answer's error envelope turned
 * into a typed `Bitrix24Error` with a message in Russian.
 *
 * With a `Pacing` (see pacing.ts) every request first waits for its slot in the portal's leaky
 * bucket and for the method's operating-time budget, and reports what the portal said back.
 * Retries here are only the safe ones: a request the portal refused for its rate never ran, so
 * it is sent again after a wait; a read that met a 5xx or a dropped connection is repeated. A
 * write that may or may not have happened is never repeated here — the export looks it up by
 * `ORIGIN_ID` on its next attempt.
 *
 * The webhook code is a password: the endpoint URL that contains it stays inside this class, and
 * every message it produces names only the portal's address.
 */

export interface WebhookCredentials {
  /** `https://company.bitrix24.ru` — origin (and path prefix, if any), no trailing slash. */
  portalUrl: string;
  /** The employee who created the webhook: the number in `/rest/{userId}/`. */
  userId: number;
  webhookCode: string;
}

/** What kind of trouble, so a caller knows which field to blame and whether to try again. */
export type Bitrix24FailureKind =
  /** Wrong webhook code or employee id, or the employee was deactivated. */
  | 'auth'
  /** The webhook lacks a permission («Настройка прав»). */
  | 'scope'
  /** Nothing answered at that address (refused, DNS, TLS, timeout). */
  | 'unreachable'
  /** Something answered, but not Bitrix24 REST (a web page, a redirect, another service). */
  | 'not-bitrix'
  /** The portal refuses REST: plain HTTP, a free plan, a deleted portal. */
  | 'refused'
  /** Rate limit or operating-time budget: wait and repeat. */
  | 'limit'
  /** A 5xx from the portal: repeat later. */
  | 'server'
  /** The method said no (not found, validation): the call itself was wrong. */
  | 'call';

const FAILURE_BY_KIND: Record<Bitrix24FailureKind, IntegrationFailure> = {
  auth: 'credentials',
  scope: 'permission',
  unreachable: 'unreachable',
  'not-bitrix': 'misconfigured',
  refused: 'misconfigured',
  limit: 'rate_limited',
  server: 'server',
  call: 'rejected',
};

/** A failed call: the platform's `IntegrationError` (retry or park), with the Bitrix24-specific kind. */
export class Bitrix24Error extends IntegrationError {
  constructor(
    readonly kind: Bitrix24FailureKind,
    message: string,
    /** Bitrix24's `error` code (may be the empty string for old crm.* methods); null without an answer. */
    code: string | null = null,
    status: number | null = null,
    retryAfterMs?: number,
  ) {
    super('bitrix24', FAILURE_BY_KIND[kind], message, { code, status, retryAfterMs });
    this.name = 'Bitrix24Error';
  }
}

const STAFF_LEAD_IN: Record<Bitrix24FailureKind, string> = {
  auth: 'Битрикс24 не принял вебхук (код или сотрудник не подходят, сотрудник уволен)',
  scope: 'У вебхука не хватает прав',
  unreachable: '',
  'not-bitrix': '',
  refused: 'Портал отказывает в REST API',
  limit: 'Лимит Битрикс24, повторим позже',
  server: 'Битрикс24 не смог выполнить запрос (ошибка на стороне портала), повторим позже',
  call: 'Битрикс24 отказал',
};

/**
 * What the sync log and the order card say about a failure: a sentence for staff in Russian,
 * then the portal's own words (method, code, description) for whoever looks deeper. Other errors
 * pass unchanged.
 */
export function forStaff(error: unknown): unknown {
  if (!(error instanceof Bitrix24Error)) return error;
  const lead = STAFF_LEAD_IN[error.kind];
  return lead ? `${lead}: ${error.message}` : error.message;
}

/** The success envelope; `total`/`next` only on list methods. */
export interface Bitrix24Answer<T> {
  result: T;
  total?: number;
  next?: number;
  time?: PortalTime;
}

/** The `time` block of an answer: where the method stands in its operating-time budget. */
export interface PortalTime {
  operating?: number;
  operating_reset_at?: number;
}

/** What a request waits for before it is sent, and what it reports back (pacing.ts). */
export interface Pacing {
  /** Resolves when the request may be sent; throws a `limit` error when a method is blocked. */
  before(methods: readonly string[], signal?: AbortSignal): Promise<void>;
  /** The portal answered; `time` of a single call tells its method's operating time. */
  answered(method: string, time: PortalTime | undefined): void;
  /**
   * The portal refused for its rate (`QUERY_LIMIT_EXCEEDED`) or a method's budget
   * (`OPERATION_TIME_LIMIT`); answers how long those methods now rest (ms), for a budget refusal.
   */
  refused(code: string, methods: readonly string[]): Promise<number>;
}

export interface Bitrix24TransportOptions {
  timeoutMs?: number;
  pacing?: Pacing;
  /** How often a request the portal refused for its rate is sent again. @default 5 */
  rateRetries?: number;
  /** How often a read is repeated after a 5xx or a network failure. @default 2 */
  readRetries?: number;
  /** Pause before repeating a read. @default 500 */
  readRetryDelayMs?: number;
}

/** One command of a batch: a name for its result (and for `$result[name]` in later commands). */
export interface BatchCommand {
  name: string;
  method: string;
  params: Record<string, unknown>;
}

/** A batch's outcome, per command: a result, or an error (the others still ran). */
export interface BatchAnswer {
  results: Map<string, unknown>;
  errors: Map<string, Bitrix24Error>;
  totals: Map<string, number>;
  nexts: Map<string, number>;
}

/** The most commands one `batch` takes. */
export const BATCH_LIMIT = 50;

const WRITE_METHOD = /\.(add|update|set|delete|start|register|finish|bind|unbind)$/;

/** A method that changes nothing on the portal: safe to repeat after a lost answer. */
export function isReadMethod(method: string): boolean {
  return !WRITE_METHOD.test(method);
}

const AUTH_CODES = new Set(['INVALID_CREDENTIALS', 'NO_AUTH_FOUND', 'invalid_token', 'expired_token', 'user_access_error']);
const LIMIT_CODES = new Set(['QUERY_LIMIT_EXCEEDED', 'OPERATION_TIME_LIMIT']);
const REFUSED_CODES = new Set(['INVALID_REQUEST', 'ACCESS_DENIED', 'PORTAL_DELETED', 'OVERLOAD_LIMIT']);

export class Bitrix24Transport {
  readonly #credentials: WebhookCredentials;
  readonly #options: Bitrix24TransportOptions;

  constructor(credentials: WebhookCredentials, options: Bitrix24TransportOptions = {}) {
    this.#credentials = { ...credentials, portalUrl: credentials.portalUrl.replace(/\/+$/, '') };
    this.#options = options;
  }

  get portalUrl(): string {
    return this.#credentials.portalUrl;
  }

  /** One REST method, parameters as JSON. Throws `Bitrix24Error` for anything but a result. */
  async call<T>(method: string, params: Record<string, unknown> = {}, options: Pick<HttpCallOptions, 'signal'> = {}): Promise<Bitrix24Answer<T>> {
    const answer = await this.#paced([method], method, params, options.signal);
    this.#options.pacing?.answered(method, answer.time);
    return answer as Bitrix24Answer<T>;
  }

  /**
   * Up to 50 commands in one request (one slot of the portal's rate limit). Commands run in
   * order; a later one may use `$result[name][FIELD]` of an earlier one. A failed command does
   * not stop the others (`halt: 0`): its error is in `errors`, and what referred to its result
   * fails too.
   */
  async batch(commands: readonly BatchCommand[], options: Pick<HttpCallOptions, 'signal'> = {}): Promise<BatchAnswer> {
    if (commands.length === 0) return { results: new Map(), errors: new Map(), totals: new Map(), nexts: new Map() };
    if (commands.length > BATCH_LIMIT) throw new Error(`a batch takes at most ${BATCH_LIMIT} commands, not ${commands.length}`);
    const cmd: Record<string, string> = {};
    for (const command of commands) {
      if (command.name in cmd) throw new Error(`batch command name "${command.name}" used twice`);
      cmd[command.name] = `${command.method}?${batchQuery(command.params)}`;
    }
    const methods = [...new Set(commands.map((c) => c.method))];
    const answer = await this.#paced(methods, 'batch', { halt: 0, cmd }, options.signal);
    const body = isRecord(answer.result) ? answer.result : {};
    const out: BatchAnswer = {
      results: new Map(Object.entries(asMap(body.result))),
      errors: new Map(),
      totals: new Map(Object.entries(asMap(body.result_total)).map(([k, v]) => [k, Number(v)])),
      nexts: new Map(Object.entries(asMap(body.result_next)).map(([k, v]) => [k, Number(v)])),
    };
    const byName = new Map(commands.map((c) => [c.name, c]));
    const limited = new Set<string>();
    for (const [name, raw] of Object.entries(asMap(body.result_error))) {
      const error = isRecord(raw) ? raw : {};
      const code = typeof error.error === 'string' ? error.error : String(error.error ?? '');
      const description = typeof error.error_description === 'string' ? redactText(error.error_description, { secrets: [this.#credentials.webhookCode] }) : '';
      const method = byName.get(name)?.method ?? name;
      if (code === 'OPERATION_TIME_LIMIT' || code === 'QUERY_LIMIT_EXCEEDED') limited.add(method);
      out.errors.set(name, new Bitrix24Error(kindOf(code, 400), `${method}: ${code || 'ошибка'}${description ? ` — ${description}` : ''}`, code));
    }
    if (limited.size > 0) await this.#options.pacing?.refused('OPERATION_TIME_LIMIT', [...limited]);
    return out;
  }

  /** Waits for the request's turn, sends it, and repeats it where that is safe. */
  async #paced(methods: readonly string[], method: string, params: Record<string, unknown>, signal: AbortSignal | undefined): Promise<Bitrix24Answer<unknown>> {
    const { pacing, rateRetries = 5, readRetries = 2, readRetryDelayMs = 500 } = this.#options;
    const readOnly = methods.every(isReadMethod);
    let rateRefusals = 0;
    let readFailures = 0;
    for (;;) {
      await pacing?.before(methods, signal);
      try {
        return await this.#send(method, params, signal);
      } catch (error) {
        if (!(error instanceof Bitrix24Error)) throw error;
        if (error.code === 'QUERY_LIMIT_EXCEEDED' && pacing) {
          await pacing.refused(error.code, methods);
          // Refused for the rate before it ran: the same request again, after a growing pause
          // (the portal's bucket is fuller than ours knew: someone else calls it too).
          if (rateRefusals < rateRetries) {
            await sleep(Math.min(500 * 1.5 ** rateRefusals++, 15_000), undefined, signal ? { signal } : {});
            continue;
          }
          throw new Bitrix24Error('limit', error.message, error.code, error.status, 5_000);
        }
        if (error.code === 'OPERATION_TIME_LIMIT' && pacing) {
          const restMs = await pacing.refused(error.code, methods);
          throw new Bitrix24Error('limit', `${error.message}; метод отдыхает ${Math.ceil(restMs / 1000)} с`, error.code, error.status, restMs);
        }
        if (readOnly && (error.kind === 'server' || error.kind === 'unreachable') && readFailures++ < readRetries && !signal?.aborted) {
          await sleep(readRetryDelayMs * readFailures, undefined, signal ? { signal } : {});
          continue;
        }
        throw error;
      }
    }
  }

  async #send(method: string, params: Record<string, unknown>, signal: AbortSignal | undefined): Promise<Bitrix24Answer<unknown>> {
    const { portalUrl, userId, webhookCode } = this.#credentials;
    const endpoint = `${portalUrl}/rest/${userId}/${encodeURIComponent(webhookCode)}/${method}.json`;
    const secrets = [webhookCode];
    let answer;
    try {
      answer = await httpCall(
        endpoint,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json', 'user-agent': 'printsync' },
          body: JSON.stringify(params),
        },
        { signal, timeoutMs: this.#options.timeoutMs, secrets },
      );
    } catch (error) {
      // An internal address the outbound policy refuses is a settings problem, not an outage: it parks.
      if (error instanceof NetworkError) throw new Bitrix24Error(error.reason === 'forbidden' ? 'not-bitrix' : 'unreachable', `портал Битрикс24 недоступен: ${error.message}`);
      throw error;
    }
    const clean = (text: string) => redactText(text, { secrets });
    const body = answer.json;
    if (answer.status >= 300 && answer.status < 400) {
      const location = answer.headers.get('location');
      const target = location ? safeOrigin(location, portalUrl) : null;
      throw new Bitrix24Error(
        'not-bitrix',
        target && target !== new URL(portalUrl).origin
          ? `${portalUrl} переадресует на ${target}: укажите этот адрес портала`
          : `${portalUrl} отвечает переадресацией (HTTP ${answer.status}), а не Битрикс24 REST: проверьте адрес портала`,
        null,
        answer.status,
      );
    }
    if (!isRecord(body)) {
      throw new Bitrix24Error(
        answer.status >= 500 ? 'server' : 'not-bitrix',
        answer.status >= 500
          ? `портал ${portalUrl} ответил ошибкой сервера (HTTP ${answer.status})`
          : `по адресу ${portalUrl} отвечает не Битрикс24 REST (HTTP ${answer.status}, ответ не JSON): проверьте адрес портала`,
        null,
        answer.status,
      );
    }
    // Errors are recognized by the key, never by its truthiness: old crm.* methods send `"error": ""`.
    if ('error' in body) {
      const code = typeof body.error === 'string' ? body.error : String(body.error);
      const description = typeof body.error_description === 'string' ? clean(body.error_description) : '';
      throw new Bitrix24Error(kindOf(code, answer.status), `${method}: ${code || `HTTP ${answer.status}`}${description ? ` — ${description}` : ''}`, code, answer.status);
    }
    if (!('result' in body)) {
      throw new Bitrix24Error('not-bitrix', `по адресу ${portalUrl} отвечает не Битрикс24 REST (в ответе нет result): проверьте адрес портала`, null, answer.status);
    }
    const out: Bitrix24Answer<unknown> = { result: body.result };
    if (typeof body.total === 'number') out.total = body.total;
    if (typeof body.next === 'number') out.next = body.next;
    if (isRecord(body.time)) out.time = body.time as PortalTime;
    return out;
  }
}

/**
 * A command's parameters as the query string of a batch row, with PHP bracket keys
 * (`fields[TITLE]=…&fields[PHONE][0][VALUE]=…`). A value that is exactly `$result[…]` is kept
 * unencoded so the portal can replace it.
 */
export function batchQuery(params: Record<string, unknown>): string {
  return qs.stringify(params, {
    encodeValuesOnly: true,
    encoder: (value: unknown, defaultEncoder: (v: unknown) => string) =>
      typeof value === 'string' && /^\$(result|next|total|time|error)\[/.test(value) ? value : defaultEncoder(value),
  });
}

/** PHP writes an empty map as `[]`. */
function asMap(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

function kindOf(code: string, status: number): Bitrix24FailureKind {
  if (AUTH_CODES.has(code)) return 'auth';
  if (code === 'insufficient_scope') return 'scope';
  if (LIMIT_CODES.has(code) || status === 429) return 'limit';
  if (REFUSED_CODES.has(code)) return 'refused';
  if (status >= 500) return 'server';
  return 'call';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function safeOrigin(location: string, base: string): string | null {
  try {
    return new URL(location, base).origin;
  } catch {
    return null;
  }
}
