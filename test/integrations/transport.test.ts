import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asystemSettingsSchema } from '../../src/integrations/asystem/settings.js';
import { Bitrix24Error, Bitrix24Transport } from '../../src/integrations/bitrix24/transport/client.js';
import { parseOutboundPolicy, setOutboundPolicy } from '../../src/platform/outbound-policy.js';

const CODE = 'k3y9secretcode77';

/** What a portal address can answer instead of Bitrix24 REST, by path. */
async function startOddServer(): Promise<{ url: string; server: Server }> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith('/slow/')) return; // never answers
    if (req.url?.startsWith('/moved/')) {
      res.writeHead(301, { location: `https://new-portal.bitrix24.ru${req.url}` });
      return res.end();
    }
    if (req.url?.startsWith('/html/')) {
      res.writeHead(200, { 'content-type': 'text/html' });
      return res.end(`<html>Not a portal: ${req.url}</html>`);
    }
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: '', error_description: `Not found (${req.url})` }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('Bitrix24 transport: failures are typed and never carry the webhook code', () => {
  let odd: { url: string; server: Server };
  beforeAll(async () => {
    // No app here to set the policy from its configuration, and the odd server is on loopback.
    setOutboundPolicy(parseOutboundPolicy('1'));
    odd = await startOddServer();
  });
  afterAll(() => {
    odd.server.closeAllConnections();
    return new Promise<void>((resolve) => odd.server.close(() => resolve()));
  });

  const failure = async (prefix: string, timeoutMs?: number): Promise<Bitrix24Error> => {
    const transport = new Bitrix24Transport({ portalUrl: `${odd.url}${prefix}`, userId: 1, webhookCode: CODE }, { timeoutMs });
    const error = await transport.call('scope').then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Bitrix24Error);
    expect((error as Error).message).not.toContain(CODE);
    return error as Bitrix24Error;
  };

  it('a portal that does not answer in time', async () => {
    const error = await failure('/slow', 300);
    expect(error).toMatchObject({ kind: 'unreachable', retryable: true });
    expect(error.message).toBe(`портал Битрикс24 недоступен: ${odd.url} не ответил за 0,3 с`);
  });

  it('a call its caller gave up on says so in Russian, whatever reason the caller aborted with', async () => {
    const transport = new Bitrix24Transport({ portalUrl: `${odd.url}/slow`, userId: 1, webhookCode: CODE });
    const controller = new AbortController();
    // A job's signal is aborted with an Error (worker stopping, lease lost), not an AbortError.
    setTimeout(() => controller.abort(new Error('worker stopping')), 50);
    const error = await transport.call('scope', {}, { signal: controller.signal }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ kind: 'unreachable' });
    expect((error as Error).message).toBe(`портал Битрикс24 недоступен: запрос к ${odd.url} прерван, ответа не дождались`);
  });

  it('a redirect names where the portal moved', async () => {
    const error = await failure('/moved');
    expect(error).toMatchObject({ kind: 'not-bitrix', status: 301 });
    expect(error.message).toContain('переадресует на https://new-portal.bitrix24.ru');
  });

  it('a web page is not Bitrix24 REST', async () => {
    expect(await failure('/html')).toMatchObject({ kind: 'not-bitrix', status: 200 });
  });

  it('an empty error code is still an error (old crm.* methods), its description cleaned of the code', async () => {
    const error = await failure('');
    expect(error).toMatchObject({ kind: 'call', code: '', status: 400, retryable: false });
    expect(error.message).toContain('Not found (/rest/1/***/scope.json)');
  });
});

describe('ASystem «Api Host»', () => {
  it.each([
    ['10.0.0.1', 'https://10.0.0.1:3000'],
    [' https://erp.example.ru/ ', 'https://erp.example.ru:3000'],
    ['https://erp.example.ru:443', 'https://erp.example.ru:443'],
    ['http://[::1]', 'http://[::1]:3000'],
    ['https://erp.example.ru:3001/api-gw/', 'https://erp.example.ru:3001/api-gw'],
  ])('%s → %s (port 3000 only when none was typed)', (typed, stored) => {
    expect(asystemSettingsSchema.parse({ apiHost: typed, apiKey: 'k' }).apiHost).toBe(stored);
  });

  it('refuses what is not an http(s) address, in Russian', () => {
    const result = asystemSettingsSchema.safeParse({ apiHost: 'ftp://erp', apiKey: '' });
    expect(result.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['apiHost', 'Введите адрес вида https://192.168.1.10:3000'],
      ['apiKey', 'Заполните поле'],
    ]);
  });
});
