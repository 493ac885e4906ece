import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Person } from '../domain/clients.js';
import type { Product } from '../domain/catalog.js';
import { quoteFromTiers } from '../domain/catalog.js';
import type { OrderStatus } from '../domain/order-status.js';
import type { Order } from '../domain/orders.js';
import { orderCreateSchema } from '../domain/orders.js';
import type { OrderStore } from '../store/orders.js';
import type { SeededClients } from './clients-seed.js';

/** Where each demo order has got to, in the order a print shop moves them. */
const LIFECYCLES: OrderStatus[][] = [
  [],
  ['AwaitingPayment'],
  ['ReadyToProcessing'],
  ['ReadyToProcessing', 'PrepressCoordination'],
  ['ReadyToProcessing', 'DesignCoordination', 'DesignCoordinationAwaitingReply'],
  ['ReadyToProcessing', 'PrepressCoordination', 'PrepressCoordinationComplete', 'Printing'],
  ['ReadyToProcessing', 'Printing', 'PostPress'],
  ['ReadyToProcessing', 'Printing', 'Printed'],
  ['ReadyToProcessing', 'Printing', 'Printed', 'Shipped'],
  ['ReadyToProcessing', 'Printing', 'Printed', 'ShippedToStorage', 'Delivered'],
  ['AwaitingPayment', 'Cancelled'],
  ['ReadyToProcessing', 'Printing', 'PrintedWithDefect'],
];

const COMMENTS = [
  ['Клиент', 'Пожалуйста, проверьте, что логотип не уходит под обрез.'],
  ['Менеджер Анна', 'Макет проверен, отправили клиенту на согласование.'],
  ['Клиент', 'Согласовано, запускайте в печать.'],
  ['Препресс', 'Добавили вылеты 2 мм по краям.'],
] as const;

const DELIVERIES = [
  { method: 'Самовывоз', address: 'Москва, ул. Печатников, 1', price: 0 },
  { method: 'Курьер', address: 'Москва, Пятницкая ул., 12', price: 45_000 },
  { method: 'СДЭК', address: 'Санкт-Петербург, Невский пр., 28', price: 52_000 },
] as const;

const PAYMENT_METHODS = ['Наличные при получении', 'Банковский перевод', 'Счет частного лица', 'Счет организации'];

/**
 * Orders spread over the last weeks and over the lifecycle, so every screen has something to show.
 * Deterministic: the same seed data every run (but for the dates, which end today).
 */
export async function seedOrders(
  db: Kysely<Database>,
  orders: OrderStore,
  clients: SeededClients,
  products: Product[],
  count = 36,
): Promise<Order[]> {
  const buyers: Array<{ person: Person; organizationId: number | null }> = [
    ...clients.persons.map((person) => ({ person, organizationId: null })),
    ...clients.organizations.flatMap(({ organization, employees }) => employees.map((person) => ({ person, organizationId: organization.id }))),
  ];
  const created: Order[] = [];
  for (let i = 0; i < count; i++) {
    const buyer = buyers[i % buyers.length]!;
    const lines = [products[i % products.length]!, ...(i % 3 === 0 ? [products[(i * 7 + 3) % products.length]!] : [])];
    const lifecycle = LIFECYCLES[i % LIFECYCLES.length]!;
    const paid = lifecycle.includes('ReadyToProcessing');
    const delivery = DELIVERIES[i % DELIVERIES.length]!;
    const order = await orders.create(
      orderCreateSchema.parse({
        personId: buyer.person.id,
        organizationId: buyer.organizationId,
        site: i % 4 === 0 ? 'foto.example.ru' : 'print.example.ru',
        source: (['site', 'site', 'app', 'panel', 'api'] as const)[i % 5],
        items: lines.map((product, line) => {
          const quantity = demoQuantity(product, i + line);
          const quote = quoteFromTiers(product.tiers, quantity);
          return {
            productId: product.id,
            name: product.name,
            quantity,
            // A preset's price is for the whole run; the unit price is only for display.
            unitPrice: quote.unitPrice,
            total: quote.total,
            parameters: product.sku?.startsWith('TSH') ? { Размер: ['S', 'M', 'L', 'XL'][i % 4]! } : {},
          };
        }),
        delivery: { ...delivery, recipient: buyer.person.fullName },
        payment: { status: paid ? 'paid' : 'not_paid', method: PAYMENT_METHODS[i % PAYMENT_METHODS.length] },
        manager: i % 2 === 0 ? 'Анна Лебедева' : 'Игорь Кравцов',
        comment: i % 5 === 0 ? 'Позвонить перед доставкой' : null,
      }),
    );
    for (const status of lifecycle) await orders.changeStatus(order.id, { status, changedBy: 'Анна Лебедева' });
    for (const [author, text] of COMMENTS.slice(0, i % (COMMENTS.length + 1))) await orders.addComment(order.id, { author, text });
    if (lifecycle.length >= 3) {
      await orders.reportRender(order.id, { status: 'ready', archiveUrl: `https://files.print.example.ru/orders/${order.number}.zip` });
    }
    // The newest order was placed an hour ago, the oldest about three weeks ago.
    await backdate(db, order.id, new Date(Date.now() - (3_600_000 + (count - 1 - i) * 14 * 3_600_000)));
    created.push(await orders.get(order.id));
  }
  return created;
}

/**
 * Moves an order's timeline into the past, as if it had been placed at `placedAt` and worked on
 * since: each status change a few hours after the one before. Demo data only — real orders get
 * their times from the moment things happen.
 */
async function backdate(db: Kysely<Database>, orderId: number, placedAt: Date): Promise<void> {
  const history = await db.selectFrom('order_status_history').select('id').where('order_id', '=', orderId).orderBy('id').execute();
  const comments = await db.selectFrom('order_comments').select('id').where('order_id', '=', orderId).orderBy('id').execute();
  // An hour apart as a rule, closer for the newest orders: nothing may happen after now.
  const lastStep = Math.max(0, history.length - 1) * 3 + comments.length * 2;
  const stepMs = Math.min(3_600_000, (Date.now() - 60_000 - placedAt.getTime()) / Math.max(1, lastStep));
  const at = (hours: number) => new Date(placedAt.getTime() + hours * stepMs).toISOString();
  for (const [step, row] of history.entries()) {
    await db.updateTable('order_status_history').set({ changed_at: at(step * 3) }).where('id', '=', row.id).execute();
  }
  for (const [index, row] of comments.entries()) {
    await db.updateTable('order_comments').set({ created_at: at(1 + index * 2) }).where('id', '=', row.id).execute();
  }
  const lastChange = at(lastStep);
  await db.updateTable('orders').set({ created_at: at(0), updated_at: lastChange }).where('id', '=', orderId).execute();
}

/** A quantity the product's tiers allow: a preset run, or a round number inside the range. */
function demoQuantity(product: Product, salt: number): number {
  const tiers = product.tiers;
  if (tiers.mode === 'presets') return tiers.presets[salt % tiers.presets.length]!.quantity;
  const candidates = [tiers.min, tiers.min + tiers.step * 9, tiers.min + tiers.step * 49].filter((q) => q <= tiers.max);
  return candidates[salt % candidates.length]!;
}
