import { orderStatusLabel } from '../../../domain/order-status.js';
import type { IntegrationContext } from '../../../platform/context.js';
import type { Bitrix24Settings } from '../settings.js';
import type { Bitrix24Transport } from '../transport/client.js';
import type { Applied, LinkedEntity, RecordApplier } from './appliers.js';
import { modifiedAt, olderThanApplied, unlink } from './fetch.js';

interface PortalDeal {
  ID: string;
  STAGE_ID: string;
  CATEGORY_ID: string | number;
  DATE_MODIFY: string;
}

/** What the export and the back-sync remember together per order (integration_state). */
export interface OrderSyncState {
  status?: string;
  /** The deal's stage both sides last agreed on: written by printsync, or applied from Bitrix24. */
  sentStage?: string;
  /** The deal's DATE_MODIFY last applied: an older state is never applied over it. */
  appliedModify?: number;
  [key: string]: unknown;
}

/**
 * A deal changed in Bitrix24 (B24-11): its stage moves the order to the mapped status (and
 * marks it paid where the row says so). A deal in another funnel or in an unmapped stage changes
 * nothing; a deleted deal unlinks, the order stays. The change is the integration's, so it is not
 * exported back.
 */
export const dealApplier: RecordApplier<PortalDeal> = {
  get: 'crm.deal.get',
  list: 'crm.deal.list',
  select: ['ID', 'STAGE_ID', 'CATEGORY_ID', 'DATE_MODIFY'],
  linkTypes: ['order'],
  // Deals managers make in Bitrix24 fire events too: one printsync has no link for costs no request.
  unlinked: 'сделка не связана с заказом printsync',
  apply: applyDeal,
};

async function applyDeal(context: IntegrationContext<Bitrix24Settings>, _transport: Bitrix24Transport, linked: LinkedEntity, deal: PortalDeal | null): Promise<Applied> {
  if (!deal) {
    await unlink(context, linked, 'deal');
    return { outcome: 'applied', note: `сделка удалена в Битрикс24: связь с заказом снята, заказ остался`, entity: linked };
  }
  const { settings } = await context.settings.require();
  const funnel = settings.categoryId ?? 0;
  if (Number(deal.CATEGORY_ID ?? 0) !== funnel) return { outcome: 'ignored', note: `сделка в направлении ${deal.CATEGORY_ID}, а не в ${funnel}`, entity: linked };

  const orderId = linked.entityId;
  const state = ((await context.state.get('order', orderId)) ?? {}) as OrderSyncState;
  const modified = modifiedAt(deal.DATE_MODIFY);
  if (olderThanApplied(modified, state.appliedModify)) {
    return { outcome: 'stale', note: `состояние сделки от ${deal.DATE_MODIFY} старше уже применённого`, entity: linked };
  }
  if (deal.STAGE_ID === state.sentStage) return { outcome: 'echo', note: `стадия ${deal.STAGE_ID} — та, что уже согласована`, entity: linked };

  const row = settings.stageToStatus.find((r) => r.stageId === deal.STAGE_ID);
  if (!row) return { outcome: 'ignored', note: `стадия ${deal.STAGE_ID} не сопоставлена статусу заказа`, entity: linked };
  const order = await context.stores.orders.get(orderId);
  const changes: string[] = [];
  if (order.status !== row.status) {
    await context.stores.orders.changeStatus(orderId, { status: row.status, changedBy: 'Битрикс24' });
    changes.push(`статус «${orderStatusLabel(row.status)}»`);
  }
  if (row.markPaid && order.payment.status !== 'paid') {
    const current = await context.stores.orders.get(orderId);
    await context.stores.orders.update(orderId, { version: current.version, payment: { status: 'paid' } });
    changes.push('оплачен');
  }
  // Both sides now agree on this stage and status: the export must not send the old stage again.
  await context.state.set('order', orderId, { ...state, status: row.status, sentStage: deal.STAGE_ID, ...(modified !== null && { appliedModify: modified }) });
  if (changes.length === 0) return { outcome: 'echo', note: `заказ уже в статусе «${orderStatusLabel(row.status)}»`, entity: linked };
  return { outcome: 'applied', note: `стадия ${deal.STAGE_ID}: ${changes.join(', ')}`, entity: linked };
}
