import { COMPANY, CONTACT, CRM_ENTITIES, DEAL, LEAD, PRODUCT, type EntityDef } from '../entities.js';
import { RestError } from '../errors.js';
import type { MultiFields } from '../multifields.js';
import type { Portal } from '../portal.js';
import { MANAGER_USER_ID } from '../seed.js';
import { legacyView } from '../views.js';

export type EntityName = 'deal' | 'contact' | 'company' | 'lead' | 'product';

export const ENTITY_NAMES: readonly EntityName[] = ['deal', 'contact', 'company', 'lead', 'product'];

export function entityDef(name: string): EntityDef {
  if (name === 'product') return PRODUCT;
  const def = CRM_ENTITIES[name as keyof typeof CRM_ENTITIES];
  if (!def) throw new RestError(404, 'NOT_FOUND', `Unknown entity "${name}"`);
  return def;
}

export interface CommunicationInput {
  ID?: number | string;
  VALUE?: string;
  VALUE_TYPE?: string;
  DELETE?: 'Y' | 'N';
}

export interface LeadConversion {
  contactId: number | null;
  companyId: number | null;
  dealId: number | null;
}

/**
 * What staff do in the Bitrix24 UI, done as a manager (user 2 unless told otherwise). Every
 * action goes through the same rules as REST writes and fires the same outgoing events.
 */
export class ManagerActions {
  constructor(
    private readonly portal: Portal,
    readonly actorId = MANAGER_USER_ID,
  ) {}

  list(name: string): Record<string, unknown>[] {
    const def = entityDef(name);
    const userFields = this.portal.crm.userFields(def);
    return this.portal.store.all(def.table).map((row) => legacyView(def, row, userFields, this.portal.clock));
  }

  get(name: string, id: number): Record<string, unknown> {
    const def = entityDef(name);
    const row = this.portal.crm.get(def, id);
    if (!row) throw new RestError(404, 'NOT_FOUND', `${name} ${id} not found`);
    return legacyView(def, row, this.portal.crm.userFields(def), this.portal.clock);
  }

  create(name: string, fields: Record<string, unknown>): number {
    return this.portal.crm.add(entityDef(name), fields, this.actorId);
  }

  update(name: string, id: number, fields: Record<string, unknown>): void {
    this.portal.crm.update(entityDef(name), id, fields, this.actorId);
  }

  delete(name: string, id: number): void {
    this.portal.crm.remove(entityDef(name), id);
  }

  /** Drag a deal to another stage of its funnel (a stage id read from the portal). */
  moveDealStage(dealId: number, stageId: string): void {
    const deal = this.portal.crm.get(DEAL, dealId);
    if (!deal) throw new RestError(404, 'NOT_FOUND', `deal ${dealId} not found`);
    const valid = this.portal.crm.stages(deal.CATEGORY_ID as number).some((s) => s.statusId === stageId);
    if (!valid) throw new RestError(400, 'INVALID_STAGE', `Stage ${stageId} is not in funnel ${String(deal.CATEGORY_ID)}`);
    this.portal.crm.update(DEAL, dealId, { STAGE_ID: stageId }, this.actorId);
  }

  /** Move a deal to another funnel (fires ONCRMDEALMOVETOCATEGORY and ONCRMDEALUPDATE). */
  moveDealCategory(dealId: number, categoryId: number, stageId?: string): void {
    this.portal.crm.update(DEAL, dealId, { CATEGORY_ID: categoryId, ...(stageId ? { STAGE_ID: stageId } : {}) }, this.actorId, { allowCategoryChange: true });
  }

  /**
   * Edit phones and e-mails as the contact card does: entries with ID change (or delete with
   * DELETE:'Y' / empty VALUE), entries without ID are added, each with its VALUE_TYPE.
   */
  editCommunications(entity: 'contact' | 'company' | 'lead', id: number, changes: { PHONE?: CommunicationInput[]; EMAIL?: CommunicationInput[] }): MultiFields {
    const def = entity === 'contact' ? CONTACT : entity === 'company' ? COMPANY : LEAD;
    this.portal.crm.update(def, id, changes, this.actorId);
    return (this.portal.crm.get(def, id)?.FM as MultiFields) ?? {};
  }

  renameCompany(companyId: number, title: string): void {
    this.portal.crm.update(COMPANY, companyId, { TITLE: title }, this.actorId);
  }

  /**
   * The UI's lead conversion: a contact from the lead's person, a company from its company
   * title, a deal linked to both, and the lead moved to CONVERTED («Качественный лид»).
   */
  convertLead(leadId: number, options: { createDeal?: boolean; categoryId?: number } = {}): LeadConversion {
    const crm = this.portal.crm;
    const lead = crm.get(LEAD, leadId);
    if (!lead) throw new RestError(404, 'NOT_FOUND', `lead ${leadId} not found`);
    if (lead.STATUS_ID === 'CONVERTED') throw new RestError(400, 'ALREADY_CONVERTED', `lead ${leadId} is already converted`);
    const fm = (lead.FM as MultiFields | undefined) ?? {};
    const communications = (typeId: string): Record<string, string>[] =>
      (fm[typeId] ?? []).map((v) => ({ VALUE: v.VALUE, VALUE_TYPE: v.VALUE_TYPE }));

    let companyId: number | null = (lead.COMPANY_ID as number | null) ?? null;
    if (!companyId && lead.COMPANY_TITLE) {
      companyId = crm.add(COMPANY, { TITLE: lead.COMPANY_TITLE, SOURCE_ID: lead.SOURCE_ID, ASSIGNED_BY_ID: lead.ASSIGNED_BY_ID }, this.actorId);
      crm.get(COMPANY, companyId)!.LEAD_ID = leadId;
    }
    let contactId: number | null = (lead.CONTACT_ID as number | null) ?? null;
    if (!contactId && (lead.NAME || lead.LAST_NAME)) {
      contactId = crm.add(
        CONTACT,
        {
          NAME: lead.NAME, LAST_NAME: lead.LAST_NAME, SECOND_NAME: lead.SECOND_NAME, POST: lead.POST,
          SOURCE_ID: lead.SOURCE_ID, ASSIGNED_BY_ID: lead.ASSIGNED_BY_ID, PHONE: communications('PHONE'), EMAIL: communications('EMAIL'),
          ...(companyId ? { COMPANY_ID: companyId } : {}),
        },
        this.actorId,
      );
      crm.get(CONTACT, contactId)!.LEAD_ID = leadId;
    }
    let dealId: number | null = null;
    if (options.createDeal ?? true) {
      dealId = crm.add(
        DEAL,
        {
          TITLE: lead.TITLE, OPPORTUNITY: lead.OPPORTUNITY, CURRENCY_ID: lead.CURRENCY_ID, SOURCE_ID: lead.SOURCE_ID,
          SOURCE_DESCRIPTION: lead.SOURCE_DESCRIPTION, ASSIGNED_BY_ID: lead.ASSIGNED_BY_ID, COMMENTS: lead.COMMENTS,
          CATEGORY_ID: options.categoryId ?? 0, ...(contactId ? { CONTACT_IDS: [contactId] } : {}), ...(companyId ? { COMPANY_ID: companyId } : {}),
        },
        this.actorId,
      );
      crm.get(DEAL, dealId)!.LEAD_ID = leadId;
    }
    crm.update(LEAD, leadId, { STATUS_ID: 'CONVERTED', ...(contactId ? { CONTACT_ID: contactId } : {}), ...(companyId ? { COMPANY_ID: companyId } : {}) }, this.actorId);
    this.portal.store.changed();
    return { contactId, companyId, dealId };
  }
}
