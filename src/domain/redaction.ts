/**
 * Removing secrets from what we keep about calls to other systems (the sync log, error texts
 * shown to people). Redaction happens before anything is stored: a secret that reaches a row
 * stays in backups forever, so masking at read time would be too late.
 *
 * Three nets, because each misses something the others catch:
 * 1. by key name: values of fields such as `token`, `apiKey`, `password`, `auth` — in objects,
 *    query strings, form bodies and JSON text;
 * 2. by shape: the webhook code inside Bitrix24 REST URLs (`/rest/<user>/<code>/…`) and
 *    `Bearer …` credentials;
 * 3. by value: the literal secrets the caller knows (an integration's saved API key), wherever
 *    they appear, even inside an error message written by someone else's library.
 */

export const REDACTED = '***';

/** Longest string kept inside a structure; longer ones (file contents, HTML pages) are cut. */
export const MAX_STRING_CHARS = 4_096;

export interface RedactOptions {
  /** Literal secret values to mask wherever they appear; empty and very short values are ignored. */
  secrets?: ReadonlyArray<string | null | undefined>;
}

// Compared after lower-casing and dropping `_`, `-` and spaces: `api_key`, `X-Api-Key`, `apiKey`
// all become `apikey`. Substrings, so `access_token`, `refresh_token`, `client_secret` match too.
const SECRET_KEY_PARTS = ['token', 'password', 'passwd', 'secret', 'apikey', 'webhookcode', 'authorization', 'cookie', 'privatekey', 'credential', 'signature'];
// Whole-name matches only: as substrings these would hit `author`, `passport`, `session_id`...
// (`key` and `code` stay visible: job keys and error codes are what a reader of the log needs.)
const SECRET_KEY_NAMES = new Set(['auth', 'pass', 'pwd', 'sessid']);

// Secrets shorter than this are not searched for as literals: masking every "1" or "ab" in a
// payload would make the log useless, and such a value protects nothing anyway.
const MIN_LITERAL_SECRET = 4;

/** True for field names whose values are credentials (`apiKey`, `auth[application_token]`, `Authorization`). */
export function isSecretKey(name: string): boolean {
  // `auth[application_token]`, `headers.authorization`: the innermost part names the value.
  const parts = name.split(/[[\].]/).filter(Boolean);
  const last = parts.at(-1) ?? name;
  const normalized = last.toLowerCase().replace(/[\s_-]/g, '');
  return SECRET_KEY_NAMES.has(normalized) || SECRET_KEY_PARTS.some((part) => normalized.includes(part));
}

/**
 * A deep copy of `value` with secrets masked, long strings cut, and values JSON can't hold
 * (errors, buffers, dates, cycles) turned into readable stand-ins. Safe on any input.
 */
export function redact(value: unknown, options: RedactOptions = {}): unknown {
  const literals = literalSecrets(options.secrets);
  return walk(value, literals, new WeakSet());
}

/** `redact` for one string (an error message, a URL). */
export function redactText(text: string, options: RedactOptions = {}): string {
  return redactString(text, literalSecrets(options.secrets));
}

function literalSecrets(secrets: RedactOptions['secrets']): string[] {
  const found = new Set<string>();
  for (const secret of secrets ?? []) {
    if (typeof secret !== 'string') continue;
    const trimmed = secret.trim();
    if (trimmed.length < MIN_LITERAL_SECRET) continue;
    found.add(trimmed);
    // The same secret as it appears inside URLs and form bodies.
    const encoded = encodeURIComponent(trimmed);
    if (encoded !== trimmed) found.add(encoded);
  }
  // Longest first, so a secret containing another is masked whole.
  return [...found].sort((a, b) => b.length - a.length);
}

function walk(value: unknown, literals: string[], seen: WeakSet<object>): unknown {
  if (value === null || value === undefined) return value ?? null;
  if (typeof value === 'string') return cut(redactString(value, literals));
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof URL) return cut(redactString(value.href, literals));
  if (Buffer.isBuffer(value) || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
    return `[binary, ${(value as ArrayBuffer).byteLength} bytes]`;
  }
  if (typeof value !== 'object') return String(value);
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  try {
    if (value instanceof Error) return walkError(value, literals, seen);
    if (value instanceof Map) return walk(Object.fromEntries(value), literals, seen);
    if (value instanceof Set) return walk([...value], literals, seen);
    if (Array.isArray(value)) return value.map((item) => walk(item, literals, seen) ?? null);
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      if (isSecretKey(key)) {
        out[key] = maskedValue(item);
        continue;
      }
      const walked = walk(item, literals, seen);
      if (walked !== undefined) out[key] = walked;
    }
    return out;
  } finally {
    // Only ancestors count as cycles; the same object twice side by side is printed twice.
    seen.delete(value);
  }
}

function walkError(error: Error, literals: string[], seen: WeakSet<object>): Record<string, unknown> {
  const out: Record<string, unknown> = { name: error.name, message: walk(error.message, literals, seen) };
  // Own fields of HTTP client errors (status, code, response body...) are often the useful part.
  for (const [key, item] of Object.entries(error)) {
    if (key === 'stack') continue;
    out[key] = isSecretKey(key) ? maskedValue(item) : walk(item, literals, seen);
  }
  if (error.cause !== undefined) out.cause = walk(error.cause, literals, seen);
  return out;
}

/** A secret field keeps telling whether it was set, never what it was. */
function maskedValue(value: unknown): unknown {
  if (value === null || value === undefined || value === '') return value ?? null;
  return REDACTED;
}

function redactString(text: string, literals: string[]): string {
  let out = text;
  for (const secret of literals) out = out.split(secret).join(REDACTED);
  // Bitrix24 inbound webhook: https://portal.bitrix24.ru/rest/<user id>/<code>/<method>
  out = out.replace(/(\/rest\/\d+\/)([^/?#\s"']+)/g, `$1${REDACTED}`);
  out = out.replace(/\bBearer\s+[A-Za-z0-9._~+/=-]+/g, `Bearer ${REDACTED}`);
  // Basic credentials are base64: a digit, `=+/` or a lower-upper case change spares prose such
  // as "Basic settings".
  out = out.replace(/\bBasic\s+(?=[A-Za-z0-9+/]*(?:[0-9=+/]|[a-z][A-Z]))[A-Za-z0-9+/]{6,}={0,2}/g, `Basic ${REDACTED}`);
  // user:password@ in URLs (database URLs, basic auth).
  out = out.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+@/gi, `$1${REDACTED}@`);
  // Query strings and form bodies: `?auth=…`, `&auth%5Bapplication_token%5D=…`. A value that
  // is itself encoded (a callback URL with its own `?token=`, a secret with lower-case escapes)
  // is redacted decoded and encoded again.
  out = out.replace(/(^|[?&\s])([^=&?\s]+)=([^&#\s]*)/g, (match, lead: string, key: string, value: string) => {
    if (!value) return match;
    if (isSecretKey(safeDecode(key))) return `${lead}${key}=${REDACTED}`;
    const decoded = /[%+]/.test(value) ? safeDecode(value) : value;
    if (decoded === value) return match;
    const redacted = redactString(decoded, literals);
    return redacted === decoded ? match : `${lead}${key}=${encodeURIComponent(redacted)}`;
  });
  // JSON text kept as a string (a response body we could not parse into an object).
  out = out.replace(/("([^"\\]{1,100})"\s*:\s*)"((?:[^"\\]|\\.)*)"/g, (match, lead: string, key: string, value: string) =>
    value && isSecretKey(key) ? `${lead}"${REDACTED}"` : match,
  );
  return out;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

function cut(text: string): string {
  if (text.length <= MAX_STRING_CHARS) return text;
  return `${text.slice(0, MAX_STRING_CHARS)}… [cut, ${text.length} characters in all]`;
}

/** Largest JSON text kept per field of a sync log row. */
export const MAX_FIELD_CHARS = 16_384;

/**
 * `redact`, then JSON text of at most `maxChars` characters, or null for null/undefined.
 * Redaction comes first so that a cut can never leave half a secret that no pattern recognizes.
 * An oversized value is kept as a readable head with its full size.
 */
export function redactToJson(value: unknown, options: RedactOptions = {}, maxChars = MAX_FIELD_CHARS): string | null {
  if (value === undefined || value === null) return null;
  const text = JSON.stringify(redact(value, options)) ?? null;
  if (text === null || text.length <= maxChars) return text;
  // The head is JSON inside JSON: its quotes get escaped, so shrink it until the whole fits.
  let keep = maxChars - 100;
  for (;;) {
    const out = JSON.stringify({ truncated: true, characters: text.length, head: text.slice(0, Math.max(0, keep)) });
    if (out.length <= maxChars || keep <= 0) return out;
    keep -= out.length - maxChars;
  }
}
