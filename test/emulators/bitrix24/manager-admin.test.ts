import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startBitrix24Emulator, type Bitrix24Emulator } from '../../../emulators/bitrix24/server.js';
import { expectEventually } from '../../support/eventually.js';
import { admin, result, startEventSink, type ReceivedEvent } from './helpers.js';

let emu: Bitrix24Emulator;
let sink: Awaited<ReturnType<typeof startEventSink>>;
type Rec = Record<string, unknown>;

beforeAll(async () => {
  sink = await startEventSink();
  emu = await startBitrix24Emulator({ rate: false, eventHandlers: [sink.url] });
});
beforeEach(async () => {
  await admin(emu, 'POST', '/reset', {});
  sink.received.length = 0;
});
afterAll(async () => {
  await emu.stop();
  await sink.close();
});

const events = (): string[] => sink.received.map((e: ReceivedEvent) => `${e.body.event}:${e.body.data.FIELDS.ID}`);

describe('acting as a manager', () => {
  it('moves a deal to a stage read from the portal, as user 2, firing ONCRMDEALUPDATE', async () => {
    const id = await result<number>(emu, 'crm.deal.add', { fields: { TITLE: 'UI', CATEGORY_ID: 1 } });
    await expectEventually(() => expect(events()).toEqual([`ONCRMDEALADD:${id}`]));
    const deal = await admin<Rec>(emu, 'POST', `/deals/${id}/stage`, { stageId: 'C1:UC_8KQ2ZD' });
    expect(deal).toMatchObject({ STAGE_ID: 'C1:UC_8KQ2ZD', MODIFY_BY_ID: '2', MOVED_BY_ID: '2' });
    await expectEventually(() => expect(events()).toEqual([`ONCRMDEALADD:${id}`, `ONCRMDEALUPDATE:${id}`]));
    await expect(admin(emu, 'POST', `/deals/${id}/stage`, { stageId: 'WON' })).rejects.toThrow(/400/);
  });

  it("edits a contact's phones and e-mails with their types", async () => {
    const id = await result<number>(emu, 'crm.contact.add', { fields: { NAME: 'Card', PHONE: [{ VALUE: '+79000000001', VALUE_TYPE: 'WORK' }] } });
    const phoneId = ((await result<Rec>(emu, 'crm.contact.get', { id })).PHONE as Rec[])[0]!.ID;
    const contact = await admin<Rec>(emu, 'POST', `/contacts/${id}/communications`, {
      PHONE: [{ ID: phoneId, VALUE: '+79000000002', VALUE_TYPE: 'MOBILE' }],
      EMAIL: [{ VALUE: 'card@example.ru', VALUE_TYPE: 'HOME' }],
    });
    expect(contact.PHONE).toEqual([{ ID: phoneId, VALUE: '+79000000002', VALUE_TYPE: 'MOBILE', TYPE_ID: 'PHONE' }]);
    expect(contact.EMAIL).toEqual([{ ID: expect.any(String), VALUE: 'card@example.ru', VALUE_TYPE: 'HOME', TYPE_ID: 'EMAIL' }]);
    await expectEventually(() => expect(events()).toContain(`ONCRMCONTACTUPDATE:${id}`));
    await expect(admin(emu, 'POST', `/contacts/${id}/communications`, { EMAIL: [{ VALUE: 'x@y.ru', VALUE_TYPE: 'PERSONAL' }] })).rejects.toThrow(/ERROR_CORE/);
  });

  it('renames and deletes a company, deletes a product', async () => {
    const company = await result<number>(emu, 'crm.company.add', { fields: { TITLE: 'Old name' } });
    const contact = await result<number>(emu, 'crm.contact.add', { fields: { NAME: 'Emp', COMPANY_ID: company } });
    const product = await result<number>(emu, 'crm.product.add', { fields: { NAME: 'Кружка' } });
    expect(await admin(emu, 'POST', `/companies/${company}/rename`, { title: 'New name' })).toMatchObject({ TITLE: 'New name' });
    await admin(emu, 'DELETE', `/entities/company/${company}`);
    await admin(emu, 'DELETE', `/entities/product/${product}`);
    expect(await result(emu, 'crm.contact.get', { id: contact })).toMatchObject({ COMPANY_ID: null });
    await expectEventually(() =>
      expect(events()).toEqual(expect.arrayContaining([`ONCRMCOMPANYUPDATE:${company}`, `ONCRMCOMPANYDELETE:${company}`, `ONCRMPRODUCTDELETE:${product}`])),
    );
  });

  it('converts a lead into contact, company and deal, marking it CONVERTED', async () => {
    const lead = await result<number>(emu, 'crm.lead.add', {
      fields: { TITLE: 'Заявка с сайта', NAME: 'Пётр', LAST_NAME: 'Иванов', COMPANY_TITLE: 'ООО Ромашка', OPPORTUNITY: 5000, SOURCE_ID: 'STORE', PHONE: [{ VALUE: '+79005556677', VALUE_TYPE: 'MOBILE' }] },
    });
    const converted = await admin<{ contactId: number; companyId: number; dealId: number }>(emu, 'POST', `/leads/${lead}/convert`, {});
    expect(await result(emu, 'crm.lead.get', { id: lead })).toMatchObject({ STATUS_ID: 'CONVERTED', STATUS_SEMANTIC_ID: 'S', CONTACT_ID: String(converted.contactId), COMPANY_ID: String(converted.companyId) });
    expect(await result(emu, 'crm.deal.get', { id: converted.dealId })).toMatchObject({
      LEAD_ID: String(lead), CONTACT_ID: String(converted.contactId), COMPANY_ID: String(converted.companyId), OPPORTUNITY: '5000.00', SOURCE_ID: 'STORE', TITLE: 'Заявка с сайта',
    });
    const contact = await result<Rec>(emu, 'crm.contact.get', { id: converted.contactId });
    expect(contact).toMatchObject({ NAME: 'Пётр', LAST_NAME: 'Иванов', LEAD_ID: String(lead), COMPANY_ID: String(converted.companyId) });
    expect((contact.PHONE as Rec[])[0]).toMatchObject({ VALUE: '+79005556677', VALUE_TYPE: 'MOBILE' });
    await expectEventually(() =>
      expect(events()).toEqual(expect.arrayContaining([`ONCRMCONTACTADD:${converted.contactId}`, `ONCRMCOMPANYADD:${converted.companyId}`, `ONCRMDEALADD:${converted.dealId}`, `ONCRMLEADUPDATE:${lead}`])),
    );
  });

  it('lists entities and resets the portal to its seed', async () => {
    await result(emu, 'crm.deal.add', { fields: { TITLE: 'listed' } });
    expect(await admin<Rec[]>(emu, 'GET', '/entities/deal')).toEqual([expect.objectContaining({ TITLE: 'listed' })]);
    expect(await admin(emu, 'GET', '/state')).toMatchObject({ counts: { deal: 1 }, applicationToken: emu.applicationToken });
    await admin(emu, 'POST', '/reset', {});
    expect(await admin(emu, 'GET', '/entities/deal')).toEqual([]);
    expect(await result<Rec[]>(emu, 'crm.status.list', { filter: { ENTITY_ID: 'SOURCE', STATUS_ID: 'STORE' } })).toEqual([expect.objectContaining({ NAME: 'Интернет-магазин' })]);
  });

  it('kills the webhook of a deactivated employee', async () => {
    const hers = emu.addWebhook({ userId: 2 });
    expect(await result(hers, 'user.current')).toMatchObject({ ID: '2', UF_PHONE_INNER: '102' });
    await admin(emu, 'PATCH', '/users/2', { ACTIVE: false });
    try {
      const refused = await fetch(`${hers}user.current`);
      expect(refused.status).toBe(401);
      expect(await refused.json()).toEqual({ error: 'INVALID_CREDENTIALS', error_description: 'Invalid request credentials' });
      expect(await result(emu, 'user.current')).toMatchObject({ ID: '1' });
    } finally {
      await admin(emu, 'PATCH', '/users/2', { ACTIVE: true });
    }
  });

  it('serves the manager page', async () => {
    const response = await fetch(emu.adminUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    const html = await response.text();
    expect(html).toContain('Bitrix24 emulator');
    expect(html).toContain('/admin/api');
  });
});
