import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerPanel } from '../../src/http/panel.js';
import { startTestApi } from '../support/api-server.js';
import { CARD_TIERS } from '../support/catalog-fixtures.js';
import type { TestApi } from '../support/api-server.js';

/** Issue 6, security 5: ids only as written digits; every answer Fastify or Node gives itself in the API's error shape. */
describe('HTTP edges', () => {
  let api: TestApi;
  let productId: number;

  beforeAll(async () => {
    api = await startTestApi('sqlite');
    const category = await api.request<{ id: number }>('POST', '/api/v1/categories', { name: 'Визитки' });
    const product = await api.request<{ id: number }>('POST', '/api/v1/products', { categoryId: category.body.id, name: 'Визитки 90×50', tiers: CARD_TIERS });
    productId = product.body.id;
    expect(productId).toBe(1);
  });
  afterAll(async () => api?.close());

  const errorShape = { code: expect.any(String), message: expect.any(String), details: expect.any(Array) };

  it.each(['1%20', '0x1', '+1', '1e0', '01', '1.0', '%201', '-1', '0'])('refuses the id "%s" in a path with a 400 naming it, and deletes nothing', async (id) => {
    const response = await api.request<{ code: string; details: Array<{ path: string }> }>('DELETE', `/api/v1/products/${id}`);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'validation_failed', details: [{ path: 'params.id' }] });
    expect((await api.request('GET', `/api/v1/products/${productId}`)).status).toBe(200);
  });

  it('refuses such numbers in query strings too', async () => {
    for (const query of ['personId=0x10', 'limit=1e1', 'limit=+5', 'cursor=x&limit=%205']) {
      const response = await api.request<{ code: string }>('GET', `/api/v1/orders?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.body.code).toBe('validation_failed');
    }
    expect((await api.request('GET', '/api/v1/orders?limit=5')).status).toBe(200);
  });

  it('answers an unknown route with a 404 in the error shape, whatever the method', async () => {
    for (const [method, path] of [['GET', '/api/v1/nope'], ['POST', '/api/v1/orders/1/nope'], ['DELETE', '/api/v2/orders'], ['PUT', '/nowhere']] as const) {
      const response = await api.request<Record<string, unknown>>(method, path, method === 'GET' ? undefined : {});
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(response.body).toEqual({ code: 'not_found', message: `${method} ${path} is not a known route`, details: [] });
    }
  });

  it('answers a malformed URL (400) and an overlong path segment (414) in the error shape', async () => {
    const bad = await api.request<Record<string, unknown>>('GET', '/api/v1/orders/%E0%A4%A');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ ...errorShape, code: 'validation_failed' });
    // Fastify answers a path parameter past its limit with 414 on some routes and an unmatched
    // route (404) on others; either way in the error shape.
    const long = await api.request<Record<string, unknown>>('GET', `/api/v1/orders/${'9'.repeat(200)}`);
    expect([404, 414]).toContain(long.status);
    expect(long.body).toMatchObject(errorShape);
  });

  it('answers headers too large for Node (431) in the error shape', async () => {
    const { hostname, port } = new URL(api.baseUrl);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => {
        socket.write(`GET /api/v1/orders HTTP/1.1\r\nHost: ${hostname}\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
      });
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    const json = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;
    expect(json).toEqual({ code: 'headers_too_large', message: 'the request headers are larger than this server accepts', details: [] });
  });
});

describe('the panel’s files', () => {
  let dist: string;
  const server = Fastify();

  beforeAll(async () => {
    dist = mkdtempSync(join(tmpdir(), 'printsync-dist-'));
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>printsync</title>');
    mkdirSync(join(dist, 'assets'));
    writeFileSync(join(dist, 'assets', 'app-1a2b.js'), 'console.log(1)');
    // What may land in a build folder by accident.
    writeFileSync(join(dist, '.env'), 'SECRET=1');
    mkdirSync(join(dist, '.git'));
    writeFileSync(join(dist, '.git', 'config'), '[remote "origin"]');
    writeFileSync(join(dist, 'assets', '.secret.js'), "'secret'");
    server.setNotFoundHandler(await registerPanel(server, dist));
    await server.ready();
  });
  afterAll(async () => {
    await server.close();
    rmSync(dist, { recursive: true, force: true });
  });

  it('serves the panel and its assets, never a dotfile', async () => {
    expect((await server.inject({ url: '/assets/app-1a2b.js' })).statusCode).toBe(200);
    expect((await server.inject({ url: '/orders/12' })).body).toContain('<title>printsync</title>');
    for (const url of ['/.env', '/.git/config', '/assets/.secret.js', '/%2Eenv', '/assets/%2Esecret.js']) {
      const response = await server.inject({ url });
      for (const content of ['SECRET=1', '[remote', "'secret'"]) expect(response.body, url).not.toContain(content);
      if (!url.includes('%')) expect(response.statusCode, url).toBe(404);
    }
  });
});
