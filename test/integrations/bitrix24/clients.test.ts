import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Contact, Deal, Harness } from './harness.js';
import { admin, expectEventually, portalCall, portalList, startHarness } from './harness.js';

/** B24-7 clients, B24-2 order types, B24-4 responsible, B24-8 leads, B24-9 «Отправить в Битрикс24». */
describe('Bitrix24 export: clients, order types, responsible, leads, manual send', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  const phonesOf = (contact: Contact) => (contact.PHONE ?? []).map((p) => p.VALUE.replace(/\D/g, ''));

  it('one person with several orders is one contact, whatever way the phone was typed', async () => {
    const personId = await h.person({ lastName: 'Орлова', firstName: 'Вера', phones: ['+7 (913) 111-22-33'] });
    const first = await h.order({ personId });
    const second = await h.order({ personId });
    const deals = [await h.dealOf(first.id), await h.dealOf(second.id)];
    expect(deals[0]!.CONTACT_ID).toBeTruthy();
    expect(deals[1]!.CONTACT_ID).toBe(deals[0]!.CONTACT_ID);
    const contacts = (await h.contactsWith({})).filter((c) => phonesOf(c).includes('79131112233'));
    expect(contacts.map((c) => c.ID)).toEqual([deals[0]!.CONTACT_ID]);
  });

  it('the same phone typed three ways on three clients makes one contact', async () => {
    const ids = [];
    for (const phone of ['+7 (914) 345-67-89', '89143456789', '79143456789']) ids.push(await h.person({ firstName: 'Клиент', lastName: `Телефон ${phone}`, phones: [phone] }));
    const deals: Deal[] = [];
    for (const personId of ids) deals.push(await h.dealOf((await h.order({ personId })).id));
    const contacts = (await h.contactsWith({})).filter((c) => phonesOf(c).includes('79143456789'));
    expect(contacts).toHaveLength(1);
    expect(new Set(deals.map((d) => d.CONTACT_ID))).toEqual(new Set([contacts[0]!.ID]));
  });

  it('a contact a manager already made in the portal (phone «8 912 345 67 89») is found and reused, not duplicated', async () => {
    const { id: managerContact } = await admin<{ id: number }>(h.b24, 'POST', '/entities/contact', {
      fields: { NAME: 'Пётр', LAST_NAME: 'Менеджерский', PHONE: [{ VALUE: '8 912 345 67 89', VALUE_TYPE: 'WORK' }] },
    });
    const personId = await h.person({ lastName: 'Петров', firstName: 'Пётр', phones: ['+7 912 345-67-89'] });
    const order = await h.order({ personId });
    const deal = await h.dealOf(order.id);
    expect(deal.CONTACT_ID).toBe(String(managerContact));
    const withPhone = (await h.contactsWith({})).filter((c) => phonesOf(c).some((p) => p.endsWith('9123456789')));
    expect(withPhone.map((c) => c.ID)).toEqual([String(managerContact)]);
    expect((await h.externalIds(`/api/v1/persons/${personId}`)).bitrix24?.contact).toBe(String(managerContact));
  });

  it('a contact the portal holds with the same e-mail is reused', async () => {
    const managerContact = await portalCall<number>(h.b24, 'crm.contact.add', { fields: { NAME: 'Ольга', EMAIL: [{ VALUE: 'Olga@Example.ru', VALUE_TYPE: 'WORK' }] } });
    const personId = await h.person({ firstName: 'Ольга', emails: ['olga@example.ru'] });
    const deal = await h.dealOf((await h.order({ personId })).id);
    expect(deal.CONTACT_ID).toBe(String(managerContact));
    const sameMail = (await h.contactsWith({})).filter((c) => (c.EMAIL ?? []).some((e) => e.VALUE.toLowerCase() === 'olga@example.ru'));
    expect(sameMail).toHaveLength(1);
  });

  it('an organization becomes a company, its employee a contact of it, and the deal names both', async () => {
    const organizationId = await h.organization({ title: 'ООО «Ромашка»', inn: '7707083893' });
    const personId = await h.person({ lastName: 'Кузнецов', firstName: 'Иван', phones: ['+7 915 000-11-22'], organizationId });
    const deal = await h.dealOf((await h.order({ personId, organizationId })).id);
    expect(deal.COMPANY_ID).toBeTruthy();
    expect(deal.CONTACT_ID).toBeTruthy();
    const company = await portalCall<{ TITLE: string }>(h.b24, 'crm.company.get', { id: deal.COMPANY_ID });
    expect(company.TITLE).toBe('ООО «Ромашка»');
    const contact = await portalCall<Contact>(h.b24, 'crm.contact.get', { id: deal.CONTACT_ID });
    expect(contact.LAST_NAME).toBe('Кузнецов');
    expect(String(contact.COMPANY_ID)).toBe(deal.COMPANY_ID);
    expect((await h.externalIds(`/api/v1/organizations/${organizationId}`)).bitrix24?.company).toBe(deal.COMPANY_ID);
  });

  it('order types: «only persons» skips organizations\' orders and «only organizations» the others, with a «skipped» entry', async () => {
    const organizationId = await h.organization({ title: 'ИП Типов' });
    const employee = await h.person({ firstName: 'Сотрудник', phones: ['+7 916 000-00-01'], organizationId });
    const privatePerson = await h.person({ firstName: 'Частник', phones: ['+7 916 000-00-02'] });
    try {
      await h.connect({ orderTypes: 'persons' });
      const skipped = await h.order({ personId: employee, organizationId });
      const sent = await h.order({ personId: privatePerson });
      await h.dealOf(sent.id);
      const entry = await h.exported(skipped.id, 'skipped');
      expect(JSON.stringify(entry.request)).toContain('частных лиц');
      expect(await h.dealsOf(skipped.id)).toEqual([]);

      await h.connect({ orderTypes: 'organizations' });
      const orgOrder = await h.order({ personId: employee, organizationId });
      const personOrder = await h.order({ personId: privatePerson });
      await h.dealOf(orgOrder.id);
      await h.exported(personOrder.id, 'skipped');
      expect(await h.dealsOf(personOrder.id)).toEqual([]);
    } finally {
      await h.connect({ orderTypes: 'all' });
    }
  });

  it('the responsible is the chosen employee, or the webhook\'s own when none is chosen', async () => {
    const personId = await h.person({ firstName: 'Ответственность', phones: ['+7 917 000-00-03'] });
    try {
      await h.connect({ responsibleId: 3 });
      expect((await h.dealOf((await h.order({ personId })).id)).ASSIGNED_BY_ID).toBe('3');
      await h.connect({ responsibleId: null });
      const webhookUser = Number(new URL(h.b24.webhookUrl).pathname.split('/')[2]);
      expect((await h.dealOf((await h.order({ personId })).id)).ASSIGNED_BY_ID).toBe(String(webhookUser));
    } finally {
      await h.connect({ responsibleId: null });
    }
  });

  it('leads: with the toggle on a registration becomes a lead, an organization with an employee two; off, none', async () => {
    try {
      await h.connect({ leadsEnabled: true });
      const personId = await h.person({ lastName: 'Лидова', firstName: 'Анна', phones: ['+7 918 000-00-04'], emails: ['lead@example.ru'] });
      const lead = await expectEventually(async () => {
        const leads = await portalList<{ ID: string; NAME: string; PHONE?: Array<{ VALUE: string }> }>(h.b24, 'crm.lead.list', { filter: { ORIGIN_ID: `person-${personId}` }, select: ['*', 'PHONE'] });
        expect(leads).toHaveLength(1);
        return leads[0]!;
      });
      expect(lead.NAME).toBe('Анна');
      expect(lead.PHONE?.map((p) => p.VALUE)).toEqual(['+79180000004']);
      await expectEventually(async () => expect((await h.externalIds(`/api/v1/persons/${personId}`)).bitrix24?.lead).toBe(lead.ID));

      const organizationId = await h.organization({ title: 'ООО «Лидер»' });
      const employee = await h.person({ firstName: 'Борис', phones: ['+7 918 000-00-05'], organizationId });
      await expectEventually(async () => {
        const orgLeads = await portalList<{ ID: string; TITLE: string; COMPANY_TITLE: string }>(h.b24, 'crm.lead.list', { filter: { ORIGIN_ID: `organization-${organizationId}` }, select: ['*'] });
        const employeeLeads = await portalList<{ ID: string; COMPANY_TITLE: string }>(h.b24, 'crm.lead.list', { filter: { ORIGIN_ID: `person-${employee}` }, select: ['*'] });
        expect(orgLeads).toHaveLength(1);
        expect(employeeLeads).toHaveLength(1);
        expect(employeeLeads[0]!.COMPANY_TITLE).toBe('ООО «Лидер»');
      });
      // The employee's later order refers to their lead.
      const employeeLead = await expectEventually(async () => {
        const id = (await h.externalIds(`/api/v1/persons/${employee}`)).bitrix24?.lead;
        expect(id).toBeTruthy();
        return id!;
      });
      const deal = await h.dealOf((await h.order({ personId: employee, organizationId })).id);
      // LEAD_ID is read-only on deals: the lead is named in printsync's deal field.
      expect((deal as unknown as Record<string, unknown>).UF_CRM_PRINTSYNC_LEAD).toBe(employeeLead);

      await h.connect({ leadsEnabled: false });
      const quiet = await h.person({ firstName: 'Тихон', phones: ['+7 918 000-00-06'] });
      const marker = await h.person({ firstName: 'Маркер' });
      await h.dealOf((await h.order({ personId: marker })).id);
      expect(await portalList(h.b24, 'crm.lead.list', { filter: { ORIGIN_ID: `person-${quiet}` } })).toEqual([]);
    } finally {
      await h.connect({ leadsEnabled: false });
    }
  });

  it('«Отправить в Битрикс24» makes the contact or the company, and the id shows on the card', async () => {
    const personId = await h.person({ lastName: 'Ручная', firstName: 'Мария', phones: ['+7 919 000-00-07'], emails: ['manual@example.ru'] });
    expect((await h.externalIds(`/api/v1/persons/${personId}`)).bitrix24?.contact).toBeUndefined();
    const sent = await h.api.request<{ jobId: string }>('POST', `/api/v1/integrations/bitrix24/persons/${personId}/send`);
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    const contactId = await expectEventually(async () => {
      const id = (await h.externalIds(`/api/v1/persons/${personId}`)).bitrix24?.contact;
      expect(id).toBeTruthy();
      return id!;
    });
    const contact = await portalCall<Contact>(h.b24, 'crm.contact.get', { id: contactId });
    expect([contact.LAST_NAME, contact.NAME]).toEqual(['Ручная', 'Мария']);
    expect(contact.ORIGIN_ID).toBe(`person-${personId}`);

    const organizationId = await h.organization({ title: 'АО «Ручной режим»' });
    const employee = await h.person({ firstName: 'Сергей', phones: ['+7 919 000-00-08'], organizationId });
    const orgSent = await h.api.request('POST', `/api/v1/integrations/bitrix24/organizations/${organizationId}/send`);
    expect(orgSent.status, JSON.stringify(orgSent.body)).toBe(200);
    const companyId = await expectEventually(async () => {
      const id = (await h.externalIds(`/api/v1/organizations/${organizationId}`)).bitrix24?.company;
      expect(id).toBeTruthy();
      return id!;
    });
    expect((await portalCall<{ TITLE: string }>(h.b24, 'crm.company.get', { id: companyId })).TITLE).toBe('АО «Ручной режим»');
    const employeeContact = await expectEventually(async () => {
      const id = (await h.externalIds(`/api/v1/persons/${employee}`)).bitrix24?.contact;
      expect(id).toBeTruthy();
      return id!;
    });
    expect(String((await portalCall<Contact>(h.b24, 'crm.contact.get', { id: employeeContact })).COMPANY_ID)).toBe(companyId);

    // Sending again makes nothing new.
    await h.api.request('POST', `/api/v1/integrations/bitrix24/persons/${personId}/send`);
    await expectEventually(async () => {
      const entries = (await h.syncLog('person', personId)).filter((e) => e.operation === 'contact.export');
      expect(entries).toHaveLength(2);
      expect(entries.every((e) => e.outcome === 'ok' && e.externalId === contactId)).toBe(true);
    });
    expect((await h.contactsWith({ ORIGIN_ID: `person-${personId}` })).map((c) => c.ID)).toEqual([contactId]);
  });
});
