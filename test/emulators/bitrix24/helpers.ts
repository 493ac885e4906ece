import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import qs from 'qs';
import type { Bitrix24Emulator } from '../../../emulators/bitrix24/server.js';

export interface RestReply {
  status: number;
  body: Record<string, unknown>;
  text: string;
}

/** Calls a REST method the way most clients do: POST with a JSON body. */
export async function call(emulator: Bitrix24Emulator | string, method: string, params: unknown = {}): Promise<RestReply> {
  const base = typeof emulator === 'string' ? emulator : emulator.webhookUrl;
  const response = await fetch(`${base}${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(params),
  });
  return reply(response);
}

export async function reply(response: Response): Promise<RestReply> {
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) as Record<string, unknown>, text };
}

/** Calls and insists on success, returning `result`. */
export async function result<T = unknown>(emulator: Bitrix24Emulator | string, method: string, params: unknown = {}): Promise<T> {
  const { status, body, text } = await call(emulator, method, params);
  if (status !== 200 || 'error' in body) throw new Error(`${method} failed: ${status} ${text}`);
  return body.result as T;
}

export async function admin<T = unknown>(emulator: Bitrix24Emulator, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${emulator.url}/admin/api${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const payload = (await response.json()) as T;
  if (!response.ok) throw new Error(`admin ${method} ${path}: ${response.status} ${JSON.stringify(payload)}`);
  return payload;
}

export interface ReceivedEvent {
  raw: string;
  headers: IncomingMessage['headers'];
  body: {
    event: string;
    event_handler_id: string;
    data: { FIELDS: Record<string, string> };
    ts: string;
    auth: Record<string, string>;
  };
}

/** A stand-in for printsync's events endpoint: records every POST, parsed as PHP form data. */
export async function startEventSink(status = 200): Promise<{ url: string; received: ReceivedEvent[]; close: () => Promise<void> }> {
  const received: ReceivedEvent[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      received.push({ raw, headers: req.headers, body: qs.parse(raw) as unknown as ReceivedEvent['body'] });
      res.writeHead(status);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/bitrix/events`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
