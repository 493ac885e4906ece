import type { Person } from '../../../domain/clients.js';
import { emailInputSchema, phoneInputSchema } from '../../../domain/clients.js';
import type { IntegrationContext } from '../../../platform/context.js';
import { printsyncCompanyType } from '../mapping/clients.js';
import type { Bitrix24Settings } from '../settings.js';
import type { Bitrix24Transport } from '../transport/client.js';
import type { Applied, LinkedEntity, RecordApplier } from './appliers.js';
import { modifiedAt, olderThanApplied, unlink } from './fetch.js';

interface Multifield {
  VALUE: string;
  VALUE_TYPE: string;
}

interface PortalContact {
  NAME?: string | null;
  LAST_NAME?: string | null;
  SECOND_NAME?: string | null;
  PHONE?: Multifield[];
  EMAIL?: Multifield[];
  DATE_MODIFY?: string;
}

interface PortalCompany {
  TITLE: string;
  COMPANY_TYPE?: string | null;
  DATE_MODIFY?: string;
}

const blankToNull = (value: string | null | undefined) => (value && value.trim() ? value.trim() : null);

/**
 * A contact changed in Bitrix24 (B24-12): the client takes its name, its phones of type
 * «Мобильный» and its e-mails of type «Частный» — the types printsync writes; others (a work
 * phone) are the manager's own and ignored, as the seed says. A contact that already says what the
 * client says (printsync's own write coming back) changes nothing, and a state older than the one
 * last applied is never applied.
 */
export const contactApplier: RecordApplier<PortalContact> = {
  get: 'crm.contact.get',
  list: 'crm.contact.list',
  select: ['ID', 'NAME', 'LAST_NAME', 'SECOND_NAME', 'PHONE', 'EMAIL', 'DATE_MODIFY'],
  linkTypes: ['person'],
  unlinked: 'контакт не связан с клиентом printsync',
  apply: applyContact,
};

async function applyContact(context: IntegrationContext<Bitrix24Settings>, _transport: Bitrix24Transport, linked: LinkedEntity, contact: PortalContact | null): Promise<Applied> {
  if (!contact) {
    await unlink(context, linked, 'contact');
    return { outcome: 'applied', note: 'контакт удалён в Битрикс24: связь снята, клиент остался', entity: linked };
  }
  const fresh = await freshness(context, linked, contact.DATE_MODIFY, 'контакта');
  if (fresh.stale) return fresh.stale;
  const person = await context.stores.persons.get(linked.entityId);
  const phones = (contact.PHONE ?? []).filter((p) => p.VALUE_TYPE === 'MOBILE').flatMap((p) => {
    const parsed = phoneInputSchema.safeParse(p.VALUE);
    return parsed.success ? [parsed.data] : [];
  });
  const emails = (contact.EMAIL ?? []).filter((e) => e.VALUE_TYPE === 'HOME').flatMap((e) => {
    const parsed = emailInputSchema.safeParse(e.VALUE);
    return parsed.success ? [parsed.data] : [];
  });
  const wanted = { lastName: blankToNull(contact.LAST_NAME), firstName: blankToNull(contact.NAME), middleName: blankToNull(contact.SECOND_NAME), phones, emails };
  if (samePerson(person, wanted)) return { outcome: 'echo', note: 'контакт совпадает с клиентом', entity: linked };
  await context.stores.persons.update(person.id, wanted);
  await fresh.remember();
  return { outcome: 'applied', note: 'имя, мобильные телефоны и частные e-mail из контакта', entity: linked };
}

function samePerson(person: Person, wanted: { lastName: string | null; firstName: string | null; middleName: string | null; phones: Person['phones']; emails: string[] }): boolean {
  const phones = (list: Person['phones']) => list.map((p) => `${p.e164},${p.extension ?? ''}`).sort().join(' ');
  return (
    person.lastName === wanted.lastName &&
    person.firstName === wanted.firstName &&
    person.middleName === wanted.middleName &&
    phones(person.phones) === phones(wanted.phones) &&
    [...person.emails].sort().join(' ') === [...wanted.emails].sort().join(' ')
  );
}

/** A company changed in Bitrix24 (B24-13): the organization takes its title and its type (through the mapping in settings). */
export const companyApplier: RecordApplier<PortalCompany> = {
  get: 'crm.company.get',
  list: 'crm.company.list',
  select: ['ID', 'TITLE', 'COMPANY_TYPE', 'DATE_MODIFY'],
  linkTypes: ['organization'],
  unlinked: 'компания не связана с организацией printsync',
  apply: applyCompany,
};

async function applyCompany(context: IntegrationContext<Bitrix24Settings>, _transport: Bitrix24Transport, linked: LinkedEntity, company: PortalCompany | null): Promise<Applied> {
  if (!company) {
    await unlink(context, linked, 'company');
    return { outcome: 'applied', note: 'компания удалена в Битрикс24: связь снята, организация осталась', entity: linked };
  }
  const fresh = await freshness(context, linked, company.DATE_MODIFY, 'компании');
  if (fresh.stale) return fresh.stale;
  const organization = await context.stores.organizations.get(linked.entityId);
  const { settings } = await context.settings.require();
  const mapped = printsyncCompanyType(company.COMPANY_TYPE, settings.companyTypes);
  const title = company.TITLE.trim() || organization.title;
  const companyType = mapped ?? organization.companyType;
  if (title === organization.title && companyType === organization.companyType) return { outcome: 'echo', note: 'компания совпадает с организацией', entity: linked };
  await context.stores.organizations.update(organization.id, { title, companyType });
  await fresh.remember();
  return { outcome: 'applied', note: `название${mapped ? ' и тип' : ''} из компании`, entity: linked };
}


/**
 * The record's DATE_MODIFY against the one last applied to the entity (B24-16): a stale outcome
 * when it is older, and `remember` to record it once a change is applied.
 */
async function freshness(context: IntegrationContext<Bitrix24Settings>, linked: LinkedEntity, dateModify: string | undefined, what: string): Promise<{ stale: Applied | null; remember(): Promise<void> }> {
  const state = (await context.state.get(linked.entityType, linked.entityId)) ?? {};
  const modified = modifiedAt(dateModify);
  return {
    stale: olderThanApplied(modified, state.appliedModify) ? { outcome: 'stale', note: `состояние ${what} от ${dateModify} старше уже применённого`, entity: linked } : null,
    remember: async () => {
      if (modified !== null) await context.state.set(linked.entityType, linked.entityId, { ...state, appliedModify: modified });
    },
  };
}
