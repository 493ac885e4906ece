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
 * answer was lost — and, for persons, contacts with the same phone or e-mail
 * (`crm.duplicate.findbycomm` matches on the portal's normalised index, so `8 912…`, `+7 (912)…`
 * and `7912…` are one number). Found objects are linked at once.
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
  for (const person of wanted.persons) {
    const phones = person.phones.map((phone) => phone.e164).slice(0, 20);
    const emails = person.emails.slice(0, 20);
    if (phones.length) commands.push({ name: `dup_phone_${person.id}`, method: 'crm.duplicate.findbycomm', params: { type: 'PHONE', values: phones, entity_type: 'CONTACT' }, unit: 'lookup' });
    if (emails.length) commands.push({ name: `dup_email_${person.id}`, method: 'crm.duplicate.findbycomm', params: { type: 'EMAIL', values: emails, entity_type: 'CONTACT' }, unit: 'lookup' });
  }
  if (wanted.userFields) commands.push({ name: 'userfields', method: 'crm.deal.userfield.list', params: {}, unit: 'lookup' });

  const found: Found = { deals: new Map(), contacts: new Map(), companies: new Map(), userFields: null };
  if (commands.length === 0) return { found, requests: 0 };
  const { outcomes, requests } = await runCommands(transport, commands, { signal });
  for (const [name, outcome] of outcomes) {
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
    } else if (name.startsWith('dup_')) {
      const personId = Number(name.split('_')[2]);
      const contacts = result && typeof result === 'object' && !Array.isArray(result) ? (result as { CONTACT?: number[] }).CONTACT : undefined;
      const first = contacts?.length ? Math.min(...contacts.map(Number)) : null;
      if (first !== null && !found.contacts.has(personId)) found.contacts.set(personId, String(first));
    } else if (name === 'userfields') {
      found.userFields = new Set((Array.isArray(result) ? (result as Array<{ FIELD_NAME: string }>) : []).map((f) => f.FIELD_NAME));
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
