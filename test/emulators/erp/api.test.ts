import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AxiomEmulator } from '../../../emulators/axiom/server.js';
import type { ErpEmulator } from '../../../emulators/erp/server.js';
import { isValidInn } from '../../../src/domain/clients.js';
import { ASYSTEM, AXIOM, call, client, ERPS, type ErrorBody } from './helpers.js';

const INFO_NAMES = ['Файлы заказа', 'Комментарий', 'Статус оплаты', 'Округленная стоимость', 'Номер заказа', 'Получатель заказа', 'Способ доставки', 'Адрес доставки', 'Дата выдачи'];

interface WireParam {
  id: string;
  name: string;
  type: string;
  required?: boolean;
  affectsPrice?: boolean;
  options?: { value: string; label: string }[];
  pricing?: unknown;
}

describe.each(ERPS)('$name API', (erp) => {
  let emu: ErpEmulator;
  beforeAll(async () => {
    emu = await erp.start({ apiKey: 'test-key-0001' });
  });
  afterAll(() => emu.stop());

  it('refuses a missing or wrong key with 401 UNAUTHORIZED in the envelope', async () => {
    const none = await call<ErrorBody>(emu, {}, 'GET', '/ping');
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('UNAUTHORIZED');
    const wrong = await call<ErrorBody>(emu, { ...erp.headers(emu), 'x-api-key': 'test-key-0002' }, 'GET', '/templates');
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('UNAUTHORIZED');
    expect(wrong.body.error.message).toMatch(/ключ/);
  });

  it('answers ping, identity, managers and counterparties', async () => {
    const api = client(erp, emu);
    expect(await api.get('/ping')).toMatchObject({ status: 200, body: { ok: true, version: expect.any(String) } });
    expect((await api.get('/integration/identity')).body).toEqual({ managerId: '17', counterpartyId: '2045' });
    const managers = (await api.get<{ id: string; name: string }[]>('/managers')).body;
    expect(managers.map((m) => m.id)).toContain('17');
    const all = (await api.get<{ id: string; name: string; inn: string }[]>('/counterparties?search=')).body;
    expect(all.length).toBeGreaterThanOrEqual(3);
    for (const counterparty of all) expect(isValidInn(counterparty.inn), counterparty.inn).toBe(true);
    expect((await api.get<{ id: string }[]>(`/counterparties?search=${encodeURIComponent('ромашка')}`)).body.map((c) => c.id)).toEqual(['2051']);
    expect((await api.get<{ id: string }[]>('/counterparties?search=7707083893')).body.map((c) => c.id)).toEqual(['2045']);
  });

  it('lists the print shop templates with their versions', async () => {
    const list = (await client(erp, emu).get<{ id: string; name: string; version: number; updatedAt: string }[]>('/templates')).body;
    expect(list.map((t) => t.name)).toEqual(['Визитная карточка', 'Евролистовка (флаер) 4+0', 'Баннер', 'Буклет', 'Блокнот с твердой обложкой']);
    for (const t of list) {
      expect(t.version).toBeGreaterThan(0);
      expect(Date.parse(t.updatedAt)).not.toBeNaN();
    }
  });

  it('answers an unknown template with 404 TEMPLATE_NOT_FOUND in the envelope, an unknown order with ORDER_NOT_FOUND', async () => {
    const api = client(erp, emu);
    expect(await api.get('/templates/t-999')).toMatchObject({ status: 404, body: { error: { code: 'TEMPLATE_NOT_FOUND' } } });
    expect(await api.get('/orders/ord-999')).toMatchObject({ status: 404, body: { error: { code: 'ORDER_NOT_FOUND' } } });
  });

  it('answers a path that is not a call with a bare 404 (no envelope)', async () => {
    const answer = await client(erp, emu).get('/no-such-call');
    expect(answer.status).toBe(404);
    expect(answer.contentType).not.toContain('json');
  });

  it('refuses a body that is not JSON with 400', async () => {
    const response = await fetch(`${emu.baseUrl}/orders`, { method: 'POST', headers: { ...erp.headers(emu), 'content-type': 'application/json' }, body: '{oops' });
    expect(response.status).toBe(400);
    expect(((await response.json()) as ErrorBody).error.code).toBe('BAD_REQUEST');
  });
});

describe('ASystem template shape', () => {
  let emu: ErpEmulator;
  beforeAll(async () => {
    emu = await ASYSTEM.start();
  });
  afterAll(() => emu.stop());

  it('has order parameters, details and operations; the price rules stay inside', async () => {
    const card = (await client(ASYSTEM, emu).get<{ orderParams: WireParam[]; details: { name: string; params: WireParam[] }[]; operations: { name: string; params: WireParam[] }[]; quantity: { presets: number[] }; version: number }>('/templates/t-12')).body;
    expect(card).toMatchObject({ id: 't-12', name: 'Визитная карточка', version: 3, quantity: { min: 50, max: 10_000, step: 50, presets: [100, 200, 500, 1000, 2000] } });
    expect(card).not.toHaveProperty('groups');
    const paper = card.orderParams.find((p) => p.name === 'Бумага')!;
    expect(paper).toMatchObject({ type: 'select', required: true, affectsPrice: true, default: 'coated-300' });
    expect(paper.options!.map((o) => o.value)).toEqual(['coated-300', 'coated-350', 'designer-300']);
    expect(JSON.stringify(card)).not.toContain('pricing');
    expect(card.details.map((d) => d.name)).toEqual(['Визитка']);
    expect(card.operations[0]).toMatchObject({ name: 'Упаковка', params: [{ name: 'Изделий в упаковке', type: 'integer', default: 100 }] });
    const info = card.orderParams.filter((p) => p.affectsPrice === false);
    expect(info.map((p) => p.name)).toEqual(INFO_NAMES);
    for (const p of info) expect(p.required).toBeUndefined();
  });

  it('names one info parameter its own way on the flyer template, and leaves one out of the booklet', async () => {
    const api = client(ASYSTEM, emu);
    const flyer = (await api.get<{ orderParams: WireParam[] }>('/templates/t-15')).body;
    const names = flyer.orderParams.filter((p) => p.affectsPrice === false).map((p) => p.name);
    expect(names).toContain('Номер заказа сайта');
    expect(names).not.toContain('Номер заказа');
    const booklet = (await api.get<{ orderParams: WireParam[] }>('/templates/t-30')).body;
    expect(booklet.orderParams.map((p) => p.name)).not.toContain('Статус оплаты');
  });
});

describe('Axiom', () => {
  let emu: AxiomEmulator;
  beforeAll(async () => {
    emu = (await AXIOM.start({ apiKey: 'axiom-key' })) as AxiomEmulator;
  });
  afterAll(() => emu.stop());

  it('serves {apiUrl}/api/v1 for its tenant', () => {
    expect(emu.apiVersion).toBe('v1');
    expect(emu.apiDomain).toBe('print-shop');
    expect(emu.baseUrl).toBe(`${emu.apiUrl}/api/v1`);
  });

  it('refuses the right key with a missing or wrong X-Api-Domain', async () => {
    const noDomain = await call<ErrorBody>(emu, { 'x-api-key': 'axiom-key' }, 'GET', '/ping');
    expect(noDomain.status).toBe(401);
    expect(noDomain.body.error.code).toBe('UNAUTHORIZED');
    const otherTenant = await call<ErrorBody>(emu, { 'x-api-key': 'axiom-key', 'x-api-domain': 'another-shop' }, 'GET', '/ping');
    expect(otherTenant.status).toBe(401);
  });

  it('answers another API version with a bare 404, whatever the credentials', async () => {
    for (const version of ['v2', 'v0']) {
      const response = await fetch(`${emu.apiUrl}/api/${version}/ping`, { headers: AXIOM.headers(emu) });
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).not.toContain('json');
      expect(await response.text()).not.toContain('"error"');
    }
  });

  it('shows a template as groups with kind order, detail and operation', async () => {
    const flyer = (await client(AXIOM, emu).get<{ groups: { kind: string; name: string; params: WireParam[] }[] }>('/templates/t-15')).body;
    expect(flyer).not.toHaveProperty('orderParams');
    expect(flyer.groups.map((g) => [g.kind, g.name])).toEqual([
      ['order', 'Параметры заказа'],
      ['detail', 'Флаер'],
      ['operation', 'Упаковка'],
    ]);
    expect(flyer.groups[0]!.params.map((p) => p.name)).toContain('Номер заказа сайта');
    expect(flyer.groups[2]!.params[0]).toMatchObject({ name: 'Изделий в упаковке', type: 'integer' });
    expect(JSON.stringify(flyer)).not.toContain('pricing');
  });
});
