import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Contact, Harness } from './harness.js';
import { TEST_DIALECTS } from '../../support/databases.js';
import { admin, eventsSettled, expectEventually, portalCall, portalList, startHarness } from './harness.js';

interface PersonBody {
  lastName: string | null;
  firstName: string | null;
  phones: Array<{ e164: string }>;
  emails: string[];
  version: number;
  externalIds: Record<string, Record<string, string>>;
}
interface OrganizationBody {
  title: string;
  version: number;
  companyType: string | null;
  externalIds: Record<string, Record<string, string>>;
}
interface PortalMultifield {
  ID: string;
  VALUE: string;
  VALUE_TYPE: string;
}

/**
 * B24-12/13/14: a manager edits contacts and companies and converts leads on the emulated portal;
 * the events come to printsync over HTTP and the clients follow — only the phone and e-mail types
 * printsync itself writes, the company type through the mapping in settings.
 */
describe.each(TEST_DIALECTS)('Bitrix24 back-sync: contacts, companies, leads on %s', (dialect) => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ settings: { companyTypes: [{ bitrixType: 'PARTNER', companyType: 'Партнёр' }, { bitrixType: 'CUSTOMER', companyType: 'Клиент' }] }, events: true, dialect });
  });
  afterAll(async () => {
    await h?.close();
  });

  const inbox = () => h.api.services.integrations.find('bitrix24')!.context.inbox;
  const person = async (id: number) => (await h.api.request<PersonBody>('GET', `/api/v1/persons/${id}`)).body;
  const organization = async (id: number) => (await h.api.request<OrganizationBody>('GET', `/api/v1/organizations/${id}`)).body;
  const quiet = () => eventsSettled(h);
  const eventually = (check: () => Promise<void>) => expectEventually(check, { timeoutMs: 10_000, intervalMs: 50 });
  const contact = (id: string) => portalCall<Omit<Contact, 'PHONE' | 'EMAIL'> & { PHONE?: PortalMultifield[]; EMAIL?: PortalMultifield[] }>(h.b24, 'crm.contact.get', { id });

  it('a contact’s mobile phone and private e-mail change the client; work ones do not; a new name does; delete unlinks', async () => {
    const personId = await h.person({ lastName: 'Контактова', firstName: 'Вера', phones: ['+7 927 200-00-01'], emails: ['vera@example.ru'] });
    const deal = await h.dealOf((await h.order({ personId })).id);
    const contactId = deal.CONTACT_ID!;
    await quiet();
    const before = await contact(contactId);
    const mobile = before.PHONE!.find((p) => p.VALUE_TYPE === 'MOBILE')!;
    const home = before.EMAIL!.find((e) => e.VALUE_TYPE === 'HOME')!;

    // A work phone and a work e-mail added by the manager: the client stays as it was.
    const applied = (await inbox().counts()).applied;
    await admin(h.b24, 'POST', `/contacts/${contactId}/communications`, { PHONE: [{ VALUE: '+7 495 200-00-02', VALUE_TYPE: 'WORK' }], EMAIL: [{ VALUE: 'office@example.ru', VALUE_TYPE: 'WORK' }] });
    await quiet();
    expect((await inbox().counts()).applied).toBe(applied);
    let now = await person(personId);
    expect(now.phones.map((p) => p.e164)).toEqual(['+79272000001']);
    expect(now.emails).toEqual(['vera@example.ru']);

    // The mobile phone replaced: the client's phone follows; the manager's work phone is still on the contact.
    await admin(h.b24, 'POST', `/contacts/${contactId}/communications`, { PHONE: [{ ID: mobile.ID, VALUE: '+7 927 200-00-03', VALUE_TYPE: 'MOBILE' }] });
    await eventually(async () => expect((await person(personId)).phones.map((p) => p.e164)).toEqual(['+79272000003']));
    expect((await person(personId)).emails).toEqual(['vera@example.ru']);

    // The private e-mail replaced: the client's e-mail follows.
    await admin(h.b24, 'POST', `/contacts/${contactId}/communications`, { EMAIL: [{ ID: home.ID, VALUE: 'vera.new@example.ru', VALUE_TYPE: 'HOME' }] });
    await eventually(async () => expect((await person(personId)).emails).toEqual(['vera.new@example.ru']));

    // A new name.
    h.b24.manager.update('contact', Number(contactId), { NAME: 'Вероника', LAST_NAME: 'Контактова-Новая' });
    await eventually(async () => {
      now = await person(personId);
      expect([now.lastName, now.firstName]).toEqual(['Контактова-Новая', 'Вероника']);
    });
    expect(now.phones.map((p) => p.e164)).toEqual(['+79272000003']);
    await quiet();
    await new Promise((resolve) => setTimeout(resolve, 300));
    // What the manager wrote stays on the contact (printsync's writes, if any, do not undo it).
    const after = await contact(contactId);
    expect((after.PHONE ?? []).map((p) => [p.VALUE, p.VALUE_TYPE]).sort()).toEqual([
      ['+7 495 200-00-02', 'WORK'],
      ['+7 927 200-00-03', 'MOBILE'],
    ]);
    expect(after.NAME).toBe('Вероника');

    h.b24.manager.delete('contact', Number(contactId));
    await eventually(async () => expect((await person(personId)).externalIds.bitrix24?.contact).toBeUndefined());
    expect((await person(personId)).firstName).toBe('Вероника');
  });

  it('a company renamed or given another type changes the organization; delete unlinks', async () => {
    // The organization's type goes to the portal through «Типы компаний» read backwards.
    const organizationId = await h.organization({ title: 'ООО «Старое имя»', companyType: 'Клиент' });
    const personId = await h.person({ firstName: 'Олег', phones: ['+7 927 200-00-10'], organizationId });
    const deal = await h.dealOf((await h.order({ personId, organizationId })).id);
    const companyId = deal.COMPANY_ID!;
    expect((await portalCall<{ COMPANY_TYPE: string }>(h.b24, 'crm.company.get', { id: companyId })).COMPANY_TYPE).toBe('CUSTOMER');
    await quiet();

    await admin(h.b24, 'POST', `/companies/${companyId}/rename`, { title: 'ООО «Новое имя»' });
    await eventually(async () => expect((await organization(organizationId)).title).toBe('ООО «Новое имя»'));

    h.b24.manager.update('company', Number(companyId), { COMPANY_TYPE: 'PARTNER' });
    await eventually(async () => expect((await organization(organizationId)).companyType).toBe('Партнёр'));
    // A type without a row in the mapping leaves the organization's type alone.
    h.b24.manager.update('company', Number(companyId), { COMPANY_TYPE: 'COMPETITOR', TITLE: 'ООО «Третье имя»' });
    await eventually(async () => expect((await organization(organizationId)).title).toBe('ООО «Третье имя»'));
    expect((await organization(organizationId)).companyType).toBe('Партнёр');
    // A change made in printsync sends the portal's code, never the shop's word for it.
    const current = await organization(organizationId);
    expect((await h.api.request('PATCH', `/api/v1/organizations/${organizationId}`, { version: current.version, title: 'ООО «Четвёртое имя»' })).status).toBe(200);
    await eventually(async () => expect((await portalCall<{ TITLE: string }>(h.b24, 'crm.company.get', { id: companyId })).TITLE).toBe('ООО «Четвёртое имя»'));
    expect((await portalCall<{ COMPANY_TYPE: string }>(h.b24, 'crm.company.get', { id: companyId })).COMPANY_TYPE).toBe('PARTNER');
    await quiet();

    h.b24.manager.delete('company', Number(companyId));
    await eventually(async () => expect((await organization(organizationId)).externalIds.bitrix24?.company).toBeUndefined());
    expect((await organization(organizationId)).title).toBe('ООО «Четвёртое имя»');
  });

  it('a lead converted by a manager: its contact, company and deal are linked to the client and the client’s order', async () => {
    // Only organizations' orders go to Bitrix24 as deals here, so the private client's order has none.
    await h.connect({ leadsEnabled: true, orderTypes: 'organizations' });
    try {
      const personId = await h.person({ lastName: 'Лидова', firstName: 'Ольга', phones: ['+7 927 300-00-01'], emails: ['olga@example.ru'] });
      const leadId = await expectEventually(async () => {
        const id = (await person(personId)).externalIds.bitrix24?.lead;
        expect(id).toBeTruthy();
        return id!;
      });
      const created = await h.order({ personId });
      await h.exported(created.id, 'skipped');
      expect(await h.dealsOf(created.id)).toEqual([]);

      const made = await admin<{ contactId: number; companyId: number | null; dealId: number }>(h.b24, 'POST', `/leads/${leadId}/convert`, {});
      await eventually(async () => {
        expect((await person(personId)).externalIds.bitrix24?.contact).toBe(String(made.contactId));
        const order = await h.api.request<{ externalIds: Record<string, Record<string, string>> }>('GET', `/api/v1/orders/${created.id}`);
        expect(order.body.externalIds.bitrix24?.deal).toBe(String(made.dealId));
      });
      // The contact is the one made from the lead: no second one for the same client.
      expect(await portalList(h.b24, 'crm.contact.list', { filter: { LAST_NAME: 'Лидова' } })).toHaveLength(1);
    } finally {
      await h.connect({ leadsEnabled: false, orderTypes: 'all' });
    }
  });

  it('a lead deleted by a manager unlinks the client; the client stays', async () => {
    await h.connect({ leadsEnabled: true });
    try {
      const personId = await h.person({ lastName: 'Удалённая', firstName: 'Лида', phones: ['+7 927 300-00-09'] });
      const leadId = await expectEventually(async () => {
        const id = (await person(personId)).externalIds.bitrix24?.lead;
        expect(id).toBeTruthy();
        return id!;
      });
      h.b24.manager.delete('lead', Number(leadId));
      await eventually(async () => expect((await person(personId)).externalIds.bitrix24?.lead).toBeUndefined());
      expect((await person(personId)).lastName).toBe('Удалённая');
    } finally {
      await h.connect({ leadsEnabled: false });
    }
  });

  it('an organization’s lead converted: the new company is linked to the organization', async () => {
    await h.connect({ leadsEnabled: true, orderTypes: 'persons' });
    try {
      const organizationId = await h.organization({ title: 'ООО «Лид-компания»' });
      const leadId = await expectEventually(async () => {
        const id = (await organization(organizationId)).externalIds.bitrix24?.lead;
        expect(id).toBeTruthy();
        return id!;
      });
      const made = await admin<{ contactId: number | null; companyId: number; dealId: number }>(h.b24, 'POST', `/leads/${leadId}/convert`, {});
      expect(made.companyId).toBeTruthy();
      await eventually(async () => expect((await organization(organizationId)).externalIds.bitrix24?.company).toBe(String(made.companyId)));
    } finally {
      await h.connect({ leadsEnabled: false, orderTypes: 'all' });
    }
  });
});
