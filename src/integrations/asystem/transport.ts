import { httpCall, NetworkError } from '../common/http.js';
import type { HttpCallOptions } from '../common/http.js';

/**
 * HTTP calls to an ASystem server.
 *
 * ASystem's API is not public: this follows the contract ASSUMED in
 * `shared/reference/erp-asystem-axiom-1c-pixlpark.md` §2.4 — JSON under `{apiHost}/api/v1`,
 * the key in an `X-Api-Key` header, errors as non-2xx with `{ error: { code, message } }`. The
 * path prefix and the header are constants here, so the real contract, once known, is a change
 * in this file only. Template sync, the calculator and order sending (AS-4..AS-8) add their
 * calls here.
 */
export const API_PREFIX = '/api/v1';
export const API_KEY_HEADER = 'x-api-key';

export type AsystemFailureKind = 'auth' | 'unreachable' | 'not-asystem' | 'server' | 'call';

export class AsystemError extends Error {
  constructor(
    readonly kind: AsystemFailureKind,
    message: string,
    readonly status: number | null = null,
  ) {
    super(message);
    this.name = 'AsystemError';
  }
}

export interface AsystemCredentials {
  /** Normalized: `https://host:port`, no trailing slash. */
  apiHost: string;
  apiKey: string;
}

export class AsystemTransport {
  constructor(
    private readonly credentials: AsystemCredentials,
    private readonly options: { timeoutMs?: number } = {},
  ) {}

  async get<T>(path: string, options: Pick<HttpCallOptions, 'signal'> = {}): Promise<T> {
    const { apiHost, apiKey } = this.credentials;
    let answer;
    try {
      answer = await httpCall(
        `${apiHost}${API_PREFIX}${path}`,
        { method: 'GET', headers: { [API_KEY_HEADER]: apiKey, accept: 'application/json' } },
        { signal: options.signal, timeoutMs: this.options.timeoutMs, secrets: [apiKey] },
      );
    } catch (error) {
      if (error instanceof NetworkError) throw new AsystemError('unreachable', `сервер ASystem недоступен: ${error.message}`);
      throw error;
    }
    const body = answer.json as { error?: { code?: unknown; message?: unknown } } | undefined;
    const reason = typeof body?.error?.message === 'string' ? ` — ${body.error.message}` : '';
    if (answer.status === 401 || answer.status === 403) {
      throw new AsystemError('auth', `ASystem не принял Api Key (HTTP ${answer.status}${reason})`, answer.status);
    }
    if (answer.status >= 500) throw new AsystemError('server', `ASystem ответил ошибкой сервера (HTTP ${answer.status}${reason})`, answer.status);
    if (answer.status === 404 || answer.json === undefined) {
      throw new AsystemError('not-asystem', `по адресу ${apiHost} отвечает не API ASystem (HTTP ${answer.status} на ${API_PREFIX}${path})`, answer.status);
    }
    if (answer.status >= 300) throw new AsystemError('call', `ASystem ответил HTTP ${answer.status}${reason}`, answer.status);
    return answer.json as T;
  }
}
