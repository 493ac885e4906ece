import qs from 'qs';

export type Params = Record<string, unknown>;

// PHP's parse_str nests as deep as the keys go; qs needs the limits lifted to match.
const PHP_PARSE = { depth: 32, arrayLimit: 10_000, parameterLimit: 100_000 } as const;

/** A query string with PHP bracket keys (`fields[PHONE][0][VALUE]=…`), as parse_str reads it. */
export function parsePhpQuery(query: string): Params {
  if (query === '') return {};
  return qs.parse(query, PHP_PARSE) as Params;
}

/**
 * Decodes a request body the way CRestUtil::getRequestData does: JSON for application/json
 * (invalid JSON silently becomes no parameters), multipart as a form, anything else with
 * parse_str.
 */
export async function parseBody(contentType: string | undefined, body: Buffer): Promise<Params> {
  if (body.length === 0) return {};
  const type = (contentType ?? '').replace(/;.*$/, '').trim().toLowerCase();
  if (type === 'application/json') {
    try {
      const parsed: unknown = JSON.parse(body.toString('utf8'));
      return isPlainRecord(parsed) ? parsed : Array.isArray(parsed) ? { ...parsed } : {};
    } catch {
      return {};
    }
  }
  if (type === 'multipart/form-data') return parseMultipart(contentType ?? '', body);
  return parsePhpQuery(body.toString('utf8').trim());
}

async function parseMultipart(contentType: string, body: Buffer): Promise<Params> {
  let form: FormData;
  try {
    form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
  } catch {
    return {};
  }
  // Re-encode the text parts as one query so bracket keys nest exactly as in a urlencoded body;
  // uploaded files go to $_FILES in PHP, not into the parameters.
  const pairs = new URLSearchParams();
  for (const [key, value] of form.entries()) {
    if (typeof value === 'string') pairs.append(key, value);
  }
  return parsePhpQuery(pairs.toString());
}

/** Query and body merged with PHP's array_replace: body keys win, one level deep. */
export function mergeParams(query: Params, body: Params): Params {
  return { ...query, ...body };
}

export function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Case-insensitive lookup, as the old crm.* methods resolve `id`/`ID`, `fields`/`FIELDS`. */
export function pick(params: Params, ...names: string[]): unknown {
  for (const name of names) {
    if (name in params) return params[name];
  }
  const lowered = names.map((n) => n.toLowerCase());
  for (const key of Object.keys(params)) {
    if (lowered.includes(key.toLowerCase())) return params[key];
  }
  return undefined;
}

/** A PHP array read as a list: JS arrays as they are, `{0:…,1:…}` maps by their values. */
export function asList(value: unknown): unknown[] | undefined {
  if (Array.isArray(value)) return value;
  if (isPlainRecord(value)) return Object.values(value);
  return undefined;
}
