/**
 * The panel's only way to the server: the public REST API with the session cookie. Changing
 * requests carry the session's CSRF token; a 401 anywhere sends the user back to the login page.
 */
export interface FieldProblem {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: FieldProblem[] = [],
    readonly retryAfter: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const API = '/api/v1';
let csrfToken: string | null = null;
let onUnauthorized: (() => void) | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function setUnauthorizedHandler(handler: (() => void) | null): void {
  onUnauthorized = handler;
}

export async function api<T>(method: string, path: string, body?: unknown, options: { quiet401?: boolean } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  // A FormData body (a file upload) goes as multipart with the boundary the browser sets.
  const form = body instanceof FormData;
  if (body !== undefined && !form) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(API + path, {
      method,
      headers,
      body: body === undefined ? undefined : form ? body : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch {
    throw new ApiError(0, 'network', 'network error');
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = { code: 'bad_response', message: text.slice(0, 200) };
  }
  if (!response.ok) {
    const error = (parsed ?? {}) as { code?: string; message?: string; details?: FieldProblem[] };
    if (response.status === 401 && !options.quiet401) onUnauthorized?.();
    const retryAfter = response.headers.get('retry-after');
    throw new ApiError(
      response.status,
      error.code ?? 'http_' + response.status,
      error.message ?? response.statusText,
      error.details ?? [],
      retryAfter ? Number(retryAfter) : null,
    );
  }
  return parsed as T;
}

/** `{ a: 1, b: undefined }` → `?a=1`. */
export function query(params: Record<string, string | number | boolean | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}
