import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startBitrix24Emulator, type Bitrix24Emulator } from '../../../emulators/bitrix24/server.js';
import { expectEventually } from '../../support/eventually.js';
import { admin, call, result } from './helpers.js';

let emu: Bitrix24Emulator;
type Rec = Record<string, unknown>;

beforeAll(async () => {
  emu = await startBitrix24Emulator({ rate: false });
});
afterAll(() => emu.stop());

describe('the seeded portal', () => {
  it('has the default funnel and a category 1 whose stages carry C1:', async () => {
    const stages = await result<Rec[]>(emu, 'crm.status.list', { filter: { ENTITY_ID: 'DEAL_STAGE' }, order: { SORT: 'ASC' } });
    expect(stages.map((s) => s.STATUS_ID)).toEqual(['NEW', 'PREPARATION', 'PREPAYMENT_INVOICE', 'EXECUTING', 'FINAL_INVOICE', 'WON', 'LOSE', 'APOLOGY']);
    expect(stages.find((s) => s.STATUS_ID === 'WON')).toMatchObject({ SEMANTICS: 'S', EXTRA: { SEMANTICS: 'success' }, NAME: 'Сделка успешна' });
    expect(stages.find((s) => s.STATUS_ID === 'NEW')).toMatchObject({ SEMANTICS: null, EXTRA: { SEMANTICS: 'process' } });
    const items = await result<Rec[]>(emu, 'crm.status.entity.items', { entityId: 'DEAL_STAGE_1' });
    expect(items.every((i) => String(i.STATUS_ID).startsWith('C1:'))).toBe(true);
    expect(items[0]).toEqual({ NAME: 'Новый заказ', SORT: 10, STATUS_ID: 'C1:NEW' });
    expect(await result<Rec[]>(emu, 'crm.dealcategory.stage.list', { id: 1 })).toHaveLength(items.length);
    expect(await result(emu, 'crm.dealcategory.stage.list', { id: 77 })).toEqual([]);
  });

  it('lists funnels the modern and the legacy way', async () => {
    const modern = await call(emu, 'crm.category.list', { entityTypeId: 2 });
    expect(modern.body.total).toBe(2);
    expect((modern.body.result as { categories: Rec[] }).categories).toEqual([
      expect.objectContaining({ id: 1, name: 'Печать', isDefault: 'N', entityTypeId: 2 }),
      { id: 0, name: 'Общая', sort: 300, entityTypeId: 2, isDefault: 'Y' },
    ]);
    expect(await result(emu, 'crm.dealcategory.list')).toEqual([expect.objectContaining({ ID: '1', NAME: 'Печать', SORT: '200' })]);
  });

  it('has lead statuses, sources with STORE, contact, company and deal types', async () => {
    const ids = async (entityId: string): Promise<unknown[]> => (await result<Rec[]>(emu, 'crm.status.list', { filter: { ENTITY_ID: entityId } })).map((s) => s.STATUS_ID);
    expect(await ids('STATUS')).toEqual(['NEW', 'IN_PROCESS', 'PROCESSED', 'CONVERTED', 'JUNK']);
    expect(await ids('SOURCE')).toContain('STORE');
    expect(await ids('CONTACT_TYPE')).toEqual(['CLIENT', 'SUPPLIER', 'PARTNER', 'OTHER']);
    expect(await ids('COMPANY_TYPE')).toContain('CUSTOMER');
    expect(await ids('DEAL_TYPE')).toContain('SALE');
    const converted = await result<Rec[]>(emu, 'crm.status.list', { filter: { ENTITY_ID: 'STATUS', STATUS_ID: 'CONVERTED' } });
    expect(converted[0]).toMatchObject({ NAME: 'Качественный лид', SEMANTICS: 'S' });
  });

  it('has users with inner phone numbers, ACTIVE as a JSON boolean', async () => {
    const me = await result<Rec>(emu, 'user.current');
    expect(me).toMatchObject({ ID: '1', ACTIVE: true, UF_PHONE_INNER: '101' });
    const active = await call(emu, 'user.get', { FILTER: { ACTIVE: true } });
    expect(active.body.total).toBe(3);
    expect(await result<Rec[]>(emu, 'user.get', { FILTER: { UF_PHONE_INNER: '102' } })).toEqual([expect.objectContaining({ ID: '2', LAST_NAME: 'Смирнова' })]);
    expect(await result<Rec[]>(emu, 'user.get', { ID: 3 })).toEqual([expect.objectContaining({ ID: '3' })]);
  });

  it('has a telephony line and starts a callback on it', async () => {
    const lines = await result<Record<string, string>>(emu, 'voximplant.line.get');
    const [line] = Object.keys(lines);
    const started = await result<Rec>(emu, 'voximplant.callback.start', { FROM_LINE: line, TO_NUMBER: '+79001234567', TEXT_TO_PRONOUNCE: 'Клиент по заказу 1001' });
    expect(started).toEqual({ RESULT: true, CALL_ID: expect.stringMatching(/^callback\./) });
    expect((await call(emu, 'voximplant.callback.start', { FROM_LINE: 'nope', TO_NUMBER: '+79001234567' })).body.error).toBe('ERROR_CORE');
    expect((await call(emu, 'voximplant.callback.start', { FROM_LINE: line, TO_NUMBER: '12' })).body).toEqual({ error: 'ERROR_CORE', error_description: 'Phone number is not correct' });
  });

  it('tells each employee\'s default outgoing line (voximplant.user.get): one of the portal\'s lines, or none', async () => {
    const lines = await result<Record<string, string>>(emu, 'voximplant.line.get');
    const users = await result<Array<{ ID: string; DEFAULT_LINE: string; INNER_NUMBER: string }>>(emu, 'voximplant.user.get', { USER_ID: [1, 2, 3, 99] });
    expect(users.map((u) => [u.ID, u.DEFAULT_LINE, u.INNER_NUMBER])).toEqual([
      ['1', 'reg150907', '101'],
      ['2', 'reg150908', '102'],
      ['3', '', '103'],
    ]);
    for (const user of users) if (user.DEFAULT_LINE) expect(Object.keys(lines)).toContain(user.DEFAULT_LINE);
    expect((await call(emu, 'voximplant.user.get', {})).body.error).toBe('INVALID_USER_ID');
  });

  it('runs in classic CRM mode', async () => {
    expect(await result(emu, 'crm.settings.mode.get')).toBe(1);
  });
});

describe('crm.item', () => {
  it('speaks camelCase with typed numbers and fm, and updates multifields through fm', async () => {
    const created = await result<{ item: Rec }>(emu, 'crm.item.add', {
      entityTypeId: 3,
      fields: { name: 'Item', lastName: 'Person', fm: [{ typeId: 'PHONE', valueType: 'MOBILE', value: '+79001112233' }] },
    });
    const id = created.item.id as number;
    expect(created.item).toMatchObject({ id: expect.any(Number), name: 'Item', lastName: 'Person', assignedById: 1 });
    const fm = created.item.fm as Rec[];
    expect(fm).toEqual([{ id: expect.any(Number), typeId: 'PHONE', valueType: 'MOBILE', value: '+79001112233' }]);
    expect(created.item).toMatchObject({ phone: '+79001112233', phoneMobile: '+79001112233', phoneWork: null, email: null });
    const phoneId = fm[0]!.id as number;
    await result(emu, 'crm.item.update', {
      entityTypeId: 3,
      id,
      fields: { fm: { [phoneId]: { typeId: 'PHONE', valueType: 'WORK', value: '+79009998877' }, n0: { typeId: 'EMAIL', valueType: 'HOME', value: 'item@example.ru' }, n1: { valueType: 'WORK', value: 'ignored-without-typeId' } } },
    });
    const read = await result<{ item: Rec }>(emu, 'crm.item.get', { entityTypeId: 3, id });
    expect((read.item.fm as Rec[]).map((v) => [v.typeId, v.valueType, v.value])).toEqual([
      ['PHONE', 'WORK', '+79009998877'],
      ['EMAIL', 'HOME', 'item@example.ru'],
    ]);
    await result(emu, 'crm.item.update', { entityTypeId: 3, id, fields: { fm: { [phoneId]: { typeId: 'PHONE', value: '' } } } });
    expect(((await result<{ item: Rec }>(emu, 'crm.item.get', { entityTypeId: 3, id })).item.fm as Rec[]).map((v) => v.typeId)).toEqual(['EMAIL']);
  });

  it('lists deals with typed values and fm only with *', async () => {
    const deal = await result<number>(emu, 'crm.deal.add', { fields: { TITLE: 'Typed', OPPORTUNITY: 999.99, CATEGORY_ID: 1 } });
    const list = await call(emu, 'crm.item.list', { entityTypeId: 2, filter: { categoryId: 1, '>=opportunity': 500 }, select: ['id', 'title', 'opportunity', 'stageId'] });
    expect(list.body).toMatchObject({ total: 1, result: { items: [{ id: deal, title: 'Typed', opportunity: 999.99, stageId: 'C1:NEW' }] } });
    expect(list.body).not.toHaveProperty('next');
    const bad = await call(emu, 'crm.item.list', { entityTypeId: 2, filter: { noSuchField: 1 } });
    expect(bad).toMatchObject({ status: 400, body: { error: 'INVALID_ARG_VALUE' } });
    expect(await call(emu, 'crm.item.get', { entityTypeId: 2, id: 4242 })).toMatchObject({ status: 400, body: { error: 'NOT_FOUND' } });
    const orFilter = await result<{ items: Rec[] }>(emu, 'crm.item.list', { entityTypeId: 2, filter: { '0': { logic: 'OR', '=title': 'Typed', '=id': 99999 } }, select: ['id'] });
    expect(orFilter.items).toEqual([{ id: deal }]);
  });
});

describe('crm.item.list paging (RestManager: page-aligned start, no count with start=-1)', () => {
  beforeEach(() => emu.reset());

  it('reads start as a page like the old methods: start=60 is the second page, next is offset + rows', async () => {
    const cmd = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`c${i}`, `crm.contact.add?fields[NAME]=P${i}`]));
    await result(emu, 'batch', { cmd });
    await result(emu, 'batch', { cmd });
    await result(emu, 'batch', { cmd: Object.fromEntries(Object.entries(cmd).slice(0, 20)) });
    const odd = await call(emu, 'crm.item.list', { entityTypeId: 3, select: ['id'], start: 60 });
    const items = (odd.body.result as { items: Rec[] }).items;
    expect(items[0]).toEqual({ id: 51 });
    expect(items).toHaveLength(50);
    expect(odd.body).toMatchObject({ total: 120, next: 100 });
    const last = await call(emu, 'crm.item.list', { entityTypeId: 3, select: ['id'], start: 100 });
    expect((last.body.result as { items: Rec[] }).items).toHaveLength(20);
    expect(last.body).not.toHaveProperty('next');
  });

  it('leaves total out entirely with start=-1', async () => {
    await result(emu, 'crm.contact.add', { fields: { NAME: 'one' } });
    const { body } = await call(emu, 'crm.item.list', { entityTypeId: 3, select: ['id'], start: -1 });
    expect((body.result as { items: Rec[] }).items).toHaveLength(1);
    expect(body).not.toHaveProperty('total');
    expect(body).not.toHaveProperty('next');
  });
});

describe('reconciliation queries', () => {
  it('filters by >DATE_MODIFY given as ISO 8601 with an offset', async () => {
    const before = await result<number>(emu, 'crm.deal.add', { fields: { TITLE: 'old' } });
    const { DATE_MODIFY: stamp } = await result<{ DATE_MODIFY: string }>(emu, 'crm.deal.get', { id: before });
    await expectEventually(async () => expect((await result<string>(emu, 'server.time')) > stamp).toBe(true), { timeoutMs: 3_000, intervalMs: 100 });
    const after = await result<number>(emu, 'crm.deal.add', { fields: { TITLE: 'new' } });
    const changed = await result<Rec[]>(emu, 'crm.deal.list', { filter: { '>DATE_MODIFY': stamp }, select: ['ID'] });
    expect(changed.map((r) => Number(r.ID))).toContain(after);
    expect(changed.map((r) => Number(r.ID))).not.toContain(before);
  });
});

describe('Simple CRM mode (reference §4.4, pitfall 14)', () => {
  it('reports mode 2, and turns a new lead straight into a deal and contact that the lead id no longer reads', async () => {
    const simple = await startBitrix24Emulator({ rate: false, crmMode: 'simple' });
    try {
      expect(await result(simple, 'crm.settings.mode.get')).toBe(2);
      const leadId = await result<number>(simple, 'crm.lead.add', {
        fields: { TITLE: 'Заказ с сайта', NAME: 'Анна', OPPORTUNITY: 700, SOURCE_ID: 'STORE', PHONE: [{ VALUE: '+79001234567', VALUE_TYPE: 'MOBILE' }] },
      });
      expect(typeof leadId).toBe('number');
      expect(await call(simple, 'crm.lead.get', { id: leadId })).toMatchObject({ status: 400, body: { error: '', error_description: 'Not found' } });
      expect(await result(simple, 'crm.lead.list')).toEqual([]);
      const [deal] = await result<Rec[]>(simple, 'crm.deal.list', { select: ['ID', 'TITLE', 'OPPORTUNITY', 'SOURCE_ID', 'LEAD_ID', 'CONTACT_ID'] });
      expect(deal).toMatchObject({ TITLE: 'Заказ с сайта', OPPORTUNITY: '700.00', SOURCE_ID: 'STORE', LEAD_ID: String(leadId) });
      const contact = await result<Rec>(simple, 'crm.contact.get', { id: deal!.CONTACT_ID });
      expect(contact).toMatchObject({ NAME: 'Анна', LEAD_ID: String(leadId), PHONE: [expect.objectContaining({ VALUE: '+79001234567' })] });
      expect(await admin(simple, 'POST', '/crm-mode', { mode: 'classic' })).toEqual({ mode: 'classic' });
      expect(await result(simple, 'crm.settings.mode.get')).toBe(1);
    } finally {
      await simple.stop();
    }
  });
});
