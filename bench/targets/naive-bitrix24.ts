/**
 * The comparison for `npm run bench -- bitrix24-export`: an exporter that sends one REST request
 * per command, as a straightforward connector would — for each order, look the client up by phone
 * and by e-mail, add the contact, add the deal, set its product rows, add each comment. Paced by
 * the same database-shared leaky bucket and the same limits as printsync, so the difference in
 * throughput is the batching alone. Bench-only code.
 */
import type { AppServices } from '../../src/app.js';
import { contactFields } from '../../src/integrations/bitrix24/mapping/clients.js';
import { dealFields, productRows, responsibleOf, timelineComment } from '../../src/integrations/bitrix24/mapping/deal.js';
import type { Bitrix24Settings } from '../../src/integrations/bitrix24/settings.js';
import { SharedRateBucket } from '../../src/store/rate-bucket.js';

export interface NaiveRun {
  orders: number;
  requests: number;
  /** Answers QUERY_LIMIT_EXCEEDED (each sent again after a second). */
  refused: number;
  seconds: number;
}

export async function naiveExport(services: AppServices, webhookUrl: string, orderIds: readonly number[], limit: { perSecond: number; burst: number }): Promise<NaiveRun> {
  const saved = await services.integrations.find('bitrix24')!.context.settings.require();
  const settings = saved.settings as Bitrix24Settings;
  const bucket = new SharedRateBucket(services.database.db, `bench-naive:${webhookUrl}`, limit);
  let requests = 0;
  let refused = 0;
  const call = async (method: string, params: Record<string, unknown>): Promise<unknown> => {
    for (;;) {
      await bucket.take();
      requests += 1;
      const response = await fetch(`${webhookUrl}${method}.json`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(params) });
      const body = (await response.json()) as { result?: unknown; error?: string; error_description?: string };
      if (body.error === 'QUERY_LIMIT_EXCEEDED') {
        refused += 1;
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        continue;
      }
      if (body.error !== undefined) throw new Error(`${method}: ${body.error} ${body.error_description ?? ''}`);
      return body.result;
    }
  };

  const started = performance.now();
  for (const orderId of orderIds) {
    const order = await services.stores.orders.get(orderId);
    if (order.personId === null) throw new Error(`order ${orderId} has no client`);
    const person = await services.stores.persons.get(order.personId);
    const found = new Set<number>();
    for (const [type, values] of [['PHONE', person.phones.map((p) => p.e164)], ['EMAIL', person.emails]] as const) {
      if (values.length === 0) continue;
      const result = (await call('crm.duplicate.findbycomm', { type, values, entity_type: 'CONTACT' })) as { CONTACT?: number[] } | [];
      for (const id of Array.isArray(result) ? [] : (result.CONTACT ?? [])) found.add(Number(id));
    }
    const contactId = found.size > 0 ? String(Math.min(...found)) : String(await call('crm.contact.add', { fields: contactFields(person, { responsibleId: responsibleOf(settings) }) }));
    const dealId = await call('crm.deal.add', { fields: dealFields(order, { contactId, companyId: null, orderUrl: null }, settings, { isNew: true }) });
    await call('crm.deal.productrows.set', { id: dealId, rows: productRows(order) });
    for (const comment of order.comments) await call('crm.timeline.comment.add', { fields: { ENTITY_ID: dealId, ENTITY_TYPE: 'deal', COMMENT: timelineComment(comment) } });
  }
  return { orders: orderIds.length, requests, refused, seconds: (performance.now() - started) / 1000 };
}
