import { fetch as undiciFetch } from 'undici';
import { redactText } from '../../domain/redaction.js';
import { OutboundAddressRefused, outboundDispatcher } from '../../platform/outbound-policy.js';

/**
 * What every integration's transport needs from HTTP: a call that cannot hang (a deadline on top
 * of the caller's abort signal), a body read whatever it is (JSON, an HTML error page, nothing),
 * and network failures told in words an administrator can act on. Integration-specific parts —
 * auth, envelopes, error codes — stay in each integration's own `transport.ts`.
 */

/** Longest a single call may take unless the caller says otherwise. */
export const DEFAULT_TIMEOUT_MS = 10_000;

export interface HttpCallOptions {
  /** The caller's cancellation (a settings check's request deadline, a job's shutdown). */
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
  /** Literal secrets that must not reach any message (API keys, webhook codes). */
  secrets?: readonly string[] | undefined;
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON (an HTML page from a proxy). */
  json: unknown;
}

export type NetworkFailureReason =
  | 'refused'
  | 'dns'
  | 'timeout'
  | 'tls'
  | 'aborted'
  /** An internal address ALLOW_PRIVATE_NETWORKS does not open (`platform/outbound-policy.ts`): nothing was sent. */
  | 'forbidden'
  | 'other';

/**
 * The other side could not be reached at all; no HTTP answer exists. The message says which
 * server (origin only: paths may carry credentials) and why, in Russian.
 */
export class NetworkError extends Error {
  constructor(
    readonly reason: NetworkFailureReason,
    message: string,
  ) {
    super(message);
    this.name = 'NetworkError';
  }
}

/**
 * One HTTP exchange. Redirects are not followed: a server that moved should be configured with
 * its new address (and an API key must not travel to wherever a redirect points, nor a redirect
 * lead a call to an internal address). Connections go through the process's outbound policy:
 * an internal address is refused before connecting unless ALLOW_PRIVATE_NETWORKS opens it.
 */
export async function httpCall(url: string, init: RequestInit, options: HttpCallOptions = {}): Promise<HttpAnswer> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let response: Response;
  let text: string;
  try {
    // undici's own fetch, not Node's: the dispatcher must come from the same undici release as
    // the fetch that drives it, and Node's bundled one changes with the Node version.
    response = await undiciFetch(url, {
      ...init,
      signal,
      redirect: 'manual',
      dispatcher: outboundDispatcher(),
    });
    text = await response.text();
  } catch (error) {
    throw networkError(new URL(url).origin, error, {
      timedOut: timeout.aborted,
      callerAborted: options.signal?.aborted ?? false,
      timeoutMs,
      secrets: options.secrets ?? [],
    });
  }
  return { status: response.status, headers: response.headers, text, json: parseJson(text) };
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const TLS_CODES = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/;

function networkError(
  origin: string,
  error: unknown,
  context: { timedOut: boolean; callerAborted: boolean; timeoutMs: number; secrets: readonly string[] },
): NetworkError {
  const clean = (text: string) => redactText(text, { secrets: context.secrets });
  if (context.timedOut) {
    return new NetworkError('timeout', `${origin} не ответил за ${String(Math.round(context.timeoutMs / 100) / 10).replace('.', ',')} с`);
  }
  const name = (error as { name?: unknown } | null)?.name;
  // fetch rejects with the signal's reason, which a job or a hook sets to an Error of its own.
  if (context.callerAborted || name === 'AbortError' || name === 'TimeoutError') {
    return new NetworkError('aborted', `запрос к ${origin} прерван, ответа не дождались`);
  }
  const refusal = refusalIn(error);
  if (refusal) return new NetworkError('forbidden', refusal.message);
  const code = causeCode(error);
  if (code === 'ECONNREFUSED') {
    return new NetworkError('refused', `${origin} не отвечает: соединение отклонено (сервер выключен или порт закрыт)`);
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new NetworkError('dns', `адрес ${new URL(origin).hostname} не найден: проверьте, нет ли в нём опечатки`);
  }
  if (code && TLS_CODES.test(code)) {
    return new NetworkError('tls', `не удалось проверить HTTPS-сертификат ${origin} (${code})`);
  }
  const detail = code ?? clean(error instanceof Error ? error.message : String(error));
  return new NetworkError('other', `не удалось соединиться с ${origin} (${detail})`);
}

function refusalIn(error: unknown): OutboundAddressRefused | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    if (current instanceof OutboundAddressRefused) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** undici hides the system error in `cause` (sometimes an AggregateError of several attempts). */
function causeCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_SOCKET') return code;
    const nested = (current as { errors?: unknown[] }).errors;
    if (Array.isArray(nested) && nested.length) current = nested[0];
    else current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
