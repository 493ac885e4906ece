import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startBitrix24Emulator, type Bitrix24Emulator } from '../../../emulators/bitrix24/server.js';
import { itemName } from '../../../emulators/bitrix24/views.js';
import { expectEventually } from '../../support/eventually.js';
import { call, result, startEventSink } from './helpers.js';

/** Each case replays a request/response example documented in shared/reference/bitrix24-rest.md. */
let emu: Bitrix24Emulator;
let sink: Awaited<ReturnType<typeof startEventSink>>;
type Rec = Record<string, unknown>;

beforeAll(async () => {
  sink = await startEventSink();
  emu = await startBitrix24Emulator({ rate: false, eventHandlers: [sink.url] });
});
beforeEach(() => emu.reset());
afterAll(async () => {
  await emu.stop();
  await sink.close();
});

describe('§1 envelopes and errors', () => {
  it('§1.3: result, total, next and a time block with all documented fields', async () => {
    for (let i = 0; i < 51; i++) await result(emu, 'crm.lead.add', { fields: { TITLE: `L${i}` } });
    const { status, body } = await call(emu, 'crm.lead.list', { select: ['ID'] });
    expect(status).toBe(200);
    expect(body).toMatchObject({ total: 51, next: 50 });
    const time = body.time as Rec;
    expect(Object.keys(time)).toEqual(['start', 'finish', 'duration', 'processing', 'date_start', 'date_finish', 'operating_reset_at', 'operating']);
    expect(time.date_start).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+03:00$/);
    expect(Number.isInteger(time.operating_reset_at)).toBe(true);
  });

  it('§1.4: {"error":"","error_description":"Not found"} with HTTP 400, and the JSON headers', async () => {
    const response = await fetch(`${emu.webhookUrl}crm.deal.get.json?id=42`);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(await response.text()).toBe('{"error":"","error_description":"Not found"}');
  });
});

describe('§2 batch', () => {
  it('the documented command: a deal whose CONTACT_ID is $result[c][0][ID] of a list', async () => {
    const contact = await result<number>(emu, 'crm.contact.add', { fields: { NAME: 'Listed' } });
    const { status, body } = await call(emu, 'batch', {
      halt: 0,
      cmd: {
        c: `crm.contact.list?filter[ID]=${contact}&select[]=ID`,
        deal: 'crm.deal.add?fields[TITLE]=Order%2012&fields[CONTACT_ID]=$result[c][0][ID]',
      },
    });
    expect(status).toBe(200);
    const batch = body.result as Rec;
    expect(Object.keys(batch)).toEqual(['result', 'result_error', 'result_total', 'result_next', 'result_time']);
    expect(batch.result_error).toEqual([]);
    expect(batch.result_next).toEqual([]);
    expect(batch.result_total).toEqual({ c: 1 });
    expect(await result(emu, 'crm.deal.get', { id: (batch.result as Rec).deal })).toMatchObject({ TITLE: 'Order 12', CONTACT_ID: String(contact) });
    expect(body.time).not.toHaveProperty('operating');
  });
});

describe('§4 CRM', () => {
  it('§4.1: crm.deal.get returns the documented field set, in order', async () => {
    const id = await result<number>(emu, 'crm.deal.add', { fields: { TITLE: 'New Deal #1', TYPE_ID: 'COMPLEX', STAGE_ID: 'PREPARATION', PROBABILITY: 99, CURRENCY_ID: 'EUR', OPPORTUNITY: 1000000, IS_MANUAL_OPPORTUNITY: 'Y' } });
    const deal = await result<Rec>(emu, 'crm.deal.get', { id });
    expect(Object.keys(deal)).toEqual([
      'ID', 'TITLE', 'TYPE_ID', 'STAGE_ID', 'PROBABILITY', 'CURRENCY_ID', 'OPPORTUNITY', 'IS_MANUAL_OPPORTUNITY', 'TAX_VALUE', 'LEAD_ID',
      'COMPANY_ID', 'CONTACT_ID', 'QUOTE_ID', 'BEGINDATE', 'CLOSEDATE', 'ASSIGNED_BY_ID', 'CREATED_BY_ID', 'MODIFY_BY_ID', 'DATE_CREATE',
      'DATE_MODIFY', 'OPENED', 'CLOSED', 'COMMENTS', 'ADDITIONAL_INFO', 'LOCATION_ID', 'CATEGORY_ID', 'STAGE_SEMANTIC_ID', 'IS_NEW',
      'IS_RECURRING', 'IS_RETURN_CUSTOMER', 'IS_REPEATED_APPROACH', 'SOURCE_ID', 'SOURCE_DESCRIPTION', 'ORIGINATOR_ID', 'ORIGIN_ID',
      'MOVED_BY_ID', 'MOVED_TIME', 'LAST_ACTIVITY_TIME', 'UTM_SOURCE', 'UTM_MEDIUM', 'UTM_CAMPAIGN', 'UTM_CONTENT', 'UTM_TERM', 'LAST_ACTIVITY_BY',
    ]);
    expect(deal).toMatchObject({ ID: String(id), TYPE_ID: 'COMPLEX', PROBABILITY: '99', CURRENCY_ID: 'EUR', OPPORTUNITY: '1000000.00', TAX_VALUE: '0.00', QUOTE_ID: null });
  });

  it('§4.2: a multifield entry sent as just {ID} is deleted (no VALUE means empty)', async () => {
    const id = await result<number>(emu, 'crm.contact.add', { fields: { EMAIL: [{ VALUE: 'a@b.ru', VALUE_TYPE: 'WORK' }] } });
    const [email] = (await result<Rec>(emu, 'crm.contact.get', { id })).EMAIL as Rec[];
    await result(emu, 'crm.contact.update', { id, fields: { EMAIL: [{ ID: email!.ID }] } });
    expect(await result(emu, 'crm.contact.get', { id })).not.toHaveProperty('EMAIL');
  });

  it('§4.5: the documented product row (10% off 999, tax included) comes back with numeric prices', async () => {
    const id = await result<number>(emu, 'crm.deal.add', { fields: { TITLE: 'rows' } });
    await result(emu, 'crm.deal.productrows.set', { id, rows: [{ PRODUCT_NAME: 'Product #2', PRICE: 899.1, DISCOUNT_TYPE_ID: 2, DISCOUNT_RATE: 10, TAX_INCLUDED: 'Y', MEASURE_CODE: 796, MEASURE_NAME: 'pcs' }] });
    const [row] = await result<Rec[]>(emu, 'crm.deal.productrows.get', { id });
    expect(row).toMatchObject({
      OWNER_TYPE: 'D', PRODUCT_ID: 0, PRODUCT_NAME: 'Product #2', PRICE: 899.1, PRICE_EXCLUSIVE: 899.1, PRICE_NETTO: 999, PRICE_BRUTTO: 999,
      PRICE_ACCOUNT: '899.10', QUANTITY: 1, DISCOUNT_TYPE_ID: 2, DISCOUNT_RATE: 10, DISCOUNT_SUM: 99.9, TAX_RATE: null, TAX_INCLUDED: 'Y',
      MEASURE_CODE: 796, MEASURE_NAME: 'pcs',
    });
  });

  it('§4.8: crm.category.list has the default funnel as {id:0, isDefault:"Y"}', async () => {
    const { body } = await call(emu, 'crm.category.list', { entityTypeId: 2 });
    expect((body.result as { categories: Rec[] }).categories).toContainEqual({ id: 0, name: 'Общая', sort: 300, entityTypeId: 2, isDefault: 'Y' });
    expect(body.total).toBe(2);
  });

  it('§4.9: user.current gives ACTIVE as a JSON boolean and a string ID', async () => {
    expect(await result(emu, 'user.current')).toMatchObject({ ID: '1', ACTIVE: true, UF_DEPARTMENT: [1] });
  });

  it('§4.10: +7 (912) 345-67-89, 79123456789 and 8 912 345 67 89 all find the same contact', async () => {
    const id = await result<number>(emu, 'crm.contact.add', { fields: { PHONE: [{ VALUE: '+7 (912) 345-67-89', VALUE_TYPE: 'MOBILE' }] } });
    for (const value of ['+7 (912) 345-67-89', '79123456789', '8 912 345 67 89', '+79123456789#123']) {
      const { text } = await call(emu, 'crm.duplicate.findbycomm', { type: 'PHONE', values: [value], entity_type: 'CONTACT' });
      expect(text, value).toContain(`"result":{"CONTACT":[${id}]}`);
    }
    expect((await call(emu, 'crm.duplicate.findbycomm', { type: 'PHONE', values: ['+7 999 000-00-00'] })).text).toMatch(/^\{"result":\[\],/);
  });

  it('§4.11: UF names become ufCrm3_1747309727 / ufCrm_1747309879 in crm.item', () => {
    expect(itemName('UF_CRM_3_1747309727')).toBe('ufCrm3_1747309727');
    expect(itemName('UF_CRM_1747309879')).toBe('ufCrm_1747309879');
    expect(itemName('ASSIGNED_BY_ID')).toBe('assignedById');
  });

  it('§4.12: start=-1 gives no next and total 0', async () => {
    await result(emu, 'crm.company.add', { fields: { TITLE: 'A' } });
    const { body } = await call(emu, 'crm.company.list', { order: { ID: 'ASC' }, filter: { '>ID': 0 }, start: -1 });
    expect(body.total).toBe(0);
    expect(body).not.toHaveProperty('next');
    expect(body.result).toHaveLength(1);
  });
});

describe('§5 outgoing events', () => {
  it('§5.2: the documented body keys, all values strings', async () => {
    sink.received.length = 0;
    const id = await result<number>(emu, 'crm.deal.add', { fields: { TITLE: 'evt' } });
    await result(emu, 'crm.deal.update', { id, fields: { TITLE: 'evt2' } });
    await expectEventually(() => expect(sink.received.map((e) => e.body.event).sort()).toEqual(['ONCRMDEALADD', 'ONCRMDEALUPDATE']));
    const update = sink.received.find((e) => e.body.event === 'ONCRMDEALUPDATE')!;
    const keys = [...new URLSearchParams(update.raw).keys()];
    expect(keys).toEqual([
      'event', 'event_handler_id', 'data[FIELDS][ID]', 'ts', 'auth[domain]', 'auth[client_endpoint]', 'auth[server_endpoint]', 'auth[member_id]', 'auth[application_token]',
    ]);
    expect(update.body.data.FIELDS).toEqual({ ID: String(id) });
  });
});
