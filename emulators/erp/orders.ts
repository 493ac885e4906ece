import { erpErrors } from './errors.js';
import { ORDER_STATUSES, type OrderRecord, type OrderStatus } from './model.js';

/** What the contract shows of an order. */
export function orderView(order: OrderRecord): { id: string; number: string; status: OrderStatus; externalId: string; updatedAt: string } {
  return { id: order.id, number: order.number, status: order.status, externalId: order.externalId, updatedAt: order.updatedAt };
}

/** The ERP's orders: numbered «А-00001», one per `externalId`. */
export class OrderBook {
  private orders: OrderRecord[] = [];
  private counter = 0;

  constructor(
    private readonly now: () => Date,
    private readonly changed: () => void,
  ) {}

  reset(): void {
    this.load({ orders: [], counter: 0 });
  }

  load(data: { orders: OrderRecord[]; counter: number }): void {
    this.orders = data.orders;
    this.counter = data.counter;
  }

  snapshot(): { orders: OrderRecord[]; counter: number } {
    return { orders: this.orders, counter: this.counter };
  }

  list(): OrderRecord[] {
    return [...this.orders];
  }

  find(id: string): OrderRecord | undefined {
    return this.orders.find((o) => o.id === id);
  }

  get(id: string): OrderRecord {
    const order = this.find(id);
    if (!order) throw erpErrors.orderNotFound(id);
    return order;
  }

  findByExternalId(externalId: string): OrderRecord | undefined {
    return this.orders.find((o) => o.externalId === externalId);
  }

  /** Throws 409 DUPLICATE_EXTERNAL_ID (with the existing order) when the external id is taken. */
  assertNew(externalId: string): void {
    const existing = this.findByExternalId(externalId);
    if (existing) throw erpErrors.duplicateExternalId(externalId, orderView(existing));
  }

  create(fields: Omit<OrderRecord, 'id' | 'number' | 'status' | 'createdAt' | 'updatedAt'>): OrderRecord {
    this.assertNew(fields.externalId);
    this.counter += 1;
    const at = this.now().toISOString();
    const order: OrderRecord = { id: `ord-${this.counter}`, number: `А-${String(this.counter).padStart(5, '0')}`, status: 'new', createdAt: at, updatedAt: at, ...fields };
    this.orders.push(order);
    this.changed();
    return order;
  }

  /** A manager moves the order along (`new`, `in_work`, `ready`, `shipped`, `cancelled`). */
  setStatus(id: string, status: string): OrderRecord {
    if (!(ORDER_STATUSES as readonly string[]).includes(status)) throw erpErrors.badField('status', `Статус «${status}» неизвестен (${ORDER_STATUSES.join(', ')})`);
    const order = this.get(id);
    order.status = status as OrderStatus;
    order.updatedAt = this.now().toISOString();
    this.changed();
    return order;
  }
}
