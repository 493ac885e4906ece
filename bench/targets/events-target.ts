/**
 * A benchmark target process for `bitrix24-events`: printsync with Bitrix24 switched on (settings
 * saved against an idle emulator in this process, with its application token), no worker — the
 * events pile up in the inbox and the job queue, as they would while the worker is behind. On the
 * same server, `POST /bench/bare`: a public route that reads the form body as a string and answers
 * 200, the ceiling for this machine. Prints `{"url","token"}` once listening; exits when stdin ends.
 *
 * `--db sqlite|postgres` (default sqlite).
 */
import type { FastifyInstance } from 'fastify';
import { startBitrix24Emulator } from '../../emulators/bitrix24/server.js';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { buildHttpServer } from '../../src/http/server.js';
import { bitrix24 } from '../../src/integrations/bitrix24/index.js';
import { createLogger } from '../../src/logger.js';
import type { IntegrationDefinition } from '../../src/platform/integration.js';
import { switchOnBitrix24 } from '../../test/support/backfill-shop.js';
import { createTestDatabase } from '../../test/support/databases.js';
import type { TestDialect } from '../../test/support/databases.js';

const args = process.argv.slice(2);
const dbIndex = args.indexOf('--db');
const dialect = (dbIndex >= 0 ? args[dbIndex + 1] : 'sqlite') as TestDialect;

const b24 = await startBitrix24Emulator({ rate: false });
const database = await createTestDatabase(dialect);
const config = loadConfig({ DATABASE_URL: database.url, LOG_LEVEL: 'silent', ALLOW_PRIVATE_NETWORKS: '1' });
const services = await createApp(config, { logger: createLogger('silent'), integrations: [bitrix24 as IntegrationDefinition] });
await switchOnBitrix24(services, b24);
const server = await buildHttpServer(services);
// The reference: same server, same hooks (auth lets it through as public), no parsing beyond
// reading the body, no database.
await server.register(async (scope: FastifyInstance) => {
  scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  scope.post('/bench/bare', { config: { public: true }, schema: { hide: true } }, async () => ({ ok: true }));
});
await server.listen({ host: '127.0.0.1', port: 0 });
const address = server.server.address();
const port = address && typeof address === 'object' ? address.port : 0;
process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}`, token: b24.applicationToken })}\n`);

process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  if (chunk.includes('counts')) {
    void services.integrations.find('bitrix24')!.context.inbox.counts().then((counts) => process.stdout.write(`${JSON.stringify(counts)}\n`));
  }
});
process.stdin.on('end', () => {
  void (async () => {
    await server.close();
    await services.close();
    await b24.stop();
    await database.drop();
    process.exit(0);
  })();
});
