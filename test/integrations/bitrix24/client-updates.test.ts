import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Contact, Harness } from './harness.js';
import { admin, expectEventually, portalCall, startHarness } from './harness.js';

/** A client changed in printsync after Bitrix24 has it: its contact or company follows. */
describe('Bitrix24 export: client changes', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  const contact = (id: string) => portalCall<Contact & { SECOND_NAME: string }>(h.b24, 'crm.contact.get', { id });

  it('a new phone and e-mail and a new name replace ours on the contact; a work phone a manager added stays', async () => {
    const personId = await h.person({ lastName: 'Кузнецова', firstName: 'Ирина', phones: ['+7 916 100-20-30'], emails: ['irina@example.ru'] });
    const deal = await h.dealOf((await h.order({ personId })).id);
    const contactId = deal.CONTACT_ID!;
    // A manager adds a work phone in Bitrix24.
    await admin(h.b24, 'POST', `/contacts/${contactId}/communications`, { PHONE: [{ VALUE: '+7 495 111-22-33', VALUE_TYPE: 'WORK' }] });
    const person = (await h.api.request<{ version: number }>('GET', `/api/v1/persons/${personId}`)).body;
    const patched = await h.api.request('PATCH', `/api/v1/persons/${personId}`, {
      version: person.version,
      lastName: 'Кузнецова-Белова',
      phones: ['8 (916) 999-88-77'],
      emails: ['Irina.Belova@Example.ru'],
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    await expectEventually(async () => {
      const now = await contact(contactId);
      expect(now.LAST_NAME).toBe('Кузнецова-Белова');
      expect(now.NAME).toBe('Ирина');
      expect((now.PHONE ?? []).map((p) => [p.VALUE, p.VALUE_TYPE]).sort()).toEqual([
        ['+7 495 111-22-33', 'WORK'],
        ['+79169998877', 'MOBILE'],
      ]);
      expect((now.EMAIL ?? []).map((e) => [e.VALUE, e.VALUE_TYPE])).toEqual([['irina.belova@example.ru', 'HOME']]);
    });
    // Still one contact for this person.
    expect(await h.contactsWith({ ORIGIN_ID: `person-${personId}` })).toHaveLength(1);
  });

  it('a renamed organization renames its company', async () => {
    const organizationId = await h.organization({ title: 'ООО «Ромашка»' });
    const personId = await h.person({ lastName: 'Сотрудников', firstName: 'Сергей', organizationId, phones: ['+7 917 555-44-33'] });
    const deal = await h.dealOf((await h.order({ personId, organizationId })).id);
    const organization = (await h.api.request<{ version: number }>('GET', `/api/v1/organizations/${organizationId}`)).body;
    const patched = await h.api.request('PATCH', `/api/v1/organizations/${organizationId}`, { version: organization.version, title: 'ООО «Ромашка и партнёры»' });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    await expectEventually(async () => {
      const company = await portalCall<{ TITLE: string }>(h.b24, 'crm.company.get', { id: deal.COMPANY_ID });
      expect(company.TITLE).toBe('ООО «Ромашка и партнёры»');
    });
  });

  it('a change of a client Bitrix24 does not have yet sends nothing', async () => {
    const personId = await h.person({ lastName: 'Новиков', firstName: 'Олег', phones: ['+7 918 000-00-01'] });
    const person = (await h.api.request<{ version: number }>('GET', `/api/v1/persons/${personId}`)).body;
    await h.api.request('PATCH', `/api/v1/persons/${personId}`, { version: person.version, firstName: 'Олег Петрович' });
    // The change is committed with its (skipped) subscription in one transaction: nothing is queued for it.
    const jobs = await h.api.request<Array<{ payload: { entityId?: number } }>>('GET', '/api/v1/jobs?name=bitrix24.exportClient&limit=500');
    expect(jobs.status).toBe(200);
    expect(jobs.body.filter((j) => j.payload.entityId === personId)).toEqual([]);
    expect(await h.contactsWith({ ORIGIN_ID: `person-${personId}` })).toEqual([]);
  });
});
