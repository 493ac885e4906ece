import { ManagerActions } from '../admin/manager-actions.js';
import type { MethodRegistry } from '../context.js';
import { LEAD } from '../entities.js';
import { pick } from '../params.js';
import { registerEntityMethods } from './crm-entity.js';

export function registerLeadMethods(registry: MethodRegistry): void {
  registerEntityMethods(registry, LEAD, 'crm.lead');

  // In Simple CRM mode a lead does not stay a lead: it is converted on the spot (contact,
  // company, deal carrying LEAD_ID) and the id the call returns no longer reads anything.
  registry.add('crm', 'crm.lead.add', (params, ctx) => {
    const fields = pick(params, 'fields', 'FIELDS', 'arFields');
    const id = ctx.portal.crm.add(LEAD, fields, ctx.userId);
    if (ctx.portal.crmMode === 'simple') {
      new ManagerActions(ctx.portal, ctx.userId).convertLead(id);
      ctx.portal.store.remove(LEAD.table, id);
    }
    return id;
  });
}
