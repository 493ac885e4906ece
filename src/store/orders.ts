import type { Insertable, Kysely } from 'kysely';
import { lockedForWrite, nextIdentity } from '../db/dialect.js';
import { prepare, PreparedShapes } from '../db/prepared.js';
import { isUniqueViolation } from '../db/errors.js';
import type { Database, OrderItemRow, OrderRow, OrdersTable } from '../db/schema.js';
import type { ExternalIds } from '../domain/clients.js';
import { DomainError, invalidField, notFound, assertVersion } from '../domain/errors.js';
import type { OrderSource, OrderStatus, PaymentStatus, RenderStatus } from '../domain/order-status.js';
import type { Origin } from '../domain/origin.js';
import { SYSTEM_ORIGIN, originLabel, parseOrigin } from '../domain/origin.js';
import { withoutReservedKeys } from '../domain/keys.js';
import { INITIAL_ORDER_STATUS } from '../domain/order-status.js';
import type {
  CommentCreateInput,
  Delivery,
  Order,
  OrderComment,
  OrderCreateInput,
  OrderItem,
  OrderSummary,
  OrderUpdateInput,
  RenderReportInput,
  StatusChangeInput,
  StatusChangeOrigin,
} from '../domain/orders.js';
import { computeTotals } from '../domain/orders.js';
import type { Outbox } from '../events/outbox.js';
import type { ExternalLinkStore } from './external-links.js';
import { nowIso, parseJson, toJson } from './json.js';
import type { Page } from './pagination.js';
import { DEFAULT_PAGE_SIZE, decodeCursor, toPage } from './pagination.js';
import { containsTextAnyCase } from './search.js';
import { refusingVanishedReferences } from './references.js';
import { transact } from './transaction.js';

export interface OrderFilter {
  status?: OrderStatus[] | undefined;
  /** Part of the order number. */
  number?: string | undefined;
  personId?: number | undefined;
  organizationId?: number | undefined;
  site?: string | undefined;
  paymentStatus?: PaymentStatus | undefined;
  createdFrom?: string | undefined;
  createdTo?: string | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
}

type Db = Kysely<Database>;

/**
 * Orders with their items, discussion feed («лента обсуждения») and status history. Every
 * write is made on behalf of an origin (who caused it): `as(origin)` gives the store for one
 * caller; the store the app builds writes as printsync itself.
 */
export class OrderStore {
  constructor(
    private readonly db: Db,
    private readonly links: ExternalLinkStore,
    private readonly outbox: Outbox,
    readonly origin: Origin = SYSTEM_ORIGIN,
  ) {}

  /** The same store, writing on behalf of `origin` (a staff member, a token, an integration). */
  as(origin: Origin): OrderStore {
    return new OrderStore(this.db, this.links, this.outbox, origin);
  }

  async create(input: OrderCreateInput, db: Db = this.db): Promise<Order> {
    return refusingVanishedReferences(() => this.#create(input, db), productVanished);
  }

  async #create(input: OrderCreateInput, db: Db): Promise<Order> {
    return transact(db, async (trx) => {
      await assertClient(trx, input.personId, input.organizationId ?? null);
      await assertProducts(trx, input.items);
      if (input.number) await assertNumberFree(trx, input.number);
      const totals = computeTotals(input.items, input.delivery?.price ?? 0, input.discount);
      const now = nowIso();
      const status = input.status ?? INITIAL_ORDER_STATUS;
      const values = {
        site: input.site ?? null,
        source: input.source,
        person_id: input.personId,
        organization_id: input.organizationId ?? null,
        status,
        payment_status: input.payment.status,
        payment_method: input.payment.method ?? null,
        currency: input.currency,
        items_total: totals.items,
        delivery_price: totals.delivery,
        discount: totals.discount,
        total: totals.total,
        delivery: input.delivery ? toJson(toDelivery(input.delivery)) : null,
        manager: input.manager ?? null,
        comment: input.comment ?? null,
        ready_at: input.readyAt ?? null,
        render_status: 'pending',
        archive_url: null,
        created_at: now,
        updated_at: now,
        version: 1,
      };
      const row = input.number
        ? await insertOrder(input.number, () => trx.insertInto('orders').values({ ...values, number: input.number! }).returningAll().executeTakeFirstOrThrow())
        : await insertAutoNumbered(trx, values);
      const items = await insertItems(trx, row.id, input.items);
      const changedBy = originLabel(this.origin);
      await insertFirstStatus.run(trx, { orderId: row.id, status, changedBy, now, origin: toJson(this.origin) });
      await this.outbox.record(trx, { type: 'order.created', entityType: 'order', entityId: row.id, data: { number: row.number } }, this.origin);
      return {
        ...toSummary(row, items, {}),
        comments: [],
        statusHistory: [{ from: null, to: status, changedBy, changedAt: now, origin: originView(this.origin) }],
      };
    });
  }

  async get(id: number, db: Db = this.db): Promise<Order> {
    const row = await db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('order', id);
    const [items, comments, history, externalIds] = await Promise.all([
      db.selectFrom('order_items').selectAll().where('order_id', '=', id).orderBy('position').execute(),
      db.selectFrom('order_comments').selectAll().where('order_id', '=', id).orderBy('id').execute(),
      db.selectFrom('order_status_history').selectAll().where('order_id', '=', id).orderBy('id').execute(),
      this.links.forEntity('order', id, db),
    ]);
    return {
      ...toSummary(row, items.map(toItem), externalIds),
      comments: comments.map((c) => ({ id: c.id, author: c.author, text: c.text, createdAt: c.created_at })),
      statusHistory: history.map((h) => ({
        from: h.from_status as OrderStatus | null,
        to: h.to_status as OrderStatus,
        changedBy: h.changed_by,
        changedAt: h.changed_at,
        origin: originView(parseOrigin(h.origin)),
      })),
    };
  }

  async findByNumber(number: string): Promise<Order | null> {
    const row = await this.db.selectFrom('orders').select('id').where('number', '=', number).executeTakeFirst();
    return row ? this.get(row.id) : null;
  }

  /** Changes an order the caller read at `input.version`; a newer version on the server is a conflict. */
  async update(id: number, input: OrderUpdateInput, db: Db = this.db): Promise<Order> {
    return refusingVanishedReferences(() => this.#update(id, input, db), productVanished);
  }

  async #update(id: number, input: OrderUpdateInput, db: Db): Promise<Order> {
    return transact(db, async (trx) => {
      const current = await lockedOrder(trx, id, input.version);
      const personId = input.personId ?? current.person_id;
      const organizationId = input.organizationId !== undefined ? input.organizationId : current.organization_id;
      if (input.personId !== undefined || input.organizationId !== undefined) {
        if (personId === null) throw invalidField('body.personId', 'is required');
        await assertClient(trx, personId, organizationId);
      }
      const delivery =
        input.delivery !== undefined ? (input.delivery ? toDelivery(input.delivery) : null) : parseJson<Delivery | null>(current.delivery, null);
      const itemsForTotals =
        input.items ??
        (await trx.selectFrom('order_items').select('total').where('order_id', '=', id).execute());
      const totals = computeTotals(itemsForTotals, delivery?.price ?? 0, input.discount ?? current.discount);
      if (input.items) {
        await assertProducts(trx, input.items);
        await trx.deleteFrom('order_items').where('order_id', '=', id).execute();
        await insertItems(trx, id, input.items);
      }
      await trx
        .updateTable('orders')
        .set({
          ...(input.site !== undefined && { site: input.site }),
          person_id: personId,
          organization_id: organizationId,
          ...(input.currency !== undefined && { currency: input.currency }),
          ...(input.payment?.status !== undefined && { payment_status: input.payment.status }),
          ...(input.payment?.method !== undefined && { payment_method: input.payment.method }),
          ...(input.manager !== undefined && { manager: input.manager }),
          ...(input.readyAt !== undefined && { ready_at: input.readyAt }),
          ...(input.comment !== undefined && { comment: input.comment }),
          delivery: delivery ? toJson(delivery) : null,
          items_total: totals.items,
          delivery_price: totals.delivery,
          discount: totals.discount,
          total: totals.total,
          updated_at: nowIso(),
          version: current.version + 1,
        })
        .where('id', '=', id)
        .execute();
      await this.outbox.record(trx, { type: 'order.updated', entityType: 'order', entityId: id, data: {} }, this.origin);
      return this.get(id, trx);
    });
  }

  /** Moves the order to another status; the same status again changes nothing and raises no event. */
  async changeStatus(id: number, input: StatusChangeInput, db: Db = this.db): Promise<Order> {
    return transact(db, async (trx) => {
      const current = await lockedOrder(trx, id, input.version);
      if (current.status === input.status) return this.get(id, trx);
      const now = nowIso();
      await trx
        .updateTable('orders')
        .set({ status: input.status, updated_at: now, version: current.version + 1 })
        .where('id', '=', id)
        .execute();
      await trx
        .insertInto('order_status_history')
        .values({
          order_id: id,
          from_status: current.status,
          to_status: input.status,
          changed_by: statusChangeLabel(this.origin, input.changedBy),
          changed_at: now,
          origin: toJson(this.origin),
        })
        .execute();
      await this.outbox.record(
        trx,
        { type: 'order.status_changed', entityType: 'order', entityId: id, data: { from: current.status, to: input.status } },
        this.origin,
      );
      return this.get(id, trx);
    });
  }

  async addComment(id: number, input: CommentCreateInput, db: Db = this.db): Promise<OrderComment> {
    return transact(db, async (trx) => {
      const current = await lockedOrder(trx, id);
      const now = nowIso();
      const comment = await trx
        .insertInto('order_comments')
        .values({ order_id: id, author: input.author, text: input.text, created_at: now })
        .returningAll()
        .executeTakeFirstOrThrow();
      await trx.updateTable('orders').set({ updated_at: now, version: current.version + 1 }).where('id', '=', id).execute();
      await this.outbox.record(trx, { type: 'order.commented', entityType: 'order', entityId: id, data: { commentId: comment.id } }, this.origin);
      return { id: comment.id, author: comment.author, text: comment.text, createdAt: comment.created_at };
    });
  }

  /** The storefront reports that the print files are rendered (or failed): ERPs wait for this. */
  async reportRender(id: number, input: RenderReportInput, db: Db = this.db): Promise<Order> {
    return transact(db, async (trx) => {
      const current = await lockedOrder(trx, id);
      await trx
        .updateTable('orders')
        .set({
          render_status: input.status,
          archive_url: input.archiveUrl ?? current.archive_url,
          updated_at: nowIso(),
          version: current.version + 1,
        })
        .where('id', '=', id)
        .execute();
      await this.outbox.record(
        trx,
        { type: 'order.rendered', entityType: 'order', entityId: id, data: { status: input.status, archiveUrl: input.archiveUrl ?? current.archive_url } },
        this.origin,
      );
      return this.get(id, trx);
    });
  }

  async list(filter: OrderFilter = {}): Promise<Page<OrderSummary>> {
    const limit = filter.limit ?? DEFAULT_PAGE_SIZE;
    const before = decodeCursor(filter.cursor);
    let query = this.db.selectFrom('orders').selectAll().orderBy('id', 'desc').limit(limit + 1);
    if (before !== null) query = query.where('id', '<', before);
    if (filter.status?.length) query = query.where('status', 'in', filter.status);
    if (filter.number) query = query.where(containsTextAnyCase('number', filter.number));
    if (filter.personId !== undefined) query = query.where('person_id', '=', filter.personId);
    if (filter.organizationId !== undefined) query = query.where('organization_id', '=', filter.organizationId);
    if (filter.site) query = query.where('site', '=', filter.site);
    if (filter.paymentStatus) query = query.where('payment_status', '=', filter.paymentStatus);
    if (filter.createdFrom) query = query.where('created_at', '>=', filter.createdFrom);
    if (filter.createdTo) query = query.where('created_at', '<', filter.createdTo);
    const rows = await query.execute();
    const ids = rows.map((r) => r.id);
    const [itemRows, links] = await Promise.all([
      ids.length
        ? this.db.selectFrom('order_items').selectAll().where('order_id', 'in', ids).orderBy('order_id').orderBy('position').execute()
        : Promise.resolve([]),
      this.links.forEntities(this.db, 'order', ids),
    ]);
    const itemsByOrder = new Map<number, OrderItem[]>();
    for (const item of itemRows) {
      const list = itemsByOrder.get(item.order_id) ?? [];
      list.push(toItem(item));
      itemsByOrder.set(item.order_id, list);
    }
    return toPage(rows, limit, (row) => toSummary(row, itemsByOrder.get(row.id) ?? [], links.get(row.id) ?? {}));
  }
}

function productVanished(): DomainError {
  return new DomainError('conflict', 'body.items: a product of this order was deleted while the order was being saved; reload the catalog', [
    { path: 'body.items', message: 'a product was deleted meanwhile' },
  ]);
}

/**
 * Who the history names. A staff member and an integration are named by who they are, whatever
 * the request says; an API client (the storefront, a script) or printsync itself may name the
 * person it acts for (`changedBy`), and is named itself otherwise.
 */
function statusChangeLabel(origin: Origin, changedBy: string | null | undefined): string {
  if (origin.kind === 'user' || origin.kind === 'integration') return originLabel(origin);
  return changedBy || originLabel(origin);
}

/** How the API shows an origin: its kind and a label (no staff or token ids). */
function originView(origin: Origin | null): StatusChangeOrigin | null {
  return origin ? { kind: origin.kind, name: origin.kind === 'integration' ? origin.name : originLabel(origin) } : null;
}

// Prepared per number of lines (db/prepared.ts): an order create is the hottest write there is.
// Only the new ids come back: the rest of each row is what was just written, and SQLite's
// RETURNING of every column (names, parameters as text) cost more than the insert itself.
const insertItemRows = new PreparedShapes((count) => (db, p) =>
  db
    .insertInto('order_items')
    .values(
      Array.from({ length: count }, (_, index) => ({
        order_id: p<number>('orderId'),
        position: index + 1,
        product_id: p<number | null>(`productId${index}`),
        name: p<string>(`name${index}`),
        quantity: p<number>(`quantity${index}`),
        unit_price: p<number>(`unitPrice${index}`),
        total: p<number>(`total${index}`),
        parameters: p<string>(`parameters${index}`),
      })),
    )
    .returning(['id', 'position']),
);

async function insertItems(trx: Db, orderId: number, items: OrderCreateInput['items']): Promise<OrderItem[]> {
  const params: Record<string, unknown> = { orderId };
  const written: OrderItemRow[] = items.map((item, index) => {
    const row = {
      id: 0,
      order_id: orderId,
      position: index + 1,
      product_id: item.productId ?? null,
      name: item.name,
      quantity: item.quantity,
      unit_price: item.unitPrice,
      total: item.total,
      parameters: toJson(item.parameters),
    };
    params[`productId${index}`] = row.product_id;
    params[`name${index}`] = row.name;
    params[`quantity${index}`] = row.quantity;
    params[`unitPrice${index}`] = row.unit_price;
    params[`total${index}`] = row.total;
    params[`parameters${index}`] = row.parameters;
    return row;
  });
  const { rows } = await insertItemRows.for(items.length).run(trx, params);
  // RETURNING promises no order: each id goes to its line by position.
  for (const { id, position } of rows) written[position - 1]!.id = id;
  return written.map(toItem);
}

/**
 * Reads the order inside the transaction, checking the caller's version when given. On
 * PostgreSQL the row is locked, so two concurrent changes of one order apply one after the other.
 */
async function lockedOrder(trx: Db, id: number, expectedVersion?: number): Promise<OrderRow> {
  const row = await lockedForWrite(trx, trx.selectFrom('orders').selectAll().where('id', '=', id)).executeTakeFirst();
  if (!row) throw notFound('order', id);
  assertVersion('order', id, expectedVersion, row.version);
  return row;
}

const selectClient = prepare((db, p) => db.selectFrom('persons').select(['id', 'organization_id']).where('id', '=', p<number>('personId')));

async function assertClient(trx: Db, personId: number, organizationId: number | null): Promise<void> {
  const [person] = (await selectClient.run(trx, { personId })).rows;
  if (!person) throw invalidField('body.personId', `person ${personId} does not exist`);
  if (organizationId !== null) {
    const organization = await trx.selectFrom('organizations').select('id').where('id', '=', organizationId).executeTakeFirst();
    if (!organization) throw invalidField('body.organizationId', `organization ${organizationId} does not exist`);
    if (person.organization_id !== organizationId) {
      throw invalidField('body.personId', `person ${personId} is not an employee of organization ${organizationId}`);
    }
  }
}

/**
 * An order numbered by its id, in one insert: the id is taken first, and the number is the id
 * (should a caller already have given that number to an order of its own, a suffix keeps it
 * unique: `42-1`). Inserting a placeholder and renumbering afterwards wrote the number's index
 * twice, once at a random place.
 */
async function insertAutoNumbered(trx: Db, values: OrderValues): Promise<OrderRow> {
  const id = await nextIdentity(trx, 'orders');
  for (let suffix = 0; ; suffix++) {
    const number = suffix === 0 ? String(id) : `${id}-${suffix}`;
    const row = { ...values, id, number } as OrderRow;
    // The row is what was written (every column is given): reading it back with RETURNING cost
    // as much again as the insert. No row inserted means the number was taken.
    const { numAffectedRows } = await insertNumberedOrder.run(trx, row);
    if (numAffectedRows !== undefined && numAffectedRows > 0n) return row;
  }
}

type OrderValues = Omit<Insertable<OrdersTable>, 'id' | 'number'>;

// The hottest writes there are, prepared once (db/prepared.ts).
const ORDER_COLUMNS = [
  'site', 'source', 'person_id', 'organization_id', 'status', 'payment_status', 'payment_method', 'currency', 'items_total',
  'delivery_price', 'discount', 'total', 'delivery', 'manager', 'comment', 'ready_at', 'render_status', 'archive_url', 'created_at', 'updated_at', 'version',
] as const satisfies ReadonlyArray<keyof OrderValues>;

const insertNumberedOrder = prepare((db, p) =>
  db
    .insertInto('orders')
    .values({ id: p('id'), number: p('number'), ...(Object.fromEntries(ORDER_COLUMNS.map((column) => [column, p(column)])) as OrderValues) })
    .onConflict((oc) => oc.column('number').doNothing()),
);

const insertFirstStatus = prepare((db, p) =>
  db.insertInto('order_status_history').values({
    order_id: p('orderId'),
    from_status: null,
    to_status: p('status'),
    changed_by: p('changedBy'),
    changed_at: p('now'),
    origin: p('origin'),
  }),
);

/**
 * Two creates with the same number in parallel both pass `assertNumberFree` on PostgreSQL; the
 * unique index stops the second, which is then a conflict for the caller, not a server error.
 */
async function insertOrder(number: string | undefined, insert: () => Promise<OrderRow>): Promise<OrderRow> {
  try {
    return await insert();
  } catch (error) {
    // The failed statement ends a PostgreSQL transaction, so the answer cannot look the winner up.
    if (number !== undefined && isUniqueViolation(error)) throw numberTaken(number, null);
    throw error;
  }
}

async function assertNumberFree(trx: Db, number: string): Promise<void> {
  const taken = await trx.selectFrom('orders').select('id').where('number', '=', number).executeTakeFirst();
  if (taken) throw numberTaken(number, taken.id);
}

function numberTaken(number: string, takenBy: number | null): DomainError {
  const by = takenBy === null ? '' : ` (id ${takenBy})`;
  return new DomainError('conflict', `body.number: order ${number} already exists${by}`, [
    { path: 'body.number', message: `already used by another order${by}` },
  ]);
}

async function assertProducts(trx: Db, items: OrderCreateInput['items']): Promise<void> {
  const ids = [...new Set(items.map((item) => item.productId).filter((id): id is number => typeof id === 'number'))];
  if (ids.length === 0) return;
  const found = new Set((await trx.selectFrom('products').select('id').where('id', 'in', ids).execute()).map((p) => p.id));
  const index = items.findIndex((item) => typeof item.productId === 'number' && !found.has(item.productId));
  if (index >= 0) throw invalidField(`body.items[${index}].productId`, `product ${items[index]!.productId} does not exist`);
}

function toDelivery(input: NonNullable<OrderCreateInput['delivery']>): Delivery {
  return { method: input.method, address: input.address ?? null, recipient: input.recipient ?? null, price: input.price };
}

function toItem(row: OrderItemRow): OrderItem {
  return {
    id: row.id,
    position: row.position,
    productId: row.product_id,
    name: row.name,
    quantity: row.quantity,
    unitPrice: row.unit_price,
    total: row.total,
    parameters: withoutReservedKeys(parseJson<OrderItem['parameters']>(row.parameters, {})),
  };
}

function toSummary(row: OrderRow, items: OrderItem[], externalIds: ExternalIds): OrderSummary {
  return {
    id: row.id,
    number: row.number,
    site: row.site,
    source: row.source as OrderSource,
    status: row.status as OrderStatus,
    personId: row.person_id,
    organizationId: row.organization_id,
    items,
    delivery: parseJson<Delivery | null>(row.delivery, null),
    payment: { status: row.payment_status as PaymentStatus, method: row.payment_method },
    currency: row.currency,
    totals: { items: row.items_total, delivery: row.delivery_price, discount: row.discount, total: row.total },
    manager: row.manager,
    readyAt: row.ready_at,
    comment: row.comment,
    render: { status: row.render_status as RenderStatus, archiveUrl: row.archive_url },
    externalIds,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: row.version,
  };
}
