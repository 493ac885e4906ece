/** One request the ERP received, as the admin's «what it received» page shows it. */
export interface ReceivedRequest {
  at: string;
  method: string;
  /** The path and query as sent, e.g. `/api/v1/orders?externalId=1042`. */
  path: string;
  /** Credential headers, the key masked: `X-Api-Key` shows only whether it was right. */
  credentials: Record<string, string>;
  /** Parsed JSON, or the raw text when it was not JSON; absent for an empty body. */
  body?: unknown;
  /** HTTP status answered; null when the connection was dropped with no answer. */
  status: number | null;
  /** A fault that struck the request, if any. */
  fault?: string;
  durationMs: number;
}

const MAX_ENTRIES = 1000;
export const MASK = '***';

/**
 * The requests received, newest last, at most 1000. The API key is never kept: every occurrence
 * of the configured key (in the body too) is replaced before a request is stored.
 */
export class RequestLog {
  private entries: ReceivedRequest[] = [];

  constructor(private readonly secrets: () => string[]) {}

  /** Replaces each secret in the text with `***`. */
  mask(text: string): string {
    let masked = text;
    for (const secret of this.secrets()) if (secret) masked = masked.split(secret).join(MASK);
    return masked;
  }

  record(entry: Omit<ReceivedRequest, 'body'> & { rawBody: string }): void {
    const { rawBody, ...rest } = entry;
    const text = this.mask(rawBody);
    const stored: ReceivedRequest = { ...rest, path: this.mask(rest.path) };
    if (text !== '') stored.body = parseOrText(text);
    this.entries.push(stored);
    if (this.entries.length > MAX_ENTRIES) this.entries.splice(0, this.entries.length - MAX_ENTRIES);
  }

  list(filter: { path?: string; method?: string } = {}): ReceivedRequest[] {
    return this.entries.filter((e) => (!filter.path || e.path.includes(filter.path)) && (!filter.method || e.method === filter.method.toUpperCase()));
  }

  clear(): void {
    this.entries = [];
  }
}

function parseOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** How a sent key is shown: never its value. */
export function describeKey(sent: string | undefined, expected: string): string {
  if (sent === undefined || sent === '') return '(нет)';
  return sent === expected ? `${MASK} (верный)` : `${MASK} (неверный)`;
}
