import type { Organization, Person } from '../../../domain/clients.js';
import type { IntegrationContext } from '../../../platform/context.js';
import { ORIGINATOR_ID, originId } from '../mapping/origin.js';
import type { Bitrix24Settings } from '../settings.js';
import type { Bitrix24Transport } from '../transport/client.js';
import { runCommands } from './command-queue.js';
import type { PlannedCommand } from './command-queue.js';

/** What the portal already holds for entities printsync has no link for. */
export interface Found {
  deals: Map<number, string>;
  contacts: Map<number, string>;
  companies: Map<number, string>;
  userFields: Set<string> | null;
}

const PAGE = 50;

/**
 * One request (or as few as the 50-command limit allows) that asks the portal about everything
 * not linked yet: deals, contacts and companies by `ORIGIN_ID` — made by an earlier attempt whose
 * answer was lost — and contacts with the same phone or e-mail as a new person
 * (`crm.duplicate.findbycomm` matches on the portal's normalised index, so `8 912…`, `+7 (912)…`
 * and `7912…` are one number): all persons' values together first, then per person only where
 * something matched. Found objects are linked at once.
 */
export async function lookUp(
  context: IntegrationContext<Bitrix24Settings>,
  transport: Bitrix24Transport,
  wanted: { orderIds: number[]; persons: Person[]; organizations: Organization[]; userFields: boolean },
  signal?: AbortSignal,
): Promise<{ found: Found; requests: number }> {
  const commands: PlannedCommand[] = [];
  const listByOrigin = (entity: 'deal' | 'contact' | 'company', ids: string[]) => {
    for (let i = 0; i < ids.length; i += PAGE) {
      commands.push({
        name: `find_${entity}_${i}`,
        method: `crm.${entity}.list`,
        params: { filter: { ORIGINATOR_ID, '@ORIGIN_ID': ids.slice(i, i + PAGE) }, select: ['ID', 'ORIGIN_ID'], order: { ID: 'ASC' } },
        unit: 'lookup',
      });
    }
  };
  listByOrigin('deal', wanted.orderIds.map((id) => originId('order', id)));
  listByOrigin('contact', wanted.persons.map((p) => originId('person', p.id)));
  listByOrigin('company', wanted.organizations.map((o) => originId('organization', o.id)));
  // Phones and e-mails of all the new persons together, 20 to a command: when the portal knows
  // none of them — the usual case for new clients — that is the whole duplicate check.
  const groups = communicationGroups(wanted.persons);
  for (const [index, group] of groups.entries()) {
    commands.push({ name: `dupgroup_${index}`, method: 'crm.duplicate.findbycomm', params: { type: group.type, values: group.values, entity_type: 'CONTACT' }, unit: 'lookup' });
  }
  if (wanted.userFields) commands.push({ name: 'userfields', method: 'crm.deal.userfield.list', params: {}, unit: 'lookup' });

  const found: Found = { deals: new Map(), contacts: new Map(), companies: new Map(), userFields: null };
  if (commands.length === 0) return { found, requests: 0 };
  const first = await runCommands(transport, commands, { signal });
  let requests = first.requests;
  const suspects = new Set<Person>();
  const matched: Array<[personId: number, contactId: number]> = [];
  for (const [name, outcome] of first.outcomes) {
    // A lookup that failed is not a reason to guess: the export cannot go on safely without it.
    if (outcome.error) throw outcome.error;
    const result = outcome.result;
    if (name.startsWith('find_')) {
      const entity = name.split('_')[1] as 'deal' | 'contact' | 'company';
      const target = entity === 'deal' ? found.deals : entity === 'contact' ? found.contacts : found.companies;
      for (const row of Array.isArray(result) ? (result as Array<{ ID: string; ORIGIN_ID: string }>) : []) {
        const id = Number(/-(\d+)$/.exec(row.ORIGIN_ID)?.[1]);
        // The oldest wins: a second one would itself be a duplicate made by a lost answer.
        if (id && !target.has(id)) target.set(id, String(row.ID));
      }
    } else if (name.startsWith('dupgroup_')) {
      const contacts = contactsIn(result);
      if (contacts.length === 0) continue;
      const group = groups[Number(name.split('_')[1])]!;
      // A group of one person's values answers for that person (a single new order stays at two requests).
      if (group.persons.length === 1) matched.push([group.persons[0]!.id, Math.min(...contacts)]);
      else for (const person of group.persons) suspects.add(person);
    } else if (name === 'userfields') {
      found.userFields = new Set((Array.isArray(result) ? (result as Array<{ FIELD_NAME: string }>) : []).map((f) => f.FIELD_NAME));
    }
  }

  // After the ORIGIN_ID answers (they win): the phone or e-mail matches.
  for (const [personId, contactId] of matched) if (!found.contacts.has(personId)) found.contacts.set(personId, String(contactId));
  // Some value is known, in a group of several persons: whose? Asked per person, only for those (a second request, rarely).
  const perPerson: PlannedCommand[] = [];
  for (const person of suspects) {
    if (found.contacts.has(person.id)) continue;
    const phones = person.phones.map((phone) => phone.e164).slice(0, 20);
    const emails = person.emails.slice(0, 20);
    if (phones.length) perPerson.push({ name: `dup_phone_${person.id}`, method: 'crm.duplicate.findbycomm', params: { type: 'PHONE', values: phones, entity_type: 'CONTACT' }, unit: 'lookup' });
    if (emails.length) perPerson.push({ name: `dup_email_${person.id}`, method: 'crm.duplicate.findbycomm', params: { type: 'EMAIL', values: emails, entity_type: 'CONTACT' }, unit: 'lookup' });
  }
  if (perPerson.length > 0) {
    const second = await runCommands(transport, perPerson, { signal });
    requests += second.requests;
    for (const [name, outcome] of second.outcomes) {
      if (outcome.error) throw outcome.error;
      const personId = Number(name.split('_')[2]);
      const contacts = contactsIn(outcome.result);
      if (contacts.length > 0 && !found.contacts.has(personId)) found.contacts.set(personId, String(Math.min(...contacts)));
    }
  }
  await linkFound(context, found);
  return { found, requests };
}

/**
 * Links what was found. A contact that already stands for another of our clients (two printsync
 * clients with one phone: a guest and a registered account of the same person) is used as it is
 * — the portal keeps one contact per phone (B24-7) — but stays linked to the first client only;
 * a deal or company linked elsewhere is not used at all.
 */
async function linkFound(context: IntegrationContext<Bitrix24Settings>, found: Found): Promise<void> {
  const { links } = context.stores;
  const now = new Date().toISOString();
  await context.transaction(async (trx) => {
    const put = async (entityType: 'order' | 'person' | 'organization', kind: string, map: Map<number, string>) => {
      for (const [entityId, externalId] of [...map]) {
        const owner = await links.findEntity(context.name, kind, externalId, trx);
        if (owner && (owner.entityType !== entityType || owner.entityId !== entityId)) {
          if (kind !== 'contact') map.delete(entityId);
          continue;
        }
        await links.set(trx, { entityType, entityId, system: context.name, kind, externalId }, now);
      }
    };
    await put('order', 'deal', found.deals);
    await put('person', 'contact', found.contacts);
    await put('organization', 'company', found.companies);
  });
}

/** `crm.duplicate.findbycomm` answers `{CONTACT: [ids]}`, or `[]` when nothing matched. */
function contactsIn(result: unknown): number[] {
  const contacts = result && typeof result === 'object' && !Array.isArray(result) ? (result as { CONTACT?: unknown[] }).CONTACT : undefined;
  return (contacts ?? []).map(Number).filter((id) => Number.isInteger(id) && id > 0);
}

/** The persons' phones and e-mails, at most 20 values to a group (the method's limit), with whose they are. */
function communicationGroups(persons: readonly Person[]): Array<{ type: 'PHONE' | 'EMAIL'; values: string[]; persons: Person[] }> {
  const groups: Array<{ type: 'PHONE' | 'EMAIL'; values: string[]; persons: Person[] }> = [];
  for (const type of ['PHONE', 'EMAIL'] as const) {
    let group: { type: 'PHONE' | 'EMAIL'; values: string[]; persons: Person[] } | null = null;
    for (const person of persons) {
      const values = (type === 'PHONE' ? person.phones.map((phone) => phone.e164) : person.emails).slice(0, 20);
      if (values.length === 0) continue;
      if (!group || group.values.length + values.length > 20) {
        group = { type, values: [], persons: [] };
        groups.push(group);
      }
      group.values.push(...values.filter((value) => !group!.values.includes(value)));
      group.persons.push(person);
    }
  }
  return groups;
}
