import { afterEach, describe, expect, it } from 'vitest';
import type { ErpEmulator } from '../../../emulators/erp/server.js';
import { admin, ASYSTEM, AXIOM, client, ERPS, type ErrorBody } from './helpers.js';

let emu: ErpEmulator | undefined;
afterEach(async () => {
  await emu?.stop();
  emu = undefined;
});

const cardOrder = (externalId: string) => ({ externalId, templateId: 't-12', quantity: 100, orderParams: { 'Номер заказа': externalId } });

describe.each(ERPS)('$name faults', (erp) => {
  it('error: answers 500 in the envelope and does nothing', async () => {
    emu = await erp.start();
    emu.faults.arm('error', { path: '/orders' });
    const answer = await client(erp, emu).post<ErrorBody>('/orders', cardOrder('7001'));
    expect(answer.status).toBe(500);
    expect(answer.body.error.code).toBe('INTERNAL_ERROR');
    expect(emu.orders.list()).toEqual([]);
    // One-shot: the retry goes through.
    expect((await client(erp, emu).post('/orders', cardOrder('7001'))).status).toBe(201);
  });

  it('drop: the order is made, the client gets no answer; its retry learns the order with 409', async () => {
    emu = await erp.start();
    await admin(emu, 'POST', '/faults/arm', { kind: 'drop', path: '/orders' });
    await expect(client(erp, emu).post('/orders', cardOrder('7002'))).rejects.toThrow();
    expect(emu.orders.byExternalId('7002')).toMatchObject({ number: 'А-00001' });
    const retry = await client(erp, emu).post<ErrorBody>('/orders', cardOrder('7002'));
    expect(retry.status).toBe(409);
    expect(retry.body.order).toMatchObject({ number: 'А-00001', externalId: '7002' });
    expect(emu.received({ path: '/orders' }).map((r) => r.status)).toEqual([null, 409]);
    expect(emu.received({ path: '/orders' })[0]!.fault).toBe('drop');
  });

  it('slow: answers after the delay; a fault aimed at another path leaves this one alone', async () => {
    emu = await erp.start({ faults: { slowRate: 1, slowDelayMs: 400, paths: ['/templates'] } });
    const api = client(erp, emu);
    expect((await api.get('/ping')).status).toBe(200);
    const started = Date.now();
    expect((await api.get('/templates/t-12')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
    expect(emu.received().map((r) => r.fault)).toEqual([undefined, 'slow']);
  });
});

describe('fault probabilities', () => {
  it('take a --faults spec and can be switched off through the admin API', async () => {
    emu = await ASYSTEM.start({ faults: 'error=1,paths=/orders' });
    const api = client(ASYSTEM, emu);
    expect((await api.post('/orders', cardOrder('7100'))).status).toBe(500);
    expect((await api.get('/ping')).status).toBe(200);
    expect((await admin(emu, 'GET', '/faults')).body).toMatchObject({ settings: { errorRate: 1, paths: ['/orders'] } });
    await admin(emu, 'DELETE', '/faults');
    expect((await api.post('/orders', cardOrder('7100'))).status).toBe(201);
  });

  it('refuses an unknown fault kind', async () => {
    emu = await ASYSTEM.start();
    expect((await admin(emu, 'POST', '/faults/arm', { kind: 'explode' })).status).toBe(400);
  });
});

describe('admin: a technologist changes templates', () => {
  it('renames a parameter: the template shows the new name, the old one is refused by name', async () => {
    emu = await AXIOM.start();
    const api = client(AXIOM, emu);
    const renamed = await admin<{ version: number }>(emu, 'POST', '/templates/t-12/rename-param', { from: 'Номер заказа', to: 'Номер заказа на сайте' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.version).toBe(4);
    const template = (await api.get<{ version: number; groups: { params: { name: string }[] }[] }>('/templates/t-12')).body;
    expect(template.version).toBe(4);
    expect(template.groups[0]!.params.map((p) => p.name)).toContain('Номер заказа на сайте');
    const refused = await api.post<ErrorBody>('/templates/t-12/calculate', { quantity: 100, orderParams: { 'Номер заказа': '1' } });
    expect(refused.body.error).toMatchObject({ code: 'PARAM_UNKNOWN', param: 'Номер заказа' });
    expect((await admin(emu, 'POST', '/templates/t-12/rename-param', { from: 'Нет такого', to: 'x' })).status).toBe(404);
  });

  it('deletes a template: it leaves the list and answers 404 TEMPLATE_NOT_FOUND', async () => {
    emu = await ASYSTEM.start();
    const api = client(ASYSTEM, emu);
    expect((await admin(emu, 'DELETE', '/templates/t-21')).status).toBe(200);
    expect((await api.get<{ id: string }[]>('/templates')).body.map((t) => t.id)).not.toContain('t-21');
    expect((await api.get<ErrorBody>('/templates/t-21')).body.error.code).toBe('TEMPLATE_NOT_FOUND');
    expect((await api.post<ErrorBody>('/templates/t-21/calculate', { quantity: 1, orderParams: {} })).status).toBe(404);
  });

  it('changes the price list and bumps the version', async () => {
    emu = await ASYSTEM.start();
    const api = client(ASYSTEM, emu);
    await admin(emu, 'POST', '/templates/t-12/prices', { setup: 0, tiers: [{ from: 50, unit: 2 }] });
    expect((await api.post('/templates/t-12/calculate', { quantity: 100, orderParams: {} })).body).toMatchObject({ price: 210, templateVersion: 4 });
    await admin(emu, 'POST', '/templates/t-12/bump');
    expect((await api.get<{ version: number }>('/templates/t-12')).body.version).toBe(5);
    await admin(emu, 'POST', '/templates/t-12/prices', { prices: null });
    expect((await api.post<ErrorBody>('/templates/t-12/calculate', { quantity: 100, orderParams: {} })).body.error.code).toBe('TEMPLATE_HAS_NO_PRICES');
  });

  it('moves an order along and resets to the seed', async () => {
    emu = await ASYSTEM.start();
    const api = client(ASYSTEM, emu);
    await api.post('/orders', cardOrder('7200'));
    expect((await admin(emu, 'POST', '/orders/ord-1/status', { status: 'ready' })).body).toMatchObject({ status: 'ready' });
    expect((await api.get('/orders/ord-1')).body).toMatchObject({ status: 'ready' });
    expect((await admin(emu, 'POST', '/orders/ord-1/status', { status: 'lost' })).status).toBe(400);
    await admin(emu, 'DELETE', '/templates/t-12');
    await admin(emu, 'POST', '/reset');
    expect((await admin<unknown[]>(emu, 'GET', '/orders')).body).toEqual([]);
    expect((await api.get('/templates/t-12')).status).toBe(200);
  });
});

describe.each(ERPS)('$name: the page of what it received', (erp) => {
  it('shows each request with method, path, body, time and status, and never the key', async () => {
    emu = await erp.start({ apiKey: 'very-secret-key-42' });
    const api = client(erp, emu);
    await api.get('/ping');
    await api.post('/orders', { ...cardOrder('7300'), title: 'ключ very-secret-key-42 в тексте' });
    await fetch(`${emu.baseUrl}/ping`, { headers: { ...erp.headers(emu), 'x-api-key': 'wrong-key-value' } });

    const page = await fetch(emu.adminUrl);
    const text = await page.text();
    expect(page.status).toBe(200);
    expect(text).not.toContain('very-secret-key-42');
    expect(text).not.toContain('wrong-key-value');
    const state = JSON.parse(text) as { system: string; credentials: Record<string, string>; requests: { method: string; path: string; status: number; at: string; body?: Record<string, unknown>; credentials: Record<string, string> }[] };
    expect(state.system).toBe(erp.name);
    expect(state.credentials['x-api-key']).toBe('***');
    expect(state.requests.map((r) => [r.method, r.path, r.status])).toEqual([
      ['GET', `${new URL(emu.baseUrl).pathname}/ping`, 200],
      ['POST', `${new URL(emu.baseUrl).pathname}/orders`, 201],
      ['GET', `${new URL(emu.baseUrl).pathname}/ping`, 401],
    ]);
    expect(Date.parse(state.requests[0]!.at)).not.toBeNaN();
    expect(state.requests[1]!.body).toMatchObject({ externalId: '7300', orderParams: { 'Номер заказа': '7300' }, title: 'ключ *** в тексте' });
    expect(state.requests[1]!.credentials['x-api-key']).toBe('*** (верный)');
    expect(state.requests[2]!.credentials['x-api-key']).toBe('*** (неверный)');
  });
});
