/**
 * The reference: a bare Fastify route doing one SQLite insert, with the same SQLite settings
 * printsync uses (src/db/connection.ts: WAL, synchronous=NORMAL, checkpoints every 10,000 pages).
 * Prints `{"url"}`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import Fastify from 'fastify';

const sqlite = new BetterSqlite3(join(mkdtempSync(join(tmpdir(), 'printsync-bench-bare-')), 'bare.db'));
sqlite.pragma('journal_mode = WAL');
sqlite.pragma('synchronous = NORMAL');
sqlite.pragma('temp_store = MEMORY');
sqlite.pragma('cache_size = -32000');
sqlite.pragma('wal_autocheckpoint = 10000');
sqlite.pragma('journal_size_limit = 67108864');
sqlite.exec('create table orders (id integer primary key autoincrement, body text not null, created_at text not null)');
const insert = sqlite.prepare('insert into orders (body, created_at) values (?, ?) returning id');

const server = Fastify();
server.post('/orders', async (request, reply) => {
  const row = insert.get(JSON.stringify(request.body), new Date().toISOString()) as { id: number };
  reply.code(201);
  return { id: row.id };
});
await server.listen({ host: '127.0.0.1', port: 0 });
const address = server.server.address();
const port = address && typeof address === 'object' ? address.port : 0;
process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
