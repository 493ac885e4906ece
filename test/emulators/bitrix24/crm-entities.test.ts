import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startBitrix24Emulator, type Bitrix24Emulator } from '../../../emulators/bitrix24/server.js';
import { call, result } from './helpers.js';

let emu: Bitrix24Emulator;
type Rec = Record<string, unknown>;

beforeAll(async () => {
  emu = await startBitrix24Emulator({ rate: false });
});
beforeEach(() => emu.reset());
afterAll(() => emu.stop());

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/;

describe('deals', () => {
  it('returns ids and money as strings, Y/N flags and ISO dates with offset', async () => {
    const id = await result<number>(emu, 'crm.deal.add', {
      fields: { TITLE: 'Заказ 1001', OPPORTUNITY: 1500, CURRENCY_ID: 'RUB', SOURCE_ID: 'STORE', BEGINDATE: '2024-08-30T14:29:00+03:00' },
    });
    expect(typeof id).toBe('number');
    const deal = await result<Rec>(emu, 'crm.deal.get', { id });
    expect(deal).toMatchObject({
      ID: String(id),
      TITLE: 'Заказ 1001',
      OPPORTUNITY: '1500.00',
      CURRENCY_ID: 'RUB',
      SOURCE_ID: 'STORE',
      CATEGORY_ID: '0',
      STAGE_ID: 'NEW',
      STAGE_SEMANTIC_ID: 'P',
      OPENED: 'Y',
      CLOSED: 'N',
      ASSIGNED_BY_ID: '1',
      LEAD_ID: null,
      COMPANY_ID: null,
      BEGINDATE: '2024-08-30T00:00:00+03:00',
    });
    expect(deal.DATE_CREATE).toMatch(ISO_WITH_OFFSET);
    expect(deal).not.toHaveProperty('CONTACT_IDS');
  });

  it('drops unknown and read-only fields silently and still answers true', async () => {
    const id = await result<number>(emu, 'crm.deal.add', { fields: { TITLE: 'x', NO_SUCH_FIELD: 1, LEAD_ID: 77, DATE_CREATE: '2001-01-01' } });
    expect(await result(emu, 'crm.deal.update', { id, fields: { ID: 555, STAGE_SEMANTIC_ID: 'S', BOGUS: 'y' } })).toBe(true);
    const deal = await result<Rec>(emu, 'crm.deal.get', { id });
    expect(deal).toMatchObject({ ID: String(id), LEAD_ID: null, STAGE_SEMANTIC_ID: 'P' });
    expect(String(deal.DATE_CREATE)).not.toContain('2001');
  });

  it('keeps CATEGORY_ID immutable on crm.deal.update and ignores a stage of another funnel', async () => {
    const id = await result<number>(emu, 'crm.deal.add', { fields: { CATEGORY_ID: 1, STAGE_ID: 'C1:UC_8KQ2ZD' } });
    await result(emu, 'crm.deal.update', { id, fields: { CATEGORY_ID: 0, STAGE_ID: 'WON' } });
    expect(await result(emu, 'crm.deal.get', { id })).toMatchObject({ CATEGORY_ID: '1', STAGE_ID: 'C1:UC_8KQ2ZD' });
    await result(emu, 'crm.deal.update', { id, fields: { STAGE_ID: 'C1:WON' } });
    expect(await result(emu, 'crm.deal.get', { id })).toMatchObject({ STAGE_ID: 'C1:WON', STAGE_SEMANTIC_ID: 'S', CLOSED: 'Y' });
  });

  it('answers old-style errors with HTTP 400 and an empty code', async () => {
    expect(await call(emu, 'crm.deal.get', { id: 424242 })).toMatchObject({ status: 400, body: { error: '', error_description: 'Not found' } });
    expect(await call(emu, 'crm.deal.get', {})).toMatchObject({ status: 400, body: { error: '', error_description: 'ID is not defined or invalid.' } });
    expect(await call(emu, 'crm.deal.update', { id: 424242, fields: { TITLE: 'x' } })).toMatchObject({ status: 400, body: { error: '' } });
    expect(await call(emu, 'crm.deal.delete', { id: 424242 })).toMatchObject({ status: 400, body: { error_description: 'Not found' } });
    expect(await call(emu, 'crm.deal.add', { fields: { CURRENCY_ID: 'XXX' } })).toMatchObject({ status: 400, body: { error: '' } });
  });

  it('deletes', async () => {
    const id = await result<number>(emu, 'crm.deal.add', { fields: { TITLE: 'gone' } });
    expect(await result(emu, 'crm.deal.delete', { id })).toBe(true);
    expect((await call(emu, 'crm.deal.get', { id })).status).toBe(400);
  });

  it('describes its fields', async () => {
    const fields = await result<Record<string, Rec>>(emu, 'crm.deal.fields');
    expect(fields.CATEGORY_ID).toMatchObject({ type: 'crm_category', isImmutable: true });
    expect(fields.LEAD_ID).toMatchObject({ isReadOnly: true });
    expect(fields.STAGE_ID).toMatchObject({ type: 'crm_status', statusType: 'DEAL_STAGE' });
  });

  it('binds contacts and reports them through contact.items', async () => {
    const a = await result<number>(emu, 'crm.contact.add', { fields: { NAME: 'A' } });
    const b = await result<number>(emu, 'crm.contact.add', { fields: { NAME: 'B' } });
    const id = await result<number>(emu, 'crm.deal.add', { fields: { CONTACT_IDS: [a, b] } });
    expect(await result(emu, 'crm.deal.get', { id })).toMatchObject({ CONTACT_ID: String(a) });
    await result(emu, 'crm.deal.contact.items.set', { id, items: [{ CONTACT_ID: a, SORT: 20 }, { CONTACT_ID: b, SORT: 10, IS_PRIMARY: 'Y' }] });
    const items = await result<Rec[]>(emu, 'crm.deal.contact.items.get', { id });
    expect(items.map((i) => [i.CONTACT_ID, i.IS_PRIMARY])).toEqual([
      [b, 'Y'],
      [a, 'N'],
    ]);
    expect(await result(emu, 'crm.deal.get', { id })).toMatchObject({ CONTACT_ID: String(b) });
    expect((await call(emu, 'crm.deal.contact.items.set', { id, items: [{ CONTACT_ID: 999 }] })).body).toEqual({ error: '', error_description: 'Contact is not found' });
  });

  it('replaces all product rows and recomputes the amount when it is not manual', async () => {
    const product = await result<number>(emu, 'crm.product.add', { fields: { NAME: 'Визитки', PRICE: 10 } });
    const id = await result<number>(emu, 'crm.deal.add', { fields: { TITLE: 'rows', OPPORTUNITY: 1 } });
    await result(emu, 'crm.deal.productrows.set', { id, rows: [{ PRODUCT_ID: product, PRICE: 899.1, QUANTITY: 2 }, { PRODUCT_NAME: 'Доставка', PRICE: 300 }] });
    let rows = await result<Rec[]>(emu, 'crm.deal.productrows.get', { id });
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ OWNER_ID: String(id), OWNER_TYPE: 'D', PRODUCT_ID: product, PRODUCT_NAME: 'Визитки', PRICE: 899.1, QUANTITY: 2, PRICE_ACCOUNT: '899.10' });
    expect(typeof rows[0]!.ID).toBe('string');
    expect(await result(emu, 'crm.deal.get', { id })).toMatchObject({ OPPORTUNITY: '2098.20' });
    await result(emu, 'crm.deal.productrows.set', { id, rows: [{ PRODUCT_NAME: 'Только это', PRICE: 5 }] });
    rows = await result<Rec[]>(emu, 'crm.deal.productrows.get', { id });
    expect(rows.map((r) => r.PRODUCT_NAME)).toEqual(['Только это']);
  });
});

describe('multifields', () => {
  async function phones(id: number): Promise<Rec[]> {
    return ((await result<Rec>(emu, 'crm.contact.get', { id })).PHONE as Rec[] | undefined) ?? [];
  }

  it('appends without ID, changes with ID, deletes with DELETE:Y or an empty VALUE', async () => {
    const id = await result<number>(emu, 'crm.contact.add', { fields: { NAME: 'Multi', PHONE: [{ VALUE: '+79000000001', VALUE_TYPE: 'WORK' }] } });
    await result(emu, 'crm.contact.update', { id, fields: { PHONE: [{ VALUE: '+79000000002', VALUE_TYPE: 'MOBILE' }] } });
    let list = await phones(id);
    expect(list.map((p) => p.VALUE)).toEqual(['+79000000001', '+79000000002']);
    const [first, second] = list as [Rec, Rec];
    await result(emu, 'crm.contact.update', { id, fields: { PHONE: [{ ID: first.ID, VALUE: '+79000000011', VALUE_TYPE: 'HOME' }] } });
    list = await phones(id);
    expect(list[0]).toMatchObject({ ID: first.ID, VALUE: '+79000000011', VALUE_TYPE: 'HOME' });
    await result(emu, 'crm.contact.update', { id, fields: { PHONE: [{ ID: second.ID, DELETE: 'Y' }] } });
    expect((await phones(id)).map((p) => p.ID)).toEqual([first.ID]);
    await result(emu, 'crm.contact.update', { id, fields: { PHONE: [{ ID: first.ID, VALUE: '' }] } });
    expect(await phones(id)).toEqual([]);
    expect(await result(emu, 'crm.contact.get', { id })).toMatchObject({ HAS_PHONE: 'N' });
  });

  it('duplicates values resent without IDs (there is no replace-all)', async () => {
    const id = await result<number>(emu, 'crm.contact.add', { fields: { PHONE: [{ VALUE: '+79001112233', VALUE_TYPE: 'MOBILE' }] } });
    await result(emu, 'crm.contact.update', { id, fields: { PHONE: [{ VALUE: '+79001112233', VALUE_TYPE: 'MOBILE' }] } });
    expect(await phones(id)).toHaveLength(2);
  });

  it('checks VALUE_TYPE, e-mail syntax and the 250-character limit', async () => {
    const badType = await call(emu, 'crm.contact.add', { fields: { PHONE: [{ VALUE: '+79001112233', VALUE_TYPE: 'PRIVATE' }] } });
    expect(badType).toMatchObject({ status: 400, body: { error: 'ERROR_CORE' } });
    const badEmail = await call(emu, 'crm.contact.add', { fields: { EMAIL: [{ VALUE: 'not-an-email', VALUE_TYPE: 'WORK' }] } });
    expect(badEmail.body).toEqual({ error: 'ERROR_CORE', error_description: 'The field Work e-mail contains an invalid address' });
    const long = await call(emu, 'crm.contact.add', { fields: { PHONE: [{ VALUE: '1'.repeat(251), VALUE_TYPE: 'WORK' }] } });
    expect(long).toMatchObject({ status: 400, body: { error: 'ERROR_CORE' } });
    expect((await result<Rec[]>(emu, 'crm.contact.list')).length).toBe(0);
  });
});

describe('lists', () => {
  beforeEach(async () => {
    const cmd: Record<string, string> = {};
    for (let i = 1; i <= 120; i++) cmd[`d${i}`] = `crm.deal.add?fields[TITLE]=Deal ${i}&fields[OPPORTUNITY]=${i * 10}&fields[ORIGIN_ID]=shop-${i}`;
    const chunks = Object.entries(cmd);
    for (let i = 0; i < chunks.length; i += 50) await result(emu, 'batch', { cmd: Object.fromEntries(chunks.slice(i, i + 50)) });
  });

  it('pages by 50 with total, and next only while more rows remain', async () => {
    const first = await call(emu, 'crm.deal.list', { select: ['ID'] });
    expect(first.body).toMatchObject({ total: 120, next: 50 });
    expect(first.body.result).toHaveLength(50);
    const last = await call(emu, 'crm.deal.list', { select: ['ID'], start: 100 });
    expect(last.body.total).toBe(120);
    expect(last.body).not.toHaveProperty('next');
    expect(last.body.result).toHaveLength(20);
  });

  it('skips the count with start=-1 and walks by an >ID cursor', async () => {
    const ids: string[] = [];
    let cursor = 0;
    for (;;) {
      const page = await call(emu, 'crm.deal.list', { order: { ID: 'ASC' }, filter: { '>ID': cursor }, select: ['ID'], start: -1 });
      expect(page.body).not.toHaveProperty('next');
      expect(page.body.total).toBe(0);
      const rows = page.body.result as Rec[];
      ids.push(...rows.map((r) => String(r.ID)));
      if (rows.length < 50) break;
      cursor = Number(rows.at(-1)!.ID);
    }
    expect(ids).toHaveLength(120);
  });

  it('filters with prefixes, orders and selects', async () => {
    const rows = await result<Rec[]>(emu, 'crm.deal.list', {
      filter: { '>=OPPORTUNITY': 100, '<OPPORTUNITY': 150, '!ID': 12 },
      order: { OPPORTUNITY: 'DESC' },
      select: ['TITLE', 'OPPORTUNITY'],
    });
    expect(rows.map((r) => r.TITLE)).toEqual(['Deal 14', 'Deal 13', 'Deal 11', 'Deal 10']);
    expect(Object.keys(rows[0]!).sort()).toEqual(['ID', 'OPPORTUNITY', 'TITLE']);
    expect(await result<Rec[]>(emu, 'crm.deal.list', { filter: { '@ID': [3, 5] }, select: ['ID'] })).toEqual([{ ID: '3' }, { ID: '5' }]);
    expect((await result<Rec[]>(emu, 'crm.deal.list', { filter: { '%TITLE': 'deal 11' } })).map((r) => r.TITLE)).toEqual(['Deal 11', 'Deal 110', 'Deal 111', 'Deal 112', 'Deal 113', 'Deal 114', 'Deal 115', 'Deal 116', 'Deal 117', 'Deal 118', 'Deal 119']);
    expect(await result<Rec[]>(emu, 'crm.deal.list', { filter: { ORIGIN_ID: 'shop-7' }, select: ['ID'] })).toEqual([{ ID: '7' }]);
  });

  it('cannot filter crm.deal.list by CONTACT_IDS: the key is ignored like any unknown one', async () => {
    const a = await result<number>(emu, 'crm.contact.add', { fields: { NAME: 'A' } });
    const withA = await result<number>(emu, 'crm.deal.add', { fields: { TITLE: 'with A', CONTACT_IDS: [a] } });
    const rows = await result<Rec[]>(emu, 'crm.deal.list', { filter: { CONTACT_IDS: [a] }, select: ['ID'] });
    expect(rows).toHaveLength(50);
    expect(await result<Rec[]>(emu, 'crm.deal.list', { filter: { CONTACT_ID: a }, select: ['ID'] })).toEqual([{ ID: String(withA) }]);
  });

  it('returns multifields only when named, and filters them by exact stored string', async () => {
    const id = await result<number>(emu, 'crm.contact.add', { fields: { NAME: 'P', PHONE: [{ VALUE: '+7 (912) 345-67-89', VALUE_TYPE: 'MOBILE' }] } });
    const [row] = await result<Rec[]>(emu, 'crm.contact.list', { filter: { ID: id } });
    expect(row).not.toHaveProperty('PHONE');
    const named = await result<Rec[]>(emu, 'crm.contact.list', { filter: { ID: id }, select: ['ID', 'PHONE'] });
    expect(named[0]!.PHONE).toHaveLength(1);
    expect(await result<Rec[]>(emu, 'crm.contact.list', { filter: { PHONE: '+7 (912) 345-67-89' }, select: ['ID'] })).toEqual([{ ID: String(id) }]);
    expect(await result<Rec[]>(emu, 'crm.contact.list', { filter: { PHONE: '+79123456789' } })).toEqual([]);
  });
});

describe('duplicates', () => {
  it('finds by normalized phone and lowercased e-mail, [] when nothing matches', async () => {
    const contact = await result<number>(emu, 'crm.contact.add', { fields: { PHONE: [{ VALUE: '+7 (912) 345-67-89', VALUE_TYPE: 'MOBILE' }], EMAIL: [{ VALUE: 'Client@Example.ru', VALUE_TYPE: 'HOME' }] } });
    const lead = await result<number>(emu, 'crm.lead.add', { fields: { PHONE: [{ VALUE: '89123456789', VALUE_TYPE: 'WORK' }] } });
    expect(await result(emu, 'crm.duplicate.findbycomm', { type: 'PHONE', values: ['79123456789'] })).toEqual({ LEAD: [lead], CONTACT: [contact] });
    expect(await result(emu, 'crm.duplicate.findbycomm', { type: 'PHONE', values: ['8 912 345 67 89'], entity_type: 'CONTACT' })).toEqual({ CONTACT: [contact] });
    expect(await result(emu, 'crm.duplicate.findbycomm', { type: 'EMAIL', values: [' client@example.RU '] })).toEqual({ CONTACT: [contact] });
    const none = await call(emu, 'crm.duplicate.findbycomm', { type: 'EMAIL', values: ['nobody@example.ru'] });
    expect(none.text).toContain('"result":[]');
    expect((await call(emu, 'crm.duplicate.findbycomm', { values: ['1'] })).body).toEqual({ error: '', error_description: 'Communication type is not defined.' });
  });
});

describe('companies, leads, products, timeline', () => {
  it('keeps company CRUD with its type dictionary', async () => {
    const id = await result<number>(emu, 'crm.company.add', { fields: { TITLE: 'ООО Печать', COMPANY_TYPE: 'PARTNER' } });
    expect(await result(emu, 'crm.company.get', { id })).toMatchObject({ TITLE: 'ООО Печать', COMPANY_TYPE: 'PARTNER' });
    await result(emu, 'crm.company.update', { id, fields: { COMPANY_TYPE: 'NO_SUCH_TYPE', TITLE: 'ООО Печать+' } });
    expect(await result(emu, 'crm.company.get', { id })).toMatchObject({ TITLE: 'ООО Печать+', COMPANY_TYPE: 'PARTNER' });
  });

  it('keeps lead statuses and computes IS_RETURN_CUSTOMER', async () => {
    const contact = await result<number>(emu, 'crm.contact.add', { fields: { NAME: 'C' } });
    const id = await result<number>(emu, 'crm.lead.add', { fields: { TITLE: 'Lead', IS_RETURN_CUSTOMER: 'Y' } });
    expect(await result(emu, 'crm.lead.get', { id })).toMatchObject({ STATUS_ID: 'NEW', IS_RETURN_CUSTOMER: 'N', STATUS_SEMANTIC_ID: 'P' });
    await result(emu, 'crm.lead.update', { id, fields: { CONTACT_ID: contact, STATUS_ID: 'CONVERTED' } });
    expect(await result(emu, 'crm.lead.get', { id })).toMatchObject({ STATUS_ID: 'CONVERTED', IS_RETURN_CUSTOMER: 'Y', STATUS_SEMANTIC_ID: 'S', CONTACT_ID: String(contact) });
  });

  it('keeps products and finds them by XML_ID', async () => {
    const id = await result<number>(emu, 'crm.product.add', { fields: { NAME: 'Флаеры А5', PRICE: 1200, XML_ID: 'sku-a5' } });
    expect(await result(emu, 'crm.product.list', { filter: { XML_ID: 'sku-a5' }, select: ['ID', 'NAME'] })).toEqual([{ ID: String(id), NAME: 'Флаеры А5' }]);
    expect(await result(emu, 'crm.product.get', { id })).toMatchObject({ PRICE: '1200.00', ACTIVE: 'Y' });
    expect((await call(emu, 'crm.product.add', { fields: { PRICE: 1 } })).body.error).toBe('ERROR_CORE');
    expect(await result(emu, 'crm.product.delete', { id })).toBe(true);
  });

  it('adds and lists timeline comments, refusing an unknown owner or an empty text', async () => {
    const deal = await result<number>(emu, 'crm.deal.add', { fields: { TITLE: 'T' } });
    const id = await result<number>(emu, 'crm.timeline.comment.add', { fields: { ENTITY_ID: deal, ENTITY_TYPE: 'deal', COMMENT: 'Макет утверждён' } });
    expect(typeof id).toBe('number');
    const list = await call(emu, 'crm.timeline.comment.list', { filter: { ENTITY_ID: deal, ENTITY_TYPE: 'deal' } });
    expect(list.body).toMatchObject({ total: 1, result: [{ ID: String(id), ENTITY_ID: String(deal), COMMENT: 'Макет утверждён', AUTHOR_ID: '1' }] });
    expect((await call(emu, 'crm.timeline.comment.add', { fields: { ENTITY_ID: 999, ENTITY_TYPE: 'deal', COMMENT: 'x' } })).body.error).toBe('OWNER_NOT_FOUND');
    expect((await call(emu, 'crm.timeline.comment.add', { fields: { ENTITY_ID: deal, ENTITY_TYPE: 'deal', COMMENT: ' ' } })).body.error).toBe('INVALID_ARG_VALUE');
    expect((await call(emu, 'crm.timeline.comment.add', { FIELDS: { ENTITY_ID: deal, ENTITY_TYPE: 'deal', COMMENT: 'x' } })).status).toBe(400);
  });
});

describe('user fields', () => {
  it('adds a UF_CRM_ field that deals then accept and return', async () => {
    await result(emu, 'crm.deal.userfield.add', { fields: { FIELD_NAME: 'SHOP_ORDER', USER_TYPE_ID: 'string', LABEL: 'Shop order' } });
    const id = await result<number>(emu, 'crm.deal.add', { fields: { TITLE: 'uf', UF_CRM_SHOP_ORDER: 'A-1001' } });
    expect(await result(emu, 'crm.deal.get', { id })).toMatchObject({ UF_CRM_SHOP_ORDER: 'A-1001' });
    expect(await result(emu, 'crm.deal.list', { filter: { UF_CRM_SHOP_ORDER: 'A-1001' }, select: ['ID', 'UF_*'] })).toEqual([{ ID: String(id), UF_CRM_SHOP_ORDER: 'A-1001' }]);
    expect((await call(emu, 'crm.deal.userfield.add', { fields: { FIELD_NAME: 'bad-name!' } })).body.error).toBe('ERROR_CORE');
  });
});
