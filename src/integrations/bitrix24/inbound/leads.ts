import type { IntegrationContext } from '../../../platform/context.js';
import type { Bitrix24Settings } from '../settings.js';
import type { Bitrix24Transport } from '../transport/client.js';
import type { Applied, LinkedEntity, RecordApplier } from './appliers.js';
import { unlink } from './fetch.js';

interface PortalLead {
  ID: string;
  STATUS_ID: string;
}

/**
 * A lead changed in Bitrix24 (B24-14). When a manager converts it («Качественный лид») and makes a
 * deal, contact and company from it, printsync links them to the client the lead came from — and
 * the deal to that client's newest order that has none yet. A deleted lead unlinks.
 */
export const leadApplier: RecordApplier<PortalLead> = {
  get: 'crm.lead.get',
  list: 'crm.lead.list',
  select: ['ID', 'STATUS_ID'],
  linkTypes: ['person', 'organization'],
  unlinked: 'лид не связан с клиентом printsync',
  apply: applyLead,
};

async function applyLead(context: IntegrationContext<Bitrix24Settings>, transport: Bitrix24Transport, linked: LinkedEntity, lead: PortalLead | null, signal?: AbortSignal): Promise<Applied> {
  if (!lead) {
    await unlink(context, linked, 'lead');
    return { outcome: 'applied', note: 'лид удалён в Битрикс24: связь снята', entity: linked };
  }
  if (lead.STATUS_ID !== 'CONVERTED') return { outcome: 'ignored', note: `лид в статусе ${lead.STATUS_ID}`, entity: linked };

  const made = await transport.batch(
    (['deal', 'contact', 'company'] as const).map((kind) => ({ name: kind, method: `crm.${kind}.list`, params: { filter: { LEAD_ID: lead.ID }, select: ['ID'], order: { ID: 'ASC' } } })),
    { signal },
  );
  const first = (kind: string) => {
    const rows = made.results.get(kind);
    return Array.isArray(rows) && rows[0] ? String((rows[0] as { ID: string }).ID) : null;
  };
  const links = context.stores.links;
  const linkedNow: string[] = [];
  const now = new Date().toISOString();
  // Read before the transaction: on SQLite a read outside the transaction's connection while it
  // is open waits for it forever.
  const organizationId = linked.entityType === 'person' ? (await context.stores.persons.get(linked.entityId)).organizationId : null;
  const dealId = first('deal');
  const candidates = dealId
    ? (await context.stores.orders.list({ ...(linked.entityType === 'person' ? { personId: linked.entityId } : { organizationId: linked.entityId }), limit: 20 })).items.filter((order) => !order.externalIds[context.name]?.deal)
    : [];
  await context.transaction(async (trx) => {
    const link = async (entityType: 'person' | 'organization' | 'order', entityId: number, kind: string, externalId: string | null): Promise<boolean> => {
      if (!externalId) return false;
      if (await links.externalIdOf({ entityType, entityId, system: context.name, kind }, trx)) return false;
      if (await links.findEntity(context.name, kind, externalId, trx)) return false;
      await links.set(trx, { entityType, entityId, system: context.name, kind, externalId }, now);
      linkedNow.push(`${kind} ${externalId}`);
      return true;
    };
    if (linked.entityType === 'person') {
      await link('person', linked.entityId, 'contact', first('contact'));
      if (organizationId) await link('organization', organizationId, 'company', first('company'));
    } else {
      await link('organization', linked.entityId, 'company', first('company'));
    }
    for (const order of candidates) {
      if (await link('order', order.id, 'deal', dealId)) break;
    }
  });
  return linkedNow.length > 0 ? { outcome: 'applied', note: `лид сконвертирован: связаны ${linkedNow.join(', ')}`, entity: linked } : { outcome: 'ignored', note: 'лид сконвертирован, нового для связи нет', entity: linked };
}

/** A catalog product deleted in Bitrix24 (B24-15): the product's mapping is removed. */
export const productApplier: RecordApplier<unknown> = {
  get: 'crm.product.get',
  select: ['ID'],
  linkTypes: ['product'],
  unlinked: 'товар не связан с каталогом printsync',
  async apply(context, _transport, linked, product) {
    if (product) return { outcome: 'ignored', note: 'изменения товара не переносятся', entity: linked };
    await unlink(context, linked, 'product');
    return { outcome: 'applied', note: 'товар удалён в Битрикс24: привязка каталога снята', entity: linked };
  },
};
