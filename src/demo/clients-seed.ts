import type { Organization, Person } from '../domain/clients.js';
import { organizationCreateSchema, personCreateSchema } from '../domain/clients.js';
import type { OrganizationStore } from '../store/organizations.js';
import type { PersonStore } from '../store/persons.js';

/** Demo clients: people who order photo prints and t-shirts, companies that order cards and flyers. */
const DEMO_PERSONS = [
  { lastName: 'Иванова', firstName: 'Мария', middleName: 'Сергеевна', phones: ['+7 912 345-67-89'], emails: ['maria.ivanova@example.ru'] },
  { lastName: 'Петров', firstName: 'Алексей', middleName: 'Игоревич', phones: ['8 (903) 111-22-33'], emails: ['a.petrov@example.ru'] },
  { lastName: 'Смирнова', firstName: 'Екатерина', phones: ['+7 916 200-10-20'], emails: ['katya.smirnova@example.ru'] },
  { lastName: 'Кузнецов', firstName: 'Дмитрий', phones: ['+7 925 555-44-33'], emails: [] },
  { lastName: 'Волкова', firstName: 'Анна', middleName: 'Павловна', phones: [], emails: ['anna.volkova@example.ru'] },
  { lastName: 'Соколов', firstName: 'Илья', phones: ['+7 999 123-45-67'], emails: ['ilya@example.ru'], isGuest: true },
  { lastName: 'Морозова', firstName: 'Ольга', phones: ['+7 921 765-43-21'], emails: ['olga.morozova@example.ru'] },
  { lastName: 'Новиков', firstName: 'Сергей', phones: ['+7 901 000-11-22 доб. 105'], emails: ['s.novikov@example.ru'] },
];

const DEMO_ORGANIZATIONS = [
  {
    organization: { title: 'ООО «Кофейня на Пятницкой»', inn: '7707083893', kpp: '773601001', companyType: 'Клиент' },
    employees: [{ lastName: 'Белова', firstName: 'Ирина', phones: ['+7 495 123-45-67 доб. 12'], emails: ['marketing@coffee-pyatnitskaya.example.ru'] }],
  },
  {
    organization: { title: 'АО «СтройИнвест»', inn: '5008004581', kpp: '500801001', companyType: 'Клиент' },
    employees: [
      { lastName: 'Григорьев', firstName: 'Павел', phones: ['+7 926 300-20-10'], emails: ['p.grigoriev@stroyinvest.example.ru'] },
      { lastName: 'Орлова', firstName: 'Наталья', phones: [], emails: ['office@stroyinvest.example.ru'] },
    ],
  },
  {
    organization: { title: 'ИП Захаров Андрей Викторович', inn: '500100732259', companyType: 'Клиент' },
    employees: [{ lastName: 'Захаров', firstName: 'Андрей', middleName: 'Викторович', phones: ['+7 915 777-88-99'], emails: ['zakharov@example.ru'] }],
  },
];

export interface SeededClients {
  persons: Person[];
  organizations: Array<{ organization: Organization; employees: Person[] }>;
}

/** Creates the demo clients through the stores, so they pass the same validation as the API. */
export async function seedClients(stores: { persons: PersonStore; organizations: OrganizationStore }): Promise<SeededClients> {
  const persons: Person[] = [];
  for (const person of DEMO_PERSONS) persons.push(await stores.persons.create(personCreateSchema.parse(person)));
  const organizations: SeededClients['organizations'] = [];
  for (const seed of DEMO_ORGANIZATIONS) {
    const organization = await stores.organizations.create(organizationCreateSchema.parse(seed.organization));
    const employees: Person[] = [];
    for (const employee of seed.employees) {
      employees.push(await stores.persons.create(personCreateSchema.parse({ ...employee, organizationId: organization.id })));
    }
    organizations.push({ organization, employees });
  }
  return { persons, organizations };
}
