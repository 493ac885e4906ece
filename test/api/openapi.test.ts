import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appIntegrations } from '../../src/extensions.js';
import { startTestApi } from '../support/api-server.js';
import type { TestApi } from '../support/api-server.js';
import { exampleIntegration } from '../support/example-integration/index.js';

type Operation = { responses: Record<string, unknown>; security?: unknown[] };

/** Issue 6: the OpenAPI document lists every answer a route can give, not only its handler's. */
describe('the OpenAPI document', () => {
  let api: TestApi;
  let paths: Record<string, Record<string, Operation>>;

  beforeAll(async () => {
    api = await startTestApi('sqlite', { integrations: [...appIntegrations(), exampleIntegration] });
    paths = (await api.request<{ paths: Record<string, Record<string, Operation>> }>('GET', '/docs/json')).body.paths;
  });
  afterAll(async () => api?.close());

  const operations = () =>
    Object.entries(paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, operation]) => ({ path, method: method.toUpperCase(), codes: Object.keys(operation.responses) })));

  it('gives every API route 500, every closed one 401, every one with a body 413 and 415, every staff change 403', () => {
    const missing: string[] = [];
    for (const { path, method, codes } of operations()) {
      const expected = ['500'];
      // Routes other systems call: the example integration's, Bitrix24's events (a shared token: 403)
      // and the 1C exchange (HTTP Basic: 401).
      const isBasicInbound = path === '/1c_exchange';
      const isInbound = path.startsWith('/api/example/') || path.startsWith('/api/bitrix/') || isBasicInbound;
      if (path !== '/api/v1/session' || method !== 'POST') expected.push(isInbound && !isBasicInbound ? '403' : '401');
      if (['POST', 'PUT', 'PATCH'].includes(method)) expected.push('413', '415');
      if (!isInbound && path !== '/api/v1/session' && ['POST', 'PUT', 'PATCH', 'DELETE'].includes(method)) expected.push('403');
      for (const code of expected) if (!codes.includes(code)) missing.push(`${method} ${path}: ${code}`);
    }
    expect(missing).toEqual([]);
    expect(operations().length).toBeGreaterThan(40);
  });

  it('says the login may answer 429 and an inbound route never asks for an API token', () => {
    expect(Object.keys(paths['/api/v1/session']!.post!.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '429', '413', '415', '500']));
    const inbound = paths['/api/example/events']!.post!;
    expect(inbound.security).toEqual([]);
    expect(Object.keys(inbound.responses)).not.toContain('401');
    expect(paths['/1c_exchange']!.get!.security).toEqual([]);
  });
});
