/**
 * A benchmark target process: `printsync` with a subscriber on order events, so every order
 * created also writes its domain event and a job (the outbox is on). Prints `{"url","token"}`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { buildHttpServer } from '../../src/http/server.js';
import { domainEventJobPayload } from '../../src/events/domain-events.js';
import { defineJob } from '../../src/jobs/catalog.js';
import { defineIntegration } from '../../src/platform/integration.js';
import { createLogger } from '../../src/logger.js';

const dir = mkdtempSync(join(tmpdir(), 'printsync-bench-'));
const config = loadConfig({ DATABASE_URL: `sqlite:${join(dir, 'bench.db')}`, LOG_LEVEL: 'silent' });
const exportOrder = defineJob({ name: 'bench.exportOrder', payload: domainEventJobPayload, handler: async () => {} });
const bench = defineIntegration({
  name: 'bench',
  title: { ru: 'Бенчмарк', en: 'Benchmark' },
  setup: () => ({ jobs: [exportOrder], subscriptions: [{ job: exportOrder, events: ['order.created', 'order.updated', 'order.status_changed'] }] }),
});
const services = await createApp(config, { logger: createLogger('silent'), integrations: [bench] });
const server = await buildHttpServer(services);
await server.listen({ host: '127.0.0.1', port: 0 });
const address = server.server.address();
const port = address && typeof address === 'object' ? address.port : 0;
const { token } = await services.stores.apiTokens.create('bench');
const person = await services.stores.persons.create({ phones: [], emails: [], isGuest: false, firstName: 'Бенч' });
process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}`, token, personId: person.id })}\n`);

// The parent asks for memory figures over stdin; answering here keeps the numbers from this process.
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  if (chunk.includes('rss')) {
    globalThis.gc?.();
    process.stdout.write(`${JSON.stringify({ rssBytes: process.memoryUsage().rss, heapUsedBytes: process.memoryUsage().heapUsed })}\n`);
  }
});
process.stdin.on('end', () => process.exit(0));
