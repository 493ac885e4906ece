import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../../db/schema.js';
import { DomainError } from '../../../domain/errors.js';
import type { IntegrationContext } from '../../../platform/context.js';
import type { Poly1cSettings } from '../settings.js';
import { encodeDocument, exchangeIdOf, ordersDocument } from './commerceml.js';
import type { OrderForExchange } from './commerceml.js';

/**
 * Which orders 1C still has to take, and what it took (P1C-6). 1C pulls: a change of an order
 * puts a *due mark* on it (a record of kind `due` keyed by the order id, written by the job the
 * change enqueued in its own transaction, so no change is missed); `query` hands over every
 * marked order and remembers in the exchange session which marks it handed over; `success`
 * removes exactly those marks — an order changed after the `query` has a new mark and goes
 * again, and a `success` that never comes (1C crashed) removes nothing, so the next `query`
 * hands the same orders over again. What was handed over and when is kept per order in the
 * integration's state and shown on the order card.
 */

export const DUE = 'due';

export interface DueMark {
  /** New on every change: `success` removes the mark only if it is still the one handed over. */
  mark: string;
  since: string;
}

/** One order as a `query` handed it over. */
export interface HandedOrder {
  id: number;
  number: string;
  mark: string;
  version: number;
}

/** The integration's state per order: the last handover 1C confirmed. */
export interface HandoverState {
  handedOver?: { at: string; version: number; queriedAt: string };
}

/** At most this many orders per `query`; the rest go in the next exchange. */
export const ORDERS_PER_QUERY = 500;

type Context = IntegrationContext<Poly1cSettings>;

export class Handover {
  constructor(private readonly context: Context) {}

  /** Marks the order due (in the transaction `db` when given). */
  async markDue(orderId: number, db?: Kysely<Database>): Promise<void> {
    const due: DueMark = { mark: randomUUID(), since: this.context.clock.now().toISOString() };
    await this.context.records.put(DUE, String(orderId), due, db);
  }

  /** The orders 1C has not taken yet, oldest ids first. */
  async dueOrders(limit = ORDERS_PER_QUERY): Promise<Array<{ id: number; mark: string }>> {
    const records = await this.context.records.list<DueMark>(DUE);
    return records
      .map((record) => ({ id: Number(record.key), mark: record.data.mark }))
      .filter((due) => Number.isSafeInteger(due.id))
      .sort((a, b) => a.id - b.id)
      .slice(0, limit);
  }

  /**
   * The document `query` answers, as bytes in the encoding of the settings, and the orders it
   * carries. An order deleted since it was marked is dropped from the marks.
   */
  async query(): Promise<{ body: Buffer; contentType: string; handed: HandedOrder[] }> {
    const { settings } = await this.context.settings.require();
    const due = await this.dueOrders();
    const orders: OrderForExchange[] = [];
    const handed: HandedOrder[] = [];
    for (const { id, mark } of due) {
      const loaded = await this.load(id);
      if (!loaded) {
        await this.context.records.remove(DUE, String(id));
        continue;
      }
      orders.push(loaded);
      handed.push({ id, number: exchangeIdOf(loaded.order), mark, version: loaded.order.version });
    }
    const xml = ordersDocument(orders, { schemaVersion: settings.schemaVersion, encoding: settings.encoding, now: this.context.clock.now() });
    const body = encodeDocument(xml, settings.encoding);
    return { body, contentType: `application/xml; charset=${settings.encoding}`, handed };
  }

  /**
   * 1C confirmed the orders of its last `query`: their marks go (those not replaced by a later
   * change meanwhile) and the handover is recorded on each.
   */
  async confirm(handed: readonly HandedOrder[], queriedAt: string): Promise<{ confirmed: number; changedSince: number }> {
    const at = this.context.clock.now().toISOString();
    let changedSince = 0;
    for (const order of handed) {
      const changed = await this.context.transaction(async (trx) => {
        const due = await this.context.records.get<DueMark>(DUE, String(order.id), trx);
        const stillSame = due?.data.mark === order.mark;
        if (stillSame) await this.context.records.remove(DUE, String(order.id), trx);
        const state = ((await this.context.state.get('order', order.id, trx)) ?? {}) as HandoverState;
        await this.context.state.set('order', order.id, { ...state, handedOver: { at, version: order.version, queriedAt } }, trx);
        return due !== null && !stillSame;
      });
      if (changed) changedSince++;
      await this.context.syncLog.record({
        entityType: 'order',
        entityId: order.id,
        operation: 'commerceml.handover',
        outcome: 'ok',
        externalId: order.number,
        request: { queriedAt, version: order.version },
        response: changed ? 'передан в 1С; изменён после выгрузки — будет передан снова' : 'передан в 1С',
      });
    }
    return { confirmed: handed.length, changedSince };
  }

  private async load(id: number): Promise<OrderForExchange | null> {
    const { stores } = this.context;
    try {
      const order = await stores.orders.get(id);
      const person = order.personId !== null ? await stores.persons.get(order.personId).catch(ignoreMissing) : null;
      const organization = order.organizationId !== null ? await stores.organizations.get(order.organizationId).catch(ignoreMissing) : null;
      return { order, person, organization };
    } catch (error) {
      if (error instanceof DomainError && error.code === 'not_found') return null;
      throw error;
    }
  }
}

function ignoreMissing(error: unknown): null {
  if (error instanceof DomainError && error.code === 'not_found') return null;
  throw error;
}
