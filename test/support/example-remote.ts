import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The "other system" of the example integration: a tiny CRM over HTTP that keeps contacts,
 * companies and deals, each made with an `origin` (our id for it) it can be searched by — as
 * Bitrix24's `ORIGIN_ID`. Faults are switched on by tests: refuse the key, fail the next create
 * of a kind with a 500, or make it and then drop the connection without an answer.
 */
export interface RemoteObject {
  id: string;
  type: string;
  origin: string;
  fields: Record<string, unknown>;
}

export interface ExampleRemote {
  url: string;
  apiKey: string;
  objects: RemoteObject[];
  /** Creates asked for, per type (a create that failed counts too). */
  createCalls: Record<string, number>;
  faults: {
    /** Answer 401 to every call (a revoked key). */
    refuseKey: boolean;
    /** The next create of this type answers 500 without making anything. */
    failNextCreate: string | null;
    /** The next create of this type is made, and then the connection is dropped with no answer. */
    dropAfterNextCreate: string | null;
  };
  stages: Array<{ value: string; label: string }>;
  stop(): Promise<void>;
}

export async function startExampleRemote(apiKey = 'example-key-0123456789'): Promise<ExampleRemote> {
  let nextId = 100;
  const remote: Omit<ExampleRemote, 'url' | 'stop'> = {
    apiKey,
    objects: [],
    createCalls: {},
    faults: { refuseKey: false, failNextCreate: null, dropAfterNextCreate: null },
    stages: [
      { value: 'NEW', label: 'Новая' },
      { value: 'WON', label: 'Сделка успешна' },
      { value: 'LOSE', label: 'Сделка провалена' },
    ],
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (remote.faults.refuseKey || req.headers['x-api-key'] !== remote.apiKey) return send(401, { error: { code: 'BAD_KEY', message: 'invalid api key' } });
      const url = new URL(req.url ?? '/', 'http://remote');
      if (req.method === 'GET' && url.pathname === '/stages') return send(200, { items: remote.stages });
      if (req.method === 'GET' && url.pathname === '/objects') {
        const origin = url.searchParams.get('origin');
        const type = url.searchParams.get('type');
        return send(200, { items: remote.objects.filter((o) => (!origin || o.origin === origin) && (!type || o.type === type)) });
      }
      if (req.method === 'POST' && url.pathname === '/objects') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { type: string; origin: string; fields?: Record<string, unknown> };
        remote.createCalls[body.type] = (remote.createCalls[body.type] ?? 0) + 1;
        if (remote.faults.failNextCreate === body.type) {
          remote.faults.failNextCreate = null;
          return send(500, { error: { code: 'INTERNAL', message: 'database is locked' } });
        }
        const object: RemoteObject = { id: String(nextId++), type: body.type, origin: body.origin, fields: body.fields ?? {} };
        remote.objects.push(object);
        if (remote.faults.dropAfterNextCreate === body.type) {
          remote.faults.dropAfterNextCreate = null;
          res.socket?.destroy();
          return;
        }
        return send(201, { id: object.id });
      }
      send(404, { error: { code: 'NOT_FOUND', message: `no route ${req.method} ${url.pathname}` } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(remote, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
