/**
 * A benchmark target process for `erp-quote`: printsync with the ASystem integration connected to
 * the emulator at `ERP_URL` (key `ERP_KEY`), its templates synced, and one product in a category
 * whose primary calculator is ASystem, bound to «Визитная карточка» (t-12). Prints
 * `{"url","token","productId"}` and serves until stdin closes.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { buildHttpServer } from '../../src/http/server.js';
import { asystem } from '../../src/integrations/asystem/index.js';
import { createLogger } from '../../src/logger.js';

const dir = mkdtempSync(join(tmpdir(), 'printsync-bench-erp-'));
const config = loadConfig({ DATABASE_URL: `sqlite:${join(dir, 'bench.db')}`, LOG_LEVEL: 'silent', ALLOW_PRIVATE_NETWORKS: '1' });
const services = await createApp(config, { logger: createLogger('silent'), integrations: [asystem] });
const server = await buildHttpServer(services);
await server.listen({ host: '127.0.0.1', port: 0 });
const address = server.server.address();
const url = `http://127.0.0.1:${address && typeof address === 'object' ? address.port : 0}`;
const { token } = await services.stores.apiTokens.create('bench');

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const answer = (await response.json()) as T;
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(answer)}`);
  return answer;
}

await call('PUT', '/api/v1/integrations/asystem/settings', { version: 0, enabled: true, settings: { apiHost: process.env.ERP_URL, apiKey: process.env.ERP_KEY } });
await call('POST', '/api/v1/integrations/asystem/templates/sync');
const category = await call<{ id: number }>('POST', '/api/v1/categories', { name: 'Визитки', calculatorEngine: 'asystem', calculatorPrimary: true });
const product = await call<{ id: number }>('POST', '/api/v1/products', { name: 'Визитки', categoryId: category.id, tiers: { mode: 'presets', presets: [{ quantity: 100, price: 100_00 }] } });
await call('PUT', `/api/v1/integrations/asystem/products/${product.id}/template`, { templateId: 't-12' });
process.stdout.write(`${JSON.stringify({ url, token, productId: product.id })}\n`);

process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
