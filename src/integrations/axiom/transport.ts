import { httpCall, NetworkError } from '../common/http.js';
import type { HttpCallOptions } from '../common/http.js';

/**
 * HTTP calls to Axiom.
 *
 * Axiom's API is not public: this follows the contract ASSUMED in
 * `shared/reference/erp-asystem-axiom-1c-pixlpark.md` §3.3 — JSON under `{apiUrl}/api/{apiVersion}`,
 * headers `X-Api-Key` and `X-Api-Domain` (the tenant), the same error envelope as ASystem
 * (`{ error: { code, message } }` with a non-2xx status). Template sync, the calculator and order
 * sending (AX-2, AX-3) add their calls here.
 */
export const API_KEY_HEADER = 'x-api-key';
export const API_DOMAIN_HEADER = 'x-api-domain';

export type AxiomFailureKind = 'auth' | 'unreachable' | 'not-axiom' | 'server' | 'call';

export class AxiomError extends Error {
  constructor(
    readonly kind: AxiomFailureKind,
    message: string,
    readonly status: number | null = null,
  ) {
    super(message);
    this.name = 'AxiomError';
  }
}

export interface AxiomCredentials {
  apiDomain: string;
  apiKey: string;
  /** No trailing slash. */
  apiUrl: string;
  apiVersion: string;
}

/** `{apiUrl}/api/{apiVersion}`: where every Axiom path starts. */
export function axiomBaseUrl(credentials: Pick<AxiomCredentials, 'apiUrl' | 'apiVersion'>): string {
  return `${credentials.apiUrl}/api/${encodeURIComponent(credentials.apiVersion)}`;
}

export class AxiomTransport {
  constructor(
    private readonly credentials: AxiomCredentials,
    private readonly options: { timeoutMs?: number } = {},
  ) {}

  async get<T>(path: string, options: Pick<HttpCallOptions, 'signal'> = {}): Promise<T> {
    const { apiKey, apiDomain, apiUrl } = this.credentials;
    const base = axiomBaseUrl(this.credentials);
    let answer;
    try {
      answer = await httpCall(
        `${base}${path}`,
        { method: 'GET', headers: { [API_KEY_HEADER]: apiKey, [API_DOMAIN_HEADER]: apiDomain, accept: 'application/json' } },
        { signal: options.signal, timeoutMs: this.options.timeoutMs, secrets: [apiKey] },
      );
    } catch (error) {
      if (error instanceof NetworkError) throw new AxiomError('unreachable', `сервер Axiom недоступен: ${error.message}`);
      throw error;
    }
    const body = answer.json as { error?: { code?: unknown; message?: unknown } } | undefined;
    const reason = typeof body?.error?.message === 'string' ? ` — ${body.error.message}` : '';
    if (answer.status === 401 || answer.status === 403) {
      throw new AxiomError('auth', `Axiom не принял Api Key или Api Domain (HTTP ${answer.status}${reason})`, answer.status);
    }
    if (answer.status >= 500) throw new AxiomError('server', `Axiom ответил ошибкой сервера (HTTP ${answer.status}${reason})`, answer.status);
    if (answer.status === 404 || answer.json === undefined) {
      throw new AxiomError('not-axiom', `по адресу ${base} отвечает не API Axiom (HTTP ${answer.status}): проверьте Api URL и Api Version`, answer.status);
    }
    if (answer.status >= 300) throw new AxiomError('call', `Axiom ответил HTTP ${answer.status}${reason} (${apiUrl})`, answer.status);
    return answer.json as T;
  }
}
