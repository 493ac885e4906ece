import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBitrix24Emulator, type Bitrix24Emulator } from '../../../emulators/bitrix24/server.js';
import { call, reply, result } from './helpers.js';

let emu: Bitrix24Emulator;

beforeAll(async () => {
  emu = await startBitrix24Emulator({ rate: false });
});
afterAll(() => emu.stop());

describe('routing', () => {
  it('accepts the .json suffix, a trailing slash and any letter case in the method name', async () => {
    const id = await result<number>(emu, 'crm.deal.add', { fields: { TITLE: 'Routing' } });
    for (const path of [`crm.deal.get.json`, `crm.deal.get/`, `CRM.Deal.Get`, `crm.deal.get`]) {
      const response = await fetch(`${emu.webhookUrl}${path}?id=${id}`);
      const { status, body } = await reply(response);
      expect(status, path).toBe(200);
      expect((body.result as Record<string, unknown>).TITLE).toBe('Routing');
    }
  });

  it('ignores unknown query parameters such as the SDK bx24_* ones', async () => {
    const response = await fetch(`${emu.webhookUrl}user.current?bx24_request_id=abc&bx24_sdk_ver=2.2.0&bx24_sdk_type=b24-js-sdk`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { result: { ID: string } }).result.ID).toBe('1');
  });

  it('answers an unknown method with 404 ERROR_METHOD_NOT_FOUND', async () => {
    const { status, body } = await call(emu, 'crm.deal.explode');
    expect(status).toBe(404);
    expect(body).toEqual({ error: 'ERROR_METHOD_NOT_FOUND', error_description: 'Method not found!' });
  });
});

describe('parameters', () => {
  it('reads PHP bracket notation from the query string', async () => {
    const query = 'fields[TITLE]=Q%26A&fields[PHONE][0][VALUE]=%2B79001234567&fields[PHONE][0][VALUE_TYPE]=MOBILE';
    const response = await fetch(`${emu.webhookUrl}crm.contact.add?${query}`);
    const id = ((await response.json()) as { result: number }).result;
    const contact = await result<Record<string, unknown>>(emu, 'crm.contact.get', { id });
    expect(contact.PHONE).toEqual([{ ID: expect.any(String), VALUE_TYPE: 'MOBILE', VALUE: '+79001234567', TYPE_ID: 'PHONE' }]);
  });

  it('reads a form-encoded body with bracket keys, percent-encoded brackets included', async () => {
    const response = await fetch(`${emu.webhookUrl}crm.deal.add`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'fields%5BTITLE%5D=Form+deal&fields%5BOPPORTUNITY%5D=12.5',
    });
    const id = ((await response.json()) as { result: number }).result;
    const deal = await result<Record<string, unknown>>(emu, 'crm.deal.get', { id });
    expect(deal).toMatchObject({ TITLE: 'Form deal', OPPORTUNITY: '12.50' });
  });

  it('reads a multipart body', async () => {
    const form = new FormData();
    form.append('fields[TITLE]', 'Multipart deal');
    form.append('fields[CURRENCY_ID]', 'EUR');
    const response = await fetch(`${emu.webhookUrl}crm.deal.add`, { method: 'POST', body: form });
    const id = ((await response.json()) as { result: number }).result;
    expect(await result(emu, 'crm.deal.get', { id })).toMatchObject({ TITLE: 'Multipart deal', CURRENCY_ID: 'EUR' });
  });

  it('merges query and body, the body winning', async () => {
    const id = await result<number>(emu, 'crm.deal.add', { fields: { TITLE: 'Body wins' } });
    const response = await fetch(`${emu.webhookUrl}crm.deal.get?id=999999`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id }),
    });
    expect(((await response.json()) as { result: { TITLE: string } }).result.TITLE).toBe('Body wins');
  });

  it('treats invalid JSON as no parameters at all', async () => {
    const response = await fetch(`${emu.webhookUrl}crm.deal.get`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"id": 1,' });
    const { status, body } = await reply(response);
    expect(status).toBe(400);
    expect(body).toEqual({ error: '', error_description: 'ID is not defined or invalid.' });
  });

  it('resolves id and fields case-insensitively in the old crm.* methods', async () => {
    const id = await result<number>(emu, 'crm.deal.add', { FIELDS: { TITLE: 'Upper' } });
    expect(await result(emu, 'crm.deal.get', { ID: id })).toMatchObject({ TITLE: 'Upper' });
  });
});

describe('auth', () => {
  it('refuses a wrong webhook code with INVALID_CREDENTIALS (401 by default)', async () => {
    const wrong = emu.webhookUrl.replace(/\/rest\/1\/[^/]+\//, '/rest/1/wrongcode/');
    const { status, body } = await call(wrong, 'user.current');
    expect(status).toBe(401);
    expect(body).toEqual({ error: 'INVALID_CREDENTIALS', error_description: 'Invalid request credentials' });
  });

  it('refuses a wrong user id for a right code', async () => {
    const wrong = emu.webhookUrl.replace('/rest/1/', '/rest/2/');
    expect((await call(wrong, 'user.current')).body.error).toBe('INVALID_CREDENTIALS');
  });

  it('can answer auth errors with 403 instead', async () => {
    const strict = await startBitrix24Emulator({ authErrorStatus: 403 });
    try {
      const { status } = await call(strict.webhookUrl.replace(/\/rest\/1\/[^/]+\//, '/rest/1/nope/'), 'user.current');
      expect(status).toBe(403);
    } finally {
      await strict.stop();
    }
  });

  it('refuses a method outside the webhook scopes with insufficient_scope', async () => {
    const userOnly = emu.addWebhook({ scopes: ['user'] });
    expect((await call(userOnly, 'user.current')).status).toBe(200);
    const { status, body } = await call(userOnly, 'crm.deal.list');
    expect(status).toBe(401);
    expect(body.error).toBe('insufficient_scope');
  });

  it('answers a call without webhook credentials with NO_AUTH_FOUND', async () => {
    const { status, body } = await call(`${emu.url}/rest/`, 'crm.deal.list');
    expect(status).toBe(401);
    expect(body.error).toBe('NO_AUTH_FOUND');
  });

  it('refuses application-only methods to a webhook with 403 WRONG_AUTH_TYPE, in a batch too', async () => {
    const denied = { error: 'WRONG_AUTH_TYPE', error_description: 'Current authorization type is denied for this method' };
    for (const method of ['event.bind', 'event.unbind', 'placement.bind', 'telephony.externalCall.register', 'telephony.externalCall.finish']) {
      const reply = await call(emu, method, { event: 'ONCRMDEALUPDATE', handler: 'https://shop.example/hook' });
      expect(reply, method).toMatchObject({ status: 403, body: denied });
    }
    const batch = await result<{ result_error: Record<string, unknown> }>(emu, 'batch', { cmd: { bind: 'event.bind?event=ONCRMDEALADD&handler=https://shop.example/hook' } });
    expect(batch.result_error).toEqual({ bind: denied });
  });

  it('reports the webhook scopes through `scope`', async () => {
    expect(await result(emu, 'scope')).toEqual(['crm', 'user', 'telephony']);
  });
});
