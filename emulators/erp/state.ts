import { TemplateCatalog } from './catalog.js';
import type { Counterparty, Identity, Manager, OrderRecord, TemplateRecord } from './model.js';
import { OrderBook } from './orders.js';
import { SEED_COUNTERPARTIES, SEED_IDENTITY, SEED_MANAGERS } from './seed.js';

export interface ErpSnapshot {
  version: 1;
  templates: TemplateRecord[];
  orders: OrderRecord[];
  orderCounter: number;
}

/** The ERP's data: templates, orders, and the fixed reference lists. */
export class ErpState {
  readonly identity: Identity = { ...SEED_IDENTITY };
  readonly managers: Manager[] = SEED_MANAGERS.map((m) => ({ ...m }));
  readonly counterparties: Counterparty[] = SEED_COUNTERPARTIES.map((c) => ({ ...c }));
  readonly templates: TemplateCatalog;
  readonly orders: OrderBook;
  private listeners: (() => void)[] = [];

  constructor(now: () => Date = () => new Date()) {
    const changed = () => {
      for (const listener of this.listeners) listener();
    };
    this.templates = new TemplateCatalog(now, changed);
    this.orders = new OrderBook(now, changed);
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Back to the seed: the seeded templates, no orders. */
  reset(): void {
    this.templates.reset();
    this.orders.reset();
    for (const listener of this.listeners) listener();
  }

  snapshot(): ErpSnapshot {
    const { orders, counter } = this.orders.snapshot();
    return { version: 1, templates: this.templates.list(), orders, orderCounter: counter };
  }

  load(snapshot: ErpSnapshot): void {
    this.templates.load(snapshot.templates);
    this.orders.load({ orders: snapshot.orders, counter: snapshot.orderCounter });
  }
}
