import type { FieldProblem } from '../../../domain/errors.js';
import { IntegrationError } from '../../../platform/errors.js';
import type { IntegrationFailure } from '../../../platform/errors.js';
import { httpCall, NetworkError } from '../http.js';
import type { HttpCallOptions } from '../http.js';

/**
 * The print-shop ERP family (ASystem, Axiom): JSON over HTTP under a base URL, a key in a
 * header, errors as a non-2xx status with `{ error: { code, message } }`. Neither vendor
 * publishes its API; this is the contract ASSUMED in
 * `shared/reference/erp-asystem-axiom-1c-pixlpark.md` §2.4 and §3.3. Each ERP's `transport.ts`
 * says only what differs: where its API starts, which headers carry its credentials, and its
 * name in messages.
 */

/** Finer than `IntegrationFailure`, so a settings form can blame the right field. */
export type ErpFailureKind =
  /** The key (or tenant) was refused: 401/403. */
  | 'auth'
  /** Nothing answered at the address. */
  | 'unreachable'
  /** Something answered, but not this ERP's API (a 404 for the API root, a web page). */
  | 'not-erp'
  /** A 5xx. */
  | 'server'
  /** The object asked for is not there (a 404 with the ERP's error envelope: `TEMPLATE_NOT_FOUND`). */
  | 'missing'
  /** Another 4xx: the call itself was refused (a parameter value the template does not offer). */
  | 'call';

const FAILURE_BY_KIND: Record<ErpFailureKind, IntegrationFailure> = {
  auth: 'credentials',
  unreachable: 'unreachable',
  'not-erp': 'misconfigured',
  server: 'server',
  missing: 'not_found',
  call: 'rejected',
};

export class ErpError extends IntegrationError {
  constructor(
    integration: string,
    readonly kind: ErpFailureKind,
    message: string,
    status: number | null = null,
    code: string | null = null,
    /** The parameter the ERP blamed (its own name), when it named one. */
    readonly param: string | null = null,
    /** The ERP's whole answer (a 409 for a repeated order carries the order it already has). */
    readonly answer: unknown = null,
  ) {
    super(integration, FAILURE_BY_KIND[kind], message, { status, code });
    this.name = 'ErpError';
  }
}

export interface ErpEndpoint {
  /** `asystem`, `axiom`: the integration the errors belong to. */
  integration: string;
  /** How people call it in messages: «ASystem», «Axiom». */
  product: string;
  /** Where every path starts, e.g. `https://10.0.0.5:3000/api/v1`. */
  baseUrl: string;
  /** Credentials and tenant headers. */
  headers: Readonly<Record<string, string>>;
  /** Values that must never reach a message (the key). */
  secrets: readonly string[];
  /** What to check when the key is refused, e.g. «Api Key или Api Domain». */
  credentialsLabel: string;
  /** What to check when the address is not the API, e.g. «Api URL и Api Version». */
  addressLabel: string;
  timeoutMs?: number | undefined;
}

export class ErpClient {
  constructor(private readonly endpoint: ErpEndpoint) {}

  get baseUrl(): string {
    return this.endpoint.baseUrl;
  }

  get<T>(path: string, options: Pick<HttpCallOptions, 'signal'> = {}): Promise<T> {
    return this.#send<T>('GET', path, undefined, options);
  }

  post<T>(path: string, body: unknown, options: Pick<HttpCallOptions, 'signal'> = {}): Promise<T> {
    return this.#send<T>('POST', path, body, options);
  }

  async #send<T>(method: 'GET' | 'POST', path: string, body: unknown, options: Pick<HttpCallOptions, 'signal'>): Promise<T> {
    const { integration, product, baseUrl, headers, secrets } = this.endpoint;
    let answer;
    try {
      answer = await httpCall(
        `${baseUrl}${path}`,
        {
          method,
          headers: { ...headers, accept: 'application/json', ...(body !== undefined && { 'content-type': 'application/json' }) },
          ...(body !== undefined && { body: JSON.stringify(body) }),
        },
        { signal: options.signal, timeoutMs: this.endpoint.timeoutMs ?? timeoutFromEnvironment(), secrets },
      );
    } catch (error) {
      // An internal address the outbound policy refuses is a settings problem, not an outage: it parks.
      if (error instanceof NetworkError) throw new ErpError(integration, error.reason === 'forbidden' ? 'not-erp' : 'unreachable', `сервер ${product} недоступен: ${error.message}`);
      throw error;
    }
    const envelope = answer.json as { error?: { code?: unknown; message?: unknown; param?: unknown } } | undefined;
    const reason = typeof envelope?.error?.message === 'string' ? ` — ${envelope.error.message}` : '';
    const code = typeof envelope?.error?.code === 'string' ? envelope.error.code : null;
    const param = typeof envelope?.error?.param === 'string' ? envelope.error.param : null;
    if (answer.status === 401 || answer.status === 403) {
      throw new ErpError(integration, 'auth', `${product} не принял ${this.endpoint.credentialsLabel} (HTTP ${answer.status}${reason})`, answer.status, code);
    }
    if (answer.status >= 500) throw new ErpError(integration, 'server', `${product} ответил ошибкой сервера (HTTP ${answer.status}${reason})`, answer.status, code);
    // A 404 with the ERP's envelope is a missing object; without one, the address is not the API.
    if (answer.status === 404 && code !== null) {
      throw new ErpError(integration, 'missing', `${product} не нашёл ${path.split('?')[0]} (HTTP 404${reason})`, answer.status, code);
    }
    if (answer.status === 404 || answer.json === undefined) {
      throw new ErpError(
        integration,
        'not-erp',
        `по адресу ${baseUrl} отвечает не API ${product} (HTTP ${answer.status}): проверьте ${this.endpoint.addressLabel}`,
        answer.status,
        code,
      );
    }
    if (answer.status >= 300) throw new ErpError(integration, 'call', `${product} отклонил запрос (HTTP ${answer.status}${reason})`, answer.status, code, param, answer.json);
    return answer.json as T;
  }
}

/** `ERP_TIMEOUT_MS`: how long one ERP call may take (default: the common 10 s); the tests shorten it. */
function timeoutFromEnvironment(): number | undefined {
  const raw = Number(process.env.ERP_TIMEOUT_MS);
  return Number.isFinite(raw) && raw > 0 ? raw : undefined;
}

/**
 * A failed check of an ERP's settings as a problem of its form: a refused key on the key field,
 * an address that does not answer (or is not that ERP) on the address field.
 */
export function erpSettingsProblem(error: unknown, fields: { key: string; address: string }): FieldProblem {
  if (!(error instanceof ErpError)) throw error;
  if (error.kind === 'auth') return { path: fields.key, message: `${error.message}: проверьте ключ` };
  // In a settings check even an object-level 404 means the address (or API version) is wrong.
  if (error.kind === 'unreachable' || error.kind === 'not-erp' || error.kind === 'missing') return { path: fields.address, message: capitalize(error.message) };
  return { path: '', message: error.message };
}

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
