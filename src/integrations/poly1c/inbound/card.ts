import { z } from 'zod';
import type { IntegrationContext } from '../../../platform/context.js';
import type { CardDetailsAnswer, CardSection } from '../../../platform/panel.js';
import type { IntegrationRouter } from '../../../platform/routes.js';
import { orderStatusLabel } from '../../../domain/order-status.js';
import type { HandoverState } from '../export/handover.js';
import { DUE } from '../export/handover.js';
import type { Poly1cSettings } from '../settings.js';
import type { OneCReport } from './status-file.js';
import { REPORT } from './status-file.js';

/**
 * The exchange on the order card: «Номер по 1С» among the order's external ids, and a block
 * «Обмен с 1С» — when 1C took the order and whether it waits to be taken again, the status 1C
 * reports and its payment and shipment dates.
 */
export const exchangeOrderCard: CardSection = {
  entityType: 'order',
  externalIds: [{ kind: 'number', label: { ru: 'Номер по 1С', en: '1C number' }, column: true }],
  details: [{ id: 'exchange', title: { ru: 'Обмен с 1С', en: '1C exchange' }, route: 'orders/{id}/exchange' }],
};

const idParams = z.object({ id: z.coerce.number().int().positive() });

/** `GET orders/{id}/exchange` (staff): the rows of the card's «Обмен с 1С» block. */
export function registerExchangeCardRoute(router: IntegrationRouter, context: IntegrationContext<Poly1cSettings>): void {
  router.get('/orders/:id/exchange', { schema: { summary: 'The order in the 1C exchange: handed over when, what 1C reported back', params: idParams } }, async (request): Promise<CardDetailsAnswer> => {
    const { id } = request.params;
    const [state, report, due] = await Promise.all([
      context.state.get('order', id) as Promise<HandoverState | null>,
      context.records.get<OneCReport>(REPORT, String(id)),
      context.records.get(DUE, String(id)),
    ]);
    const rows: CardDetailsAnswer['rows'] = [];
    if (state?.handedOver) rows.push({ label: 'Передан в 1С', value: `версия ${state.handedOver.version}`, at: state.handedOver.at });
    if (due) rows.push({ label: 'Ожидает выгрузки в 1С', value: state?.handedOver ? 'изменён после передачи' : 'ещё не передан', at: due.updatedAt });
    const r = report?.data;
    if (r) {
      if (r.number) rows.push({ label: 'Номер по 1С', value: r.date ? `${r.number} от ${readableDate(r.date)}` : r.number });
      if (r.status || r.cancelled) {
        const applied = r.appliedStatus ? ` → «${orderStatusLabel(r.appliedStatus)}»` : '';
        rows.push({ label: 'Статус 1С', value: `${r.cancelled ? 'Отменён' : r.status}${applied}`, at: r.receivedAt });
      }
      if (r.paidAt) rows.push({ label: 'Дата оплаты по 1С', value: readableDate(r.paidAt) });
      if (r.shippedAt) rows.push({ label: 'Дата отгрузки по 1С', value: readableDate(r.shippedAt) });
      for (const note of r.notes) rows.push({ label: 'Замечание', value: note });
    }
    return { rows, empty: 'Заказ ещё не передавался в 1С' };
  });
}

/** 1C's `2026-03-02` (or `2026-03-02T10:15:00`) as staff read a date: `02.03.2026`; anything else as 1C wrote it. */
function readableDate(text: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}:\d{2}))?/.exec(text);
  if (!match) return text;
  const [, year, month, day, time] = match;
  return `${day}.${month}.${year}${time && time !== '00:00' ? ` ${time}` : ''}`;
}
