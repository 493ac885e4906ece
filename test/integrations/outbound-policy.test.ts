import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import type { AddressInfo, LookupFunction } from 'node:net';
import { Agent, buildConnector, getGlobalDispatcher, setGlobalDispatcher } from 'undici';
import type { Dispatcher } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { appIntegrations } from '../../src/extensions.js';
import { asystemClient } from '../../src/integrations/asystem/transport.js';
import { Bitrix24Transport } from '../../src/integrations/bitrix24/transport/client.js';
import { httpCall, NetworkError } from '../../src/integrations/common/http.js';
import { addressKind, parseOutboundPolicy, refusalFor, setOutboundPolicy } from '../../src/platform/outbound-policy.js';
import type { OutboundPolicy, Resolve } from '../../src/platform/outbound-policy.js';
import { startTestApi } from '../support/api-server.js';
import { closedPort } from '../support/ports.js';
import type { TestApi } from '../support/api-server.js';

/*
 * No test here may send a packet beyond loopback. Names are resolved by a stub, never by DNS;
 * addresses outside loopback are only ever refused, or judged by `refusalFor` without a
 * connection. Two safety nets make a broken policy fail a test instead of reaching the network:
 * the dispatcher the tests install opens sockets only to loopback, and so does the global one
 * (what a `fetch` that bypassed the policy would use).
 */

const LOOPBACK = new Set(['127.0.0.1', '::1']);

class SafetyNet extends Error {
  constructor(address: string) {
    super(`test safety net: a connection to ${address} was about to be made`);
  }
}

/** Opens sockets to loopback only, resolving names with the policy's lookup. */
function loopbackOnly(lookup: LookupFunction): buildConnector.connector {
  const netted: LookupFunction = (hostname, options, callback) =>
    lookup(hostname, options, (error, address, family) => {
      const addresses = Array.isArray(address) ? address.map((a) => a.address) : [address];
      const outside = addresses.find((a) => !LOOPBACK.has(a));
      if (!error && outside) callback(new SafetyNet(outside), '', 0);
      else callback(error, address, family);
    });
  const base = buildConnector({ lookup: netted });
  return (options, callback) => {
    if (isIP(options.hostname) && !LOOPBACK.has(options.hostname)) callback(new SafetyNet(options.hostname), null);
    else base(options, callback);
  };
}

/** A stub DNS: names of this test only, recording every question. */
function stubDns(records: Record<string, string[]>): Resolve & { asked: string[] } {
  const asked: string[] = [];
  const resolve = async (hostname: string): Promise<LookupAddress[]> => {
    asked.push(hostname);
    const addresses = records[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: isIP(address) }));
  };
  return Object.assign(resolve, { asked });
}

const DNS = stubDns({
  'erp.lan': ['127.0.0.1'],
  'other.lan': ['127.0.0.1'],
  'erp.shop.test': ['192.168.10.20'],
  'metadata.test': ['169.254.169.254'],
  // One internal address among public ones: refused, not guessed around.
  'mixed.test': ['93.184.216.34', '10.0.0.5'],
});

function usePolicy(value: string): OutboundPolicy {
  const policy = parseOutboundPolicy(value);
  setOutboundPolicy(policy, { resolve: DNS, connector: loopbackOnly });
  return policy;
}

/** What `httpCall` ends with: the answer's status, or the network failure. */
async function outcome(url: string): Promise<{ status: number } | { reason: string; message: string }> {
  try {
    return { status: (await httpCall(url, { method: 'GET' }, { timeoutMs: 3_000 })).status };
  } catch (error) {
    if (!(error instanceof NetworkError)) throw error;
    return { reason: error.reason, message: error.message };
  }
}

/** A server on 127.0.0.1 counting the connections made to it. */
async function startCountingServer(handler?: Parameters<typeof createServer>[1]): Promise<{ port: number; server: Server; connections: () => number; requests: string[] }> {
  let connections = 0;
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    if (handler) return handler(req, res);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, server, connections: () => connections, requests };
}

function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

let globalBefore: Dispatcher;
beforeAll(() => {
  globalBefore = getGlobalDispatcher();
  setGlobalDispatcher(new Agent({ connect: loopbackOnly((hostname, _options, callback) => callback(new SafetyNet(hostname), '', 0)) }));
});
afterAll(() => setGlobalDispatcher(globalBefore));

describe('ALLOW_PRIVATE_NETWORKS in the configuration', () => {
  it('is off by default, `1` for all internal addresses, or a list of hosts and networks', () => {
    expect(loadConfig({}).allowPrivateNetworks).toEqual({ internal: false, networks: [], hosts: [] });
    expect(loadConfig({ ALLOW_PRIVATE_NETWORKS: '0' }).allowPrivateNetworks.internal).toBe(false);
    expect(loadConfig({ ALLOW_PRIVATE_NETWORKS: '1' }).allowPrivateNetworks.internal).toBe(true);
    const list = loadConfig({ ALLOW_PRIVATE_NETWORKS: ' 10.0.0.0/8, ERP.lan. ,fd00::/8,127.1 ' }).allowPrivateNetworks;
    expect(list.internal).toBe(false);
    expect(list.hosts).toEqual(['erp.lan']);
    expect(list.networks.map((n) => [n.text, n.bits])).toEqual([
      ['10.0.0.0/8', 8],
      ['fd00::/8', 8],
      ['127.1', 32],
    ]);
  });

  it.each(['erp.lan:8080', 'http://erp.lan', '10.0.0.0/33', '10.0.0/8', 'user@erp.lan'])('refuses %s, naming the variable', (value) => {
    expect(() => loadConfig({ ALLOW_PRIVATE_NETWORKS: value })).toThrow(
      `invalid configuration: ALLOW_PRIVATE_NETWORKS: "${value}" is not a host, an address or a network (CIDR)`,
    );
  });
});

describe('which addresses are internal (judged without connecting)', () => {
  const none = parseOutboundPolicy('');
  const all = parseOutboundPolicy('1');
  const allowed = (policy: OutboundPolicy, address: string, hostname = address) => refusalFor(policy, address, hostname) === null;

  it.each([
    ['10.0.0.5', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.1.1', 'shared'],
    ['127.0.0.1', 'loopback'],
    ['0.0.0.0', 'this-host'],
    ['169.254.169.254', 'link-local'],
    ['::1', 'loopback'],
    ['::', 'this-host'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['fe80::1', 'link-local'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['64:ff9b::a00:5', 'private'],
    ['2002:c0a8:101::1', 'private'],
    ['100.100.100.200', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['224.0.0.1', 'reserved'],
    ['8.8.8.8', null],
    ['93.184.216.34', null],
    ['2001:4860:4860::8888', null],
  ])('%s is %s', (address, kind) => {
    expect(addressKind(address)).toBe(kind);
    expect(allowed(none, address)).toBe(kind === null);
  });

  it('`1` opens private and loopback addresses, but not link-local or cloud metadata', () => {
    for (const address of ['10.0.0.5', '192.168.1.1', '127.0.0.1', '::1', '100.64.1.1', 'fc00::1']) expect(allowed(all, address), address).toBe(true);
    for (const address of ['169.254.169.254', 'fe80::1', '100.100.100.200', 'fd00:ec2::254']) expect(allowed(all, address), address).toBe(false);
  });

  it('a metadata address is opened by listing it (alone, or next to `1`)', () => {
    expect(allowed(parseOutboundPolicy('169.254.169.254'), '169.254.169.254')).toBe(true);
    expect(allowed(parseOutboundPolicy('1,169.254.169.254'), '169.254.169.254')).toBe(true);
    expect(allowed(parseOutboundPolicy('169.254.169.254'), '10.0.0.5')).toBe(false);
  });

  it('a list opens its networks and its host names, and nothing else', () => {
    const list = parseOutboundPolicy('10.0.0.0/8,erp.lan');
    expect(allowed(list, '10.0.0.5')).toBe(true);
    expect(allowed(list, '::ffff:10.0.0.5')).toBe(true);
    expect(allowed(list, '192.168.1.1')).toBe(false);
    expect(allowed(list, '192.168.1.1', 'erp.lan')).toBe(true);
    expect(allowed(list, '192.168.1.1', 'ERP.LAN.')).toBe(true);
    expect(allowed(list, '192.168.1.1', 'other.lan')).toBe(false);
    expect(allowed(list, '127.0.0.1')).toBe(false);
  });

  it("Node's URL parser already writes numeric hosts as dotted addresses, which is what gets judged", () => {
    for (const host of ['2130706433', '0x7f.1', '127.1', '017700000001', '0x7f000001']) expect(new URL(`http://${host}/`).hostname).toBe('127.0.0.1');
    expect(new URL('http://[::ffff:127.0.0.1]/').hostname).toBe('[::ffff:7f00:1]');
    expect(new URL('http://0/').hostname).toBe('0.0.0.0');
  });
});

describe('httpCall refuses internal addresses before connecting', () => {
  let local: Awaited<ReturnType<typeof startCountingServer>>;
  beforeAll(async () => {
    local = await startCountingServer();
  });
  afterAll(() => stop(local.server));
  beforeEach(() => {
    DNS.asked.length = 0;
  });
  afterEach(() => {
    usePolicy('');
  });

  it('by default: 10.0.0.5 and 192.168.1.1, saying why and what allows them', async () => {
    usePolicy('');
    for (const address of ['10.0.0.5', '192.168.1.1']) {
      expect(await outcome(`http://${address}/api/v1/ping`)).toEqual({
        reason: 'forbidden',
        message:
          `${address} — внутренний адрес (частная сеть): printsync не обращается к внутренним адресам, пока их не разрешит переменная ` +
          'окружения ALLOW_PRIVATE_NETWORKS (1 — все внутренние адреса, или список адресов и сетей через запятую, например ' +
          'ALLOW_PRIVATE_NETWORKS=192.168.1.10,10.0.0.0/8); задайте её и перезапустите printsync',
      });
    }
  });

  it('169.254.169.254 even with ALLOW_PRIVATE_NETWORKS=1, by address or by a name resolving to it', async () => {
    usePolicy('1');
    const direct = await outcome('http://169.254.169.254/latest/meta-data/');
    expect(direct).toMatchObject({ reason: 'forbidden', message: expect.stringContaining('169.254.169.254 — внутренний адрес (link-local') });
    expect(direct).toMatchObject({ message: expect.stringContaining('значение 1 их не открывает') });
    expect(await outcome('http://metadata.test/computeMetadata/v1/')).toMatchObject({
      reason: 'forbidden',
      message: expect.stringContaining('metadata.test указывает на внутренний адрес 169.254.169.254'),
    });
  });

  it('a name that resolves to a private address, or to one among public ones', async () => {
    usePolicy('');
    expect(await outcome('https://erp.shop.test:3000/api/v1/ping')).toMatchObject({
      reason: 'forbidden',
      message: expect.stringMatching(/^erp\.shop\.test указывает на внутренний адрес 192\.168\.10\.20 \(частная сеть\): .*ALLOW_PRIVATE_NETWORKS/),
    });
    expect(await outcome('http://mixed.test/')).toMatchObject({ reason: 'forbidden', message: expect.stringContaining('внутренний адрес 10.0.0.5') });
    expect(DNS.asked).toEqual(['erp.shop.test', 'mixed.test']);
  });

  it('a name that does not resolve is still «не найден»', async () => {
    usePolicy('');
    expect(await outcome('http://nowhere.test/')).toMatchObject({ reason: 'dns', message: 'адрес nowhere.test не найден: проверьте, нет ли в нём опечатки' });
  });

  it('loopback by default: 127.0.0.1, 2130706433 and ::1 — with the same message for an open and a closed port', async () => {
    usePolicy('');
    const closed = await closedPort();
    const open = await outcome(`http://127.0.0.1:${local.port}/`);
    expect(open).toMatchObject({ reason: 'forbidden', message: expect.stringContaining('127.0.0.1 — внутренний адрес (этот же компьютер, loopback)') });
    expect(await outcome(`http://127.0.0.1:${closed}/`)).toEqual(open);
    expect(await outcome(`http://2130706433:${local.port}/`)).toEqual(open);
    expect(await outcome(`http://0x7f.1:${closed}/`)).toEqual(open);
    expect(await outcome(`http://[::1]:${local.port}/`)).toMatchObject({ reason: 'forbidden', message: expect.stringContaining('[::1] — внутренний адрес') });
    expect(local.connections()).toBe(0);
  });

  it('loopback with ALLOW_PRIVATE_NETWORKS=1: the call goes through, numeric forms too', async () => {
    usePolicy('1');
    expect(await outcome(`http://127.0.0.1:${local.port}/one`)).toEqual({ status: 200 });
    expect(await outcome(`http://2130706433:${local.port}/two`)).toEqual({ status: 200 });
    expect(local.requests).toEqual(expect.arrayContaining(['GET /one', 'GET /two']));
  });

  it('loopback with a list of a network and a host: the listed host passes, other names and addresses do not', async () => {
    usePolicy('10.0.0.0/8,erp.lan');
    expect(await outcome(`http://erp.lan:${local.port}/listed`)).toEqual({ status: 200 });
    expect(await outcome(`http://other.lan:${local.port}/unlisted`)).toMatchObject({ reason: 'forbidden', message: expect.stringContaining('other.lan указывает на внутренний адрес 127.0.0.1') });
    expect(await outcome(`http://127.0.0.1:${local.port}/unlisted`)).toMatchObject({ reason: 'forbidden' });
    usePolicy('127.0.0.0/8');
    expect(await outcome(`http://127.0.0.1:${local.port}/network`)).toEqual({ status: 200 });
    expect(local.requests.filter((r) => r.startsWith('GET /listed') || r.startsWith('GET /network'))).toEqual(['GET /listed', 'GET /network']);
    expect(local.requests.some((r) => r.includes('unlisted'))).toBe(false);
  });

  it('loopback redirects are answers, never followed', async () => {
    usePolicy('1');
    const target = await startCountingServer();
    const redirecting = await startCountingServer((_req, res) => {
      res.writeHead(302, { location: `http://127.0.0.1:${target.port}/latest/meta-data/` });
      res.end();
    });
    try {
      expect(await outcome(`http://127.0.0.1:${redirecting.port}/`)).toEqual({ status: 302 });
      expect(target.connections()).toBe(0);
    } finally {
      await stop(redirecting.server);
      await stop(target.server);
    }
  });
});

describe('the settings forms put the refusal on their address field (the app without ALLOW_PRIVATE_NETWORKS)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi('sqlite', { integrations: appIntegrations(), env: { ALLOW_PRIVATE_NETWORKS: '' } });
    // The policy the app configured, with the test's stub DNS and loopback-only sockets.
    setOutboundPolicy(api.services.config.allowPrivateNetworks, { resolve: DNS, connector: loopbackOnly });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('refuses to save or test a Bitrix24 portal on a private address: 400 on «URL портала»', async () => {
    const settings = { portalUrl: 'http://10.0.0.5', userId: 1, webhookCode: 'k3y9secretcode77' };
    const saved = await api.request<{ details: Array<{ path: string; message: string }> }>('PUT', '/api/v1/integrations/bitrix24/settings', {
      version: 0,
      enabled: true,
      settings,
    });
    expect(saved.status).toBe(400);
    expect(saved.body.details).toEqual([
      { path: 'body.settings.portalUrl', message: expect.stringMatching(/^Портал Битрикс24 недоступен: 10\.0\.0\.5 — внутренний адрес .*ALLOW_PRIVATE_NETWORKS/) },
    ]);
    const tested = await api.request<{ ok: boolean; message: string }>('POST', '/api/v1/integrations/bitrix24/test-connection', { settings });
    expect(tested.body).toEqual({ ok: false, message: expect.stringContaining('10.0.0.5 — внутренний адрес') });
  });

  it('ASystem and Axiom: on «Api Host» and «Api URL»', async () => {
    const asystem = await api.request<{ details: Array<{ path: string; message: string }> }>('PUT', '/api/v1/integrations/asystem/settings', {
      version: 0,
      enabled: true,
      settings: { apiHost: '192.168.1.1', apiKey: 'as-key-0123456789abcdef' },
    });
    expect(asystem.body.details).toEqual([
      { path: 'body.settings.apiHost', message: expect.stringMatching(/^Сервер ASystem недоступен: 192\.168\.1\.1 — внутренний адрес \(частная сеть\)/) },
    ]);
    const axiom = await api.request<{ details: Array<{ path: string; message: string }> }>('PUT', '/api/v1/integrations/axiom/settings', {
      version: 0,
      enabled: true,
      settings: { apiDomain: 'print-shop', apiKey: 'ax-key-fedcba9876543210', apiUrl: 'https://erp.shop.test', apiVersion: 'v1' },
    });
    expect(axiom.body.details).toEqual([
      { path: 'body.settings.apiUrl', message: expect.stringContaining('erp.shop.test указывает на внутренний адрес 192.168.10.20') },
    ]);
  });

  it('a refused address is a settings problem: the integration parks instead of retrying', async () => {
    const portal = await new Bitrix24Transport({ portalUrl: 'http://10.0.0.5', userId: 1, webhookCode: 'k3y9secretcode77' }).call('scope').catch((e: unknown) => e);
    expect(portal).toMatchObject({ kind: 'not-bitrix', failure: 'misconfigured', retryable: false, parks: true });
    const erp = await asystemClient({ apiHost: 'http://192.168.1.1:3000', apiKey: 'as-key-0123456789abcdef' }).get('/ping').catch((e: unknown) => e);
    expect(erp).toMatchObject({ kind: 'not-erp', failure: 'misconfigured', retryable: false, parks: true });
  });
});
