import { redactText } from '../../domain/redaction.js';
import { IntegrationError } from '../../platform/errors.js';
import type { IntegrationFailure } from '../../platform/errors.js';
import { httpCall, NetworkError } from '../common/http.js';
import type { HttpCallOptions } from '../common/http.js';

/**
 * Calls to a Bitrix24 portal through its inbound webhook (`{portal}/rest/{userId}/{code}/{method}`).
 *
 * Today: single calls with a deadline, the error envelope turned into a typed `Bitrix24Error` with
 * a message in Russian. The Bitrix24 issue grows this file into the full transport — `batch` (at
 * most 50 commands, `$result[…]` references), the client-side leaky bucket (2 req/s, burst 50),
 * the operating-time budget and retries — behind the same `call`, so the settings checks keep
 * working unchanged.
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
  ) {
    super('bitrix24', FAILURE_BY_KIND[kind], message, { code, status });
    this.name = 'Bitrix24Error';
  }
}

/** The success envelope; `total`/`next` only on list methods. */
export interface Bitrix24Answer<T> {
  result: T;
  total?: number;
  next?: number;
}

export interface Bitrix24TransportOptions {
  timeoutMs?: number;
}

const AUTH_CODES = new Set(['INVALID_CREDENTIALS', 'NO_AUTH_FOUND', 'invalid_token', 'expired_token', 'user_access_error']);
const LIMIT_CODES = new Set(['QUERY_LIMIT_EXCEEDED', 'OPERATION_TIME_LIMIT']);
const REFUSED_CODES = new Set(['INVALID_REQUEST', 'ACCESS_DENIED', 'PORTAL_DELETED', 'OVERLOAD_LIMIT']);

export class Bitrix24Transport {
  readonly #credentials: WebhookCredentials;
  readonly #timeoutMs: number | undefined;

  constructor(credentials: WebhookCredentials, options: Bitrix24TransportOptions = {}) {
    this.#credentials = { ...credentials, portalUrl: credentials.portalUrl.replace(/\/+$/, '') };
    this.#timeoutMs = options.timeoutMs;
  }

  get portalUrl(): string {
    return this.#credentials.portalUrl;
  }

  /** One REST method, parameters as JSON. Throws `Bitrix24Error` for anything but a result. */
  async call<T>(method: string, params: Record<string, unknown> = {}, options: Pick<HttpCallOptions, 'signal'> = {}): Promise<Bitrix24Answer<T>> {
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
        { signal: options.signal, timeoutMs: this.#timeoutMs, secrets },
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
    const out: Bitrix24Answer<T> = { result: body.result as T };
    if (typeof body.total === 'number') out.total = body.total;
    if (typeof body.next === 'number') out.next = body.next;
    return out;
  }
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
