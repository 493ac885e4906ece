import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { multipartBody, phpForm, rawBody, xmlBody } from '../../src/platform/body-parsers.js';
import { basicAuth, secretsEqual, sharedToken } from '../../src/platform/inbound-auth.js';
import { defineIntegration } from '../../src/platform/integration.js';
import { startTestApi } from '../support/api-server.js';
import type { TestApi } from '../support/api-server.js';

const LOGIN = { login: '1c-exchange', password: 'pa:ss wörd' };
const UPLOAD_TOKEN = 'upload-token-9d8c7b6a';

/**
 * The bodies and authentication schemes an integration's inbound routes can take, as the 1C
 * exchange (HTTP Basic, XML and raw files) and a scripted upload (a header token, multipart) need
 * them: each refused without its credentials, each body read as its system sends it, limits and
 * the error shape as everywhere in the API.
 */
const receiver = defineIntegration({
  name: 'receiver',
  title: { ru: 'Приёмник', en: 'Receiver' },
  setup: () => ({
    routes: {
      inbound: [
        {
          prefix: '/1c/exchange',
          auth: basicAuth({ realm: 'printsync 1C', expected: async () => LOGIN }),
          bodies: [xmlBody(), rawBody()],
          register(router) {
            router.get('', { schema: { querystring: z.object({ mode: z.string() }) } }, async (request) => `success\n${request.query.mode}`);
            router.post('/xml', async (request) => ({ parsed: request.body, raw: request.rawXml }));
            router.post('/file', async (request) => ({ bytes: (request.body as Buffer).length }));
          },
        },
        {
          prefix: '/api/receiver/upload',
          auth: sharedToken({ stage: 'request', read: (request) => request.headers['x-upload-token'], expected: async () => UPLOAD_TOKEN }),
          bodies: [multipartBody(), phpForm()],
          register(router) {
            router.post('', async (request) => {
              const body = request.body as Record<string, unknown>;
              return Object.fromEntries(Object.entries(body).map(([key, value]) => [key, Buffer.isBuffer(value) ? `${value.length} bytes` : value]));
            });
          },
        },
      ],
    },
  }),
});

describe('inbound routes of an integration', () => {
  let api: TestApi;
  const basic = (login: string, password: string) => `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}`;

  beforeAll(async () => {
    api = await startTestApi('sqlite', { integrations: [receiver], env: { BODY_LIMIT_BYTES: '65536' } });
  });
  afterAll(async () => api?.close());

  it('HTTP Basic: 401 with a challenge without or with wrong credentials, in the error shape', async () => {
    for (const authorization of [undefined, basic(LOGIN.login, 'wrong'), basic('someone', LOGIN.password), `Bearer ${api.token}`]) {
      const response = await fetch(`${api.baseUrl}/1c/exchange?mode=checkauth`, { headers: authorization ? { authorization } : {} });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Basic realm="printsync 1C", charset="UTF-8"');
      expect(await response.json()).toMatchObject({ code: 'unauthorized', details: [] });
    }
    const ok = await fetch(`${api.baseUrl}/1c/exchange?mode=checkauth`, { headers: { authorization: basic(LOGIN.login, LOGIN.password) } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('success\ncheckauth');
  });

  it('reads XML into an object (and keeps the text); malformed XML is a 400 naming the line', async () => {
    const headers = { authorization: basic(LOGIN.login, LOGIN.password), 'content-type': 'application/xml' };
    const xml = '<?xml version="1.0" encoding="UTF-8"?>\n<КоммерческаяИнформация ВерсияСхемы="2.05"><Документ><Номер>1001</Номер></Документ></КоммерческаяИнформация>';
    const parsed = await fetch(`${api.baseUrl}/1c/exchange/xml`, { method: 'POST', headers, body: xml });
    expect(parsed.status).toBe(200);
    expect(await parsed.json()).toEqual({
      parsed: { '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' }, КоммерческаяИнформация: { '@_ВерсияСхемы': '2.05', Документ: { Номер: '1001' } } },
      raw: xml,
    });
    const broken = await fetch(`${api.baseUrl}/1c/exchange/xml`, { method: 'POST', headers, body: '<a>\n<b></a>' });
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ code: 'validation_failed', details: [{ path: 'body', message: expect.stringMatching(/^not valid XML at line 2/) }] });
  });

  it('takes a file as raw bytes, and answers 413 in the error shape past the body limit', async () => {
    const headers = { authorization: basic(LOGIN.login, LOGIN.password), 'content-type': 'application/octet-stream' };
    const small = await fetch(`${api.baseUrl}/1c/exchange/file`, { method: 'POST', headers, body: Buffer.alloc(1_000, 7) });
    expect(await small.json()).toEqual({ bytes: 1_000 });
    const large = await fetch(`${api.baseUrl}/1c/exchange/file`, { method: 'POST', headers, body: Buffer.alloc(70_000, 7) });
    expect(large.status).toBe(413);
    expect(await large.json()).toMatchObject({ code: 'body_too_large', details: [{ path: 'body', message: 'too large' }] });
  });

  it('a token in a header, checked before the body is read; multipart files arrive as bytes', async () => {
    const form = new FormData();
    form.append('productId', '17');
    form.append('file', new Blob([Buffer.from('Тираж;Цена\n100;590,00\n', 'utf8')], { type: 'text/csv' }), 'визитки.csv');
    const refused = await fetch(`${api.baseUrl}/api/receiver/upload`, { method: 'POST', body: form, headers: { 'x-upload-token': 'nope' } });
    expect(refused.status).toBe(403);
    const uploaded = await fetch(`${api.baseUrl}/api/receiver/upload`, { method: 'POST', body: form, headers: { 'x-upload-token': UPLOAD_TOKEN } });
    expect(uploaded.status).toBe(200);
    expect(await uploaded.json()).toEqual({ productId: '17', file: `${Buffer.byteLength('Тираж;Цена\n100;590,00\n')} bytes` });
  });

  it('reads PHP bracket keys into plain data; prototype keys cannot reach any object', async () => {
    const body = 'data[FIELDS][ID]=5&list[]=a&list[]=b&__proto__[polluted]=1&data[__proto__][x]=2&constructor[prototype][y]=3';
    const response = await fetch(`${api.baseUrl}/api/receiver/upload`, {
      method: 'POST',
      headers: { 'x-upload-token': UPLOAD_TOKEN, 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    expect(response.status).toBe(200);
    const echoed = (await response.json()) as Record<string, unknown>;
    expect(echoed.data).toEqual({ FIELDS: { ID: '5' } });
    expect(echoed.list).toEqual(['a', 'b']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).y).toBeUndefined();
  });

  it('compares secrets in constant time, whatever their lengths', () => {
    expect(secretsEqual('abc', 'abc')).toBe(true);
    expect(secretsEqual('abc', 'abd')).toBe(false);
    expect(secretsEqual('abc', 'abcdef')).toBe(false);
    expect(secretsEqual('', 'x')).toBe(false);
  });
});

describe('inbound route prefixes', () => {
  const withPrefix = (name: string, prefix: string) =>
    defineIntegration({
      name,
      title: { ru: name, en: name },
      setup: () => ({ routes: { inbound: [{ prefix, auth: sharedToken({ read: () => null, expected: async () => null }), register: () => {} }] } }),
    });

  it.each([
    ['/api/v1/hooks', /inside \/api\/v1, which belongs to the core/],
    ['/docs/x', /inside \/docs/],
    ['/Hooks/', /must look like/],
  ])('refuses %s at start-up', async (prefix, message) => {
    await expect(startTestApi('sqlite', { integrations: [withPrefix('one', prefix)] })).rejects.toThrow(message);
  });

  it('refuses two integrations on overlapping prefixes', async () => {
    await expect(startTestApi('sqlite', { integrations: [withPrefix('one', '/api/hooks'), withPrefix('two', '/api/hooks/two')] })).rejects.toThrow(
      'two: inbound prefix "/api/hooks/two" overlaps "/api/hooks" of one',
    );
  });
});
