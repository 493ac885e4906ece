import type { Organization, Person } from '../../../domain/clients.js';
import type { Bitrix24Settings } from '../settings.js';
import { ORIGINATOR_ID, originId } from './origin.js';

/** Bitrix24's multifield entry. Values are capped at 250 characters by the portal. */
interface Communication {
  VALUE: string;
  VALUE_TYPE: string;
}

/**
 * Phones as «Мобильный» (`MOBILE`) in E.164, the form printsync stores them in (an extension
 * after a comma, which the portal's duplicate index ignores); e-mails as «Частный» (`HOME`).
 * These are the types the back-sync reads again (the seed's rule).
 */
export function communications(person: Pick<Person, 'phones' | 'emails'>): { PHONE?: Communication[]; EMAIL?: Communication[] } {
  const out: { PHONE?: Communication[]; EMAIL?: Communication[] } = {};
  if (person.phones.length > 0) out.PHONE = person.phones.map((phone) => ({ VALUE: phone.extension ? `${phone.e164},${phone.extension}` : phone.e164, VALUE_TYPE: 'MOBILE' }));
  if (person.emails.length > 0) out.EMAIL = person.emails.map((email) => ({ VALUE: email.slice(0, 250), VALUE_TYPE: 'HOME' }));
  return out;
}

/** A person as a new contact (an employee of a company gets its `COMPANY_ID`). */
export function contactFields(person: Person, options: { companyId?: string | null; responsibleId: number }): Record<string, unknown> {
  return {
    NAME: person.firstName ?? (person.lastName ? '' : person.fullName),
    LAST_NAME: person.lastName ?? '',
    SECOND_NAME: person.middleName ?? '',
    ...communications(person),
    ...(options.companyId ? { COMPANY_ID: options.companyId } : {}),
    SOURCE_ID: 'STORE',
    ASSIGNED_BY_ID: options.responsibleId,
    OPENED: 'Y',
    ORIGINATOR_ID,
    ORIGIN_ID: originId('person', person.id),
  };
}

/** The organization's type for the portal's «Тип компании», through «Типы компаний»; null when the table has no row for it. */
export function printsyncCompanyType(bitrixType: string | null | undefined, companyTypes: Bitrix24Settings['companyTypes']): string | null {
  return companyTypes.find((row) => row.bitrixType === bitrixType)?.companyType ?? null;
}

/**
 * The portal's «Тип компании» for an organization's type: «Типы компаний» read backwards (the
 * same table brings a manager's change back); a type that is itself a portal code (`CUSTOMER`)
 * as it is; any other text has no counterpart on the portal and is not sent.
 */
export function bitrixCompanyType(companyType: string | null, companyTypes: Bitrix24Settings['companyTypes']): string | null {
  if (!companyType) return null;
  const mapped = companyTypes.find((row) => row.companyType === companyType)?.bitrixType;
  if (mapped) return mapped;
  return /^[A-Z][A-Z0-9_]*$/.test(companyType) ? companyType : null;
}

/** An organization as a company: title, type, and the ИНН/КПП in its comments (requisites need another scope). */
export function companyFields(organization: Organization, options: { responsibleId: number; companyTypes: Bitrix24Settings['companyTypes'] }): Record<string, unknown> {
  const requisites = [organization.inn && `ИНН ${organization.inn}`, organization.kpp && `КПП ${organization.kpp}`].filter(Boolean).join(', ');
  const companyType = bitrixCompanyType(organization.companyType, options.companyTypes);
  return {
    TITLE: organization.title,
    ...(companyType ? { COMPANY_TYPE: companyType } : {}),
    ...(requisites ? { COMMENTS: requisites } : {}),
    ASSIGNED_BY_ID: options.responsibleId,
    OPENED: 'Y',
    ORIGINATOR_ID,
    ORIGIN_ID: originId('organization', organization.id),
  };
}

/** A new registration as a lead (B24-8): a person, or an organization (its employee gets a lead of their own). */
export function leadFields(client: { person: Person } | { organization: Organization }, options: { responsibleId: number; site: string | null }): Record<string, unknown> {
  const common = {
    SOURCE_ID: 'STORE',
    ...(options.site ? { SOURCE_DESCRIPTION: options.site } : {}),
    ASSIGNED_BY_ID: options.responsibleId,
    OPENED: 'Y',
    ORIGINATOR_ID,
  };
  if ('person' in client) {
    const { person } = client;
    return {
      TITLE: `Регистрация: ${person.fullName || person.emails[0] || person.phones[0]?.e164 || `клиент ${person.id}`}`,
      NAME: person.firstName ?? '',
      LAST_NAME: person.lastName ?? '',
      SECOND_NAME: person.middleName ?? '',
      ...communications(person),
      ...common,
      ORIGIN_ID: originId('person', person.id),
    };
  }
  const { organization } = client;
  return { TITLE: `Регистрация организации: ${organization.title}`, COMPANY_TITLE: organization.title, ...common, ORIGIN_ID: originId('organization', organization.id) };
}

/** A multifield entry as the portal returns it. */
export interface StoredCommunication {
  ID: string | number;
  VALUE: string;
  VALUE_TYPE: string;
}

/**
 * The changes that make a contact's phones and e-mails match the person's, touching only the
 * types printsync writes («Мобильный» phones, «Частный» e-mails): a work phone a manager added in
 * Bitrix24 stays. Sending an entry without `ID` appends; `{ID, DELETE: 'Y'}` removes one.
 */
export function communicationChanges(
  person: Pick<Person, 'phones' | 'emails'>,
  stored: { PHONE?: StoredCommunication[]; EMAIL?: StoredCommunication[] },
): { PHONE?: Array<Record<string, unknown>>; EMAIL?: Array<Record<string, unknown>> } {
  const wanted = communications(person);
  const out: { PHONE?: Array<Record<string, unknown>>; EMAIL?: Array<Record<string, unknown>> } = {};
  const plan = (kind: 'PHONE' | 'EMAIL', ours: string, same: (value: string) => string) => {
    const current = stored[kind] ?? [];
    const want = wanted[kind] ?? [];
    const changes: Array<Record<string, unknown>> = [];
    for (const entry of current) {
      if (entry.VALUE_TYPE === ours && !want.some((w) => same(w.VALUE) === same(entry.VALUE))) changes.push({ ID: entry.ID, DELETE: 'Y' });
    }
    for (const entry of want) {
      if (!current.some((c) => same(c.VALUE) === same(entry.VALUE))) changes.push({ ...entry });
    }
    if (changes.length > 0) out[kind] = changes;
  };
  // Compared digit by digit: the portal may show a number formatted.
  plan('PHONE', 'MOBILE', (value) => value.replace(/[^\d,]/g, ''));
  plan('EMAIL', 'HOME', (value) => value.trim().toLowerCase());
  return out;
}
