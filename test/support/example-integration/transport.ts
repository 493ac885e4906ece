import { httpCall, NetworkError } from '../../../src/integrations/common/http.js';
import { IntegrationError } from '../../../src/platform/errors.js';

/** Calls to the example's system (test/support/example-remote.ts); every failure is an `IntegrationError`. */
export class ExampleClient {
  constructor(private readonly credentials: { remoteUrl: string; apiKey: string }) {}

  async createObject(type: string, origin: string, fields: Record<string, unknown>, signal?: AbortSignal): Promise<string> {
    const answer = await this.#call<{ id: string }>('POST', '/objects', { type, origin, fields }, signal);
    return answer.id;
  }

  /** The object a previous attempt made for `origin`, if any (what `ORIGIN_ID` is in Bitrix24). */
  async findByOrigin(type: string, origin: string, signal?: AbortSignal): Promise<string | null> {
    const answer = await this.#call<{ items: Array<{ id: string }> }>('GET', `/objects?type=${type}&origin=${encodeURIComponent(origin)}`, undefined, signal);
    return answer.items[0]?.id ?? null;
  }

  async deals(signal?: AbortSignal): Promise<Array<{ id: string; fields: Record<string, unknown> }>> {
    return (await this.#call<{ items: Array<{ id: string; fields: Record<string, unknown> }> }>('GET', '/objects?type=deal', undefined, signal)).items;
  }

  async stages(signal?: AbortSignal): Promise<Array<{ value: string; label: string }>> {
    return (await this.#call<{ items: Array<{ value: string; label: string }> }>('GET', '/stages', undefined, signal)).items;
  }

  async #call<T>(method: 'GET' | 'POST', path: string, body: unknown, signal: AbortSignal | undefined): Promise<T> {
    let answer;
    try {
      answer = await httpCall(
        `${this.credentials.remoteUrl}${path}`,
        {
          method,
          headers: { 'x-api-key': this.credentials.apiKey, 'content-type': 'application/json' },
          ...(body !== undefined && { body: JSON.stringify(body) }),
        },
        { signal, timeoutMs: 5_000, secrets: [this.credentials.apiKey] },
      );
    } catch (error) {
      if (error instanceof NetworkError) throw new IntegrationError('example', error.reason === 'aborted' ? 'aborted' : 'unreachable', `система недоступна: ${error.message}`);
      throw error;
    }
    if (answer.status === 401) throw new IntegrationError('example', 'credentials', 'система не приняла ключ API (HTTP 401)', { status: 401 });
    if (answer.status >= 500) throw new IntegrationError('example', 'server', `система ответила ошибкой сервера (HTTP ${answer.status})`, { status: answer.status });
    if (answer.status >= 300) throw new IntegrationError('example', 'rejected', `система ответила HTTP ${answer.status}`, { status: answer.status });
    return answer.json as T;
  }
}

/**
 * One client per address and key, shared by every job, route and schedule of the integration in
 * this process: the long-lived resource of the example (a real one keeps its rate limiter here).
 */
export class ExampleClients {
  readonly #byKey = new Map<string, ExampleClient>();

  for(settings: { remoteUrl: string; apiKey: string }): ExampleClient {
    const key = `${settings.remoteUrl} ${settings.apiKey}`;
    let client = this.#byKey.get(key);
    if (!client) this.#byKey.set(key, (client = new ExampleClient(settings)));
    return client;
  }

  get size(): number {
    return this.#byKey.size;
  }

  close(): void {
    this.#byKey.clear();
  }
}
