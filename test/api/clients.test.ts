import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DIALECTS } from '../support/databases.js';
import { startTestApi } from '../support/api-server.js';
import type { TestApi } from '../support/api-server.js';

interface PersonBody {
  id: number;
  fullName: string;
  phones: Array<{ e164: string; extension: string | null }>;
  emails: string[];
  externalIds: Record<string, Record<string, string>>;
  version: number;
  organizationId: number | null;
}

describe.each(TEST_DIALECTS)('clients API on %s', (dialect) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi(dialect);
  });
  afterAll(async () => api?.close());

  it('creates a person with phones normalized to E.164 and e-mails lower-cased', async () => {
    const created = await api.request<PersonBody>('POST', '/api/v1/persons', {
      lastName: 'Иванова',
      firstName: 'Мария',
      phones: ['8 (912) 345-67-89', '+7 912 345 67 89 доб. 12'],
      emails: ['  Maria.Ivanova@Example.RU '],
    });
    expect(created.status).toBe(201);
    expect(created.body.fullName).toBe('Иванова Мария');
    expect(created.body.phones).toEqual([
      { e164: '+79123456789', extension: null },
      { e164: '+79123456789', extension: '12' },
    ]);
    expect(created.body.emails).toEqual(['maria.ivanova@example.ru']);

    const read = await api.request<PersonBody>('GET', `/api/v1/persons/${created.body.id}`);
    expect(read.body).toEqual(created.body);
  });

  it('finds persons by a phone typed any way, and by a Cyrillic name in another case', async () => {
    const created = await api.request<PersonBody>('POST', '/api/v1/persons', { lastName: 'Петров', phones: ['+7 (903) 111-22-33'] });
    const byPhone = await api.request<{ items: PersonBody[] }>('GET', `/api/v1/persons?phone=${encodeURIComponent('8 903 111 22 33')}`);
    expect(byPhone.body.items.map((p) => p.id)).toEqual([created.body.id]);
    const byName = await api.request<{ items: PersonBody[] }>('GET', `/api/v1/persons?search=${encodeURIComponent('пЕтРоВ')}`);
    expect(byName.body.items.map((p) => p.id)).toEqual([created.body.id]);
  });

  it('rejects an invalid phone and e-mail naming the field, and stores nothing', async () => {
    const before = await api.request<{ items: PersonBody[] }>('GET', '/api/v1/persons?limit=200');
    const bad = await api.request<{ code: string; details: Array<{ path: string }> }>('POST', '/api/v1/persons', {
      lastName: 'Сидоров',
      phones: ['+7 912 345 67 89', '12345'],
      emails: ['not-an-email'],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('validation_failed');
    expect(bad.body.details.map((d) => d.path).sort()).toEqual(['body.emails[0]', 'body.phones[1]']);
    const after = await api.request<{ items: PersonBody[] }>('GET', '/api/v1/persons?limit=200');
    expect(after.body.items.length).toBe(before.body.items.length);
  });

  it('keeps organizations with employees and editable external ids', async () => {
    const org = await api.request<{ id: number; version: number; externalIds: object }>('POST', '/api/v1/organizations', {
      title: 'ООО «Типография Север»',
      inn: '7707083893',
      kpp: '773601001',
      companyType: 'CUSTOMER',
    });
    expect(org.status).toBe(201);
    const employee = await api.request<PersonBody>('POST', '/api/v1/persons', { firstName: 'Олег', organizationId: org.body.id });
    expect(employee.body.organizationId).toBe(org.body.id);
    const employees = await api.request<{ items: PersonBody[] }>('GET', `/api/v1/organizations/${org.body.id}/employees`);
    expect(employees.body.items.map((p) => p.id)).toEqual([employee.body.id]);

    const linked = await api.request<{ externalIds: object; version: number }>('PATCH', `/api/v1/organizations/${org.body.id}`, {
      externalIds: { bitrix24: { company: '31', contact: '77' } },
      version: org.body.version,
    });
    expect(linked.status).toBe(200);
    expect(linked.body.externalIds).toEqual({ bitrix24: { company: '31', contact: '77' } });

    const unlinked = await api.request<{ externalIds: object }>('PATCH', `/api/v1/organizations/${org.body.id}`, {
      externalIds: { bitrix24: { contact: null } },
    });
    expect(unlinked.body.externalIds).toEqual({ bitrix24: { company: '31' } });

    const stale = await api.request<{ code: string }>('PATCH', `/api/v1/organizations/${org.body.id}`, {
      title: 'Другое',
      version: org.body.version,
    });
    expect(stale.status).toBe(409);
    expect((await api.request<{ title: string }>('GET', `/api/v1/organizations/${org.body.id}`)).body.title).toBe('ООО «Типография Север»');
  });

  it('refuses an INN with a wrong check digit', async () => {
    const bad = await api.request<{ details: Array<{ path: string }> }>('POST', '/api/v1/organizations', { title: 'X', inn: '7707083894' });
    expect(bad.status).toBe(400);
    expect(bad.body.details[0]?.path).toBe('body.inn');
  });

  it('refuses one external id linked to two clients', async () => {
    const a = await api.request<PersonBody>('POST', '/api/v1/persons', { firstName: 'A', externalIds: { bitrix24: { contact: '500' } } });
    expect(a.status).toBe(201);
    const b = await api.request<{ code: string }>('POST', '/api/v1/persons', { firstName: 'B', externalIds: { bitrix24: { contact: '500' } } });
    expect(b.status).toBe(409);
  });

  it('answers 409, not 500, when parallel requests link one external id to two persons', async () => {
    const responses = await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        api.request('POST', '/api/v1/persons', { firstName: `Race${i}`, externalIds: { bitrix24: { contact: `race-${dialect}` } } }),
      ),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
  });

  it('applies parallel updates of one person one after the other: one wins a version, no field is lost', async () => {
    const person = await api.request<PersonBody>('POST', '/api/v1/persons', { lastName: 'Гонка', firstName: 'Анна' });
    const sameVersion = await Promise.all(
      Array.from({ length: 4 }, (_, i) => api.request('PATCH', `/api/v1/persons/${person.body.id}`, { middleName: `V${i}`, version: 1 })),
    );
    expect(sameVersion.map((r) => r.status).sort()).toEqual([200, 409, 409, 409]);

    // Without a version each patch changes only its own field; neither may undo the other.
    const [a, b] = await Promise.all([
      api.request('PATCH', `/api/v1/persons/${person.body.id}`, { lastName: 'Гонкина' }),
      api.request('PATCH', `/api/v1/persons/${person.body.id}`, { emails: ['anna@example.ru'] }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const read = await api.request<PersonBody & { lastName: string }>('GET', `/api/v1/persons/${person.body.id}`);
    expect(read.body).toMatchObject({ lastName: 'Гонкина', emails: ['anna@example.ru'], version: 4 });

    const organization = await api.request<{ id: number }>('POST', '/api/v1/organizations', { title: 'ООО Гонка' });
    const orgUpdates = await Promise.all(
      Array.from({ length: 4 }, (_, i) => api.request('PATCH', `/api/v1/organizations/${organization.body.id}`, { title: `ООО ${i}`, version: 1 })),
    );
    expect(orgUpdates.map((r) => r.status).sort()).toEqual([200, 409, 409, 409]);
  });

  it('pages through persons with a cursor, newest first, without repeats', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push((await api.request<PersonBody>('POST', '/api/v1/persons', { firstName: `Page${i}` })).body.id);
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${cursor}` : '';
      const page: { body: { items: PersonBody[]; nextCursor: string | null } } = await api.request('GET', `/api/v1/persons?limit=2${query}`);
      seen.push(...page.body.items.map((p) => p.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.slice(0, 5)).toEqual([...ids].reverse());
  });
});
