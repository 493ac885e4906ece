import type { AppServices } from '../../src/app.js';
import type { IntegrationDefinition } from '../../src/platform/integration.js';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { buildHttpServer } from '../../src/http/server.js';
import { createLogger } from '../../src/logger.js';
import type { TestDialect } from './databases.js';
import { createTestDatabase } from './databases.js';

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export interface TestApi {
  baseUrl: string;
  token: string;
  services: AppServices;
  /** JSON request with the test token; `body` is sent as JSON unless it is already a string. */
  request<T = unknown>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse<T>>;
  close(): Promise<void>;
}

/** A real printsync API server on a fresh database, listening on a free port of 127.0.0.1. */
export async function startTestApi(
  dialect: TestDialect,
  options: { integrations?: readonly IntegrationDefinition[]; env?: Record<string, string>; startWorker?: boolean; schedulerTickMs?: number } = {},
): Promise<TestApi> {
  const database = await createTestDatabase(dialect);
  // The suite's integrations talk to emulators and small servers on 127.0.0.1, which the outbound
  // policy refuses by default; a test of the policy itself passes its own value in `env`.
  const config = loadConfig({ DATABASE_URL: database.url, PORT: '0', LOG_LEVEL: 'silent', ALLOW_PRIVATE_NETWORKS: '1', ...options.env });
  const services = await createApp(config, {
    logger: createLogger('silent'),
    integrations: options.integrations ?? [],
    ...(options.schedulerTickMs !== undefined && { schedulerTickMs: options.schedulerTickMs }),
  }).catch(async (error: unknown) => {
    await database.drop();
    throw error;
  });
  const server = await buildHttpServer(services);
  await server.listen({ host: '127.0.0.1', port: 0 });
  const address = server.server.address();
  if (!address || typeof address === 'string') throw new Error('server did not bind a TCP port');
  if (options.startWorker) await services.startWorker({ pollIntervalMs: 50 });
  const baseUrl = `http://127.0.0.1:${address.port}`;
  const { token } = await services.stores.apiTokens.create('test');

  return {
    baseUrl,
    token,
    services,
    async request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
      const init: RequestInit = { method, headers: { authorization: `Bearer ${token}`, ...headers } };
      if (body !== undefined) {
        init.body = typeof body === 'string' ? body : JSON.stringify(body);
        (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
      }
      const response = await fetch(baseUrl + path, init);
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        // not JSON (e.g. the docs page): keep the text
      }
      return { status: response.status, headers: response.headers, body: parsed as T };
    },
    async close() {
      await server.close();
      await services.close();
      await database.drop();
    },
  };
}
