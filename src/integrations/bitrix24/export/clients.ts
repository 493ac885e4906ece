import type { Organization, Person } from '../../../domain/clients.js';
import type { IntegrationContext } from '../../../platform/context.js';
import { communicationChanges, companyFields, contactFields, leadFields } from '../mapping/clients.js';
import type { StoredCommunication } from '../mapping/clients.js';
import { responsibleOf } from '../mapping/deal.js';
import { ORIGINATOR_ID, originId } from '../mapping/origin.js';
import type { Bitrix24Settings } from '../settings.js';
import { ref, runCommands } from './command-queue.js';
import type { PlannedCommand } from './command-queue.js';
import { lookUp } from './lookup.js';
import type { PortalConnection } from './portal.js';

export interface ClientExportResult {
  /** The contact (person) or company (organization) id in Bitrix24. */
  externalId: string | null;
  requests: number;
}

/**
 * A client on its own (B24-7, B24-9 «Отправить в Битрикс24»): a person becomes a contact, an
 * organization a company with its employees as contacts — each looked up first (`ORIGIN_ID`,
 * then the phone and e-mail through the portal's duplicate index) and made only when the portal
 * has none.
 */
export class ClientExporter {
  constructor(
    private readonly context: IntegrationContext<Bitrix24Settings>,
    private readonly portal: PortalConnection,
  ) {}

  async exportPerson(personId: number, signal?: AbortSignal): Promise<ClientExportResult> {
    const person = await this.context.stores.persons.get(personId);
    const organization = person.organizationId ? await this.context.stores.organizations.get(person.organizationId) : null;
    const keys = [`person:${person.id}`, ...(organization ? [`organization:${organization.id}`] : [])];
    return this.portal.locks.run(keys, () => this.send(organization ? { organization, persons: [person], subject: 'person' } : { organization: null, persons: [person], subject: 'person' }, signal), signal);
  }

  async exportOrganization(organizationId: number, signal?: AbortSignal): Promise<ClientExportResult> {
    const organization = await this.context.stores.organizations.get(organizationId);
    const employees = await this.context.stores.persons.list({ organizationId, limit: 40 });
    const keys = [`organization:${organization.id}`, ...employees.items.map((p) => `person:${p.id}`)];
    return this.portal.locks.run(keys, () => this.send({ organization, persons: employees.items, subject: 'organization' }, signal), signal);
  }

  private async send(what: { organization: Organization | null; persons: Person[]; subject: 'person' | 'organization' }, signal?: AbortSignal): Promise<ClientExportResult> {
    const { context } = this;
    const saved = await this.portal.settings();
    const transport = this.portal.transport(saved);
    const responsibleId = responsibleOf(saved.settings);
    const linkOf = (entityType: 'person' | 'organization', id: number, kind: string) => context.stores.links.externalIdOf({ entityType, entityId: id, system: context.name, kind });

    const contacts = new Map<number, string>();
    for (const person of what.persons) {
      const id = await linkOf('person', person.id, 'contact');
      if (id) contacts.set(person.id, id);
    }
    let companyId = what.organization ? await linkOf('organization', what.organization.id, 'company') : null;
    const { found, requests: lookups } = await lookUp(
      context,
      transport,
      {
        orderIds: [],
        persons: what.persons.filter((p) => !contacts.has(p.id)),
        organizations: what.organization && !companyId ? [what.organization] : [],
        userFields: false,
      },
      signal,
    );
    for (const [id, contactId] of found.contacts) contacts.set(id, contactId);
    if (what.organization && found.companies.has(what.organization.id)) companyId = found.companies.get(what.organization.id)!;

    const commands: PlannedCommand[] = [];
    if (what.organization && !companyId) {
      commands.push({ name: `company_${what.organization.id}`, method: 'crm.company.add', params: { fields: companyFields(what.organization, { responsibleId, companyTypes: saved.settings.companyTypes }) }, unit: 'client' });
    }
    for (const person of what.persons) {
      if (contacts.has(person.id)) continue;
      const company = what.organization ? (companyId ?? ref(`company_${what.organization.id}`)) : null;
      commands.push({ name: `contact_${person.id}`, method: 'crm.contact.add', params: { fields: contactFields(person, { companyId: company as string | null, responsibleId }) }, unit: 'client' });
    }
    const { outcomes, requests } = await runCommands(transport, commands, { signal });
    const now = new Date().toISOString();
    await context.transaction(async (trx) => {
      for (const [name, outcome] of outcomes) {
        if (outcome.error || outcome.result === undefined) continue;
        const [kind, idText] = name.split('_');
        const entityType = kind === 'company' ? 'organization' : 'person';
        await context.stores.links.set(trx, { entityType, entityId: Number(idText), system: context.name, kind: kind!, externalId: String(outcome.result) }, now);
        if (kind === 'company') companyId = String(outcome.result);
        else contacts.set(Number(idText), String(outcome.result));
      }
    });
    const failed = [...outcomes.values()].find((o) => o.error)?.error;
    if (failed) throw failed;
    const externalId = what.subject === 'organization' ? companyId : (contacts.get(what.persons[0]!.id) ?? null);
    return { externalId, requests: lookups + requests };
  }

  /**
   * A linked client changed in printsync: the contact gets its name, and its «Мобильный» phones
   * and «Частный» e-mails are made to match (others a manager added stay); a company its title.
   * Answers null when the client has no contact or company in Bitrix24 yet (nothing to update).
   */
  async update(entityType: 'person' | 'organization', id: number, signal?: AbortSignal): Promise<string | null> {
    const { context } = this;
    const kind = entityType === 'person' ? 'contact' : 'company';
    const externalId = await context.stores.links.externalIdOf({ entityType, entityId: id, system: context.name, kind });
    if (!externalId) return null;
    const saved = await this.portal.settings();
    const transport = this.portal.transport(saved);
    return this.portal.locks.run([`${entityType}:${id}`], async () => {
      if (entityType === 'organization') {
        const organization = await context.stores.organizations.get(id);
        const { TITLE, COMMENTS, COMPANY_TYPE } = companyFields(organization, { responsibleId: 0, companyTypes: saved.settings.companyTypes });
        await transport.call('crm.company.update', { id: externalId, fields: { TITLE, ...(COMMENTS ? { COMMENTS } : {}), ...(COMPANY_TYPE ? { COMPANY_TYPE } : {}) } }, { signal });
        return externalId;
      }
      const person = await context.stores.persons.get(id);
      const stored = (await transport.call<{ PHONE?: StoredCommunication[]; EMAIL?: StoredCommunication[] }>('crm.contact.get', { id: externalId }, { signal })).result;
      const { NAME, LAST_NAME, SECOND_NAME } = contactFields(person, { responsibleId: 0 });
      await transport.call('crm.contact.update', { id: externalId, fields: { NAME, LAST_NAME, SECOND_NAME, ...communicationChanges(person, stored) } }, { signal });
      return externalId;
    }, signal);
  }

  /**
   * A new registration as a lead (B24-8). An organization's employee gets a lead of their own,
   * naming the company: that lead is the one later deals name (`UF_CRM_PRINTSYNC_LEAD`; `LEAD_ID` is read-only).
   */
  async sendLead(entityType: 'person' | 'organization', id: number, signal?: AbortSignal): Promise<string> {
    const { context } = this;
    const saved = await this.portal.settings();
    const transport = this.portal.transport(saved);
    const options = { responsibleId: responsibleOf(saved.settings), site: null };
    return context.step(
      { entityType, entityId: id, kind: 'lead' },
      {
        find: async () => {
          const answer = await transport.call<Array<{ ID: string }>>('crm.lead.list', { filter: { ORIGINATOR_ID, ORIGIN_ID: originId(entityType, id) }, select: ['ID'], order: { ID: 'ASC' } }, { signal });
          return answer.result[0] ? String(answer.result[0].ID) : null;
        },
        create: async () => {
          let fields: Record<string, unknown>;
          if (entityType === 'person') {
            const person = await context.stores.persons.get(id);
            fields = leadFields({ person }, options);
            if (person.organizationId) fields.COMPANY_TITLE = (await context.stores.organizations.get(person.organizationId)).title;
          } else {
            fields = leadFields({ organization: await context.stores.organizations.get(id) }, options);
          }
          return String((await transport.call<number>('crm.lead.add', { fields }, { signal })).result);
        },
      },
    );
  }
}
