/**
 * A benchmark target process for `widget`: printsync (SQLite) with one product priced by its
 * tiers (1 to 10,000,000 by the piece, three price breaks), a widget site allowing
 * `http://shop.bench`, the public rate limit lifted (the load comes from one address), and on
 * the same server `POST /bench/bare`: a public route that reads the JSON body and answers 200, the
 * ceiling for this machine. Prints `{"url","key","productId","token"}`; exits when stdin ends.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { buildHttpServer } from '../../src/http/server.js';
import { createLogger } from '../../src/logger.js';

const dir = mkdtempSync(join(tmpdir(), 'printsync-bench-widget-'));
const config = loadConfig({ DATABASE_URL: `sqlite:${join(dir, 'bench.db')}`, LOG_LEVEL: 'silent', WIDGET_RATE_PER_SECOND: '100000', WIDGET_RATE_BURST: '1000000' });
const services = await createApp(config, { logger: createLogger('silent'), integrations: [] });
const server = await buildHttpServer(services);
await server.register(async (scope: FastifyInstance) => {
  scope.post('/bench/bare', { config: { public: true }, schema: { hide: true } }, async () => ({ ok: true }));
});
await server.listen({ host: '127.0.0.1', port: 0 });
const address = server.server.address();
const url = `http://127.0.0.1:${address && typeof address === 'object' ? address.port : 0}`;
const { token } = await services.stores.apiTokens.create('bench');

const category = await services.stores.categories.create({ name: 'Фотопечать', calculatorEngine: 'builtin', calculatorPrimary: false, widget: { unitPrice: true } });
const product = await services.stores.products.create({
  name: 'Фото 10×15',
  categoryId: category.id,
  sku: null,
  description: null,
  currency: 'RUB',
  tiers: {
    mode: 'range',
    min: 1,
    max: 10_000_000,
    step: 1,
    prices: [
      { fromQuantity: 1, unitPrice: 2_500 },
      { fromQuantity: 50, unitPrice: 1_900 },
      { fromQuantity: 300, unitPrice: 1_500 },
    ],
  },
});
const site = await services.stores.widgetSites.create({ name: 'Bench shop', origins: ['http://shop.bench'] });
process.stdout.write(`${JSON.stringify({ url, key: site.key, productId: product.id, token })}\n`);

process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
