import type { Bitrix24Emulator } from '../../emulators/bitrix24/server.js';
import type { AppServices } from '../../src/app.js';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { personCreateSchema } from '../../src/domain/clients.js';
import { orderCreateSchema } from '../../src/domain/orders.js';
import { appIntegrations } from '../../src/extensions.js';
import { createLogger } from '../../src/logger.js';
import { webhookFields } from './bitrix24-portal.js';

/**
 * A print shop's database prepared for `printsync backfill`: printsync opened in this process
 * (no HTTP, no worker) on `databaseUrl` with the integrations of a real build, then closed, so
 * the `printsync` processes a test or benchmark starts find the data there.
 */
export async function withPrintsync<T>(databaseUrl: string, work: (services: AppServices) => Promise<T>): Promise<T> {
  const config = loadConfig({ DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent', ALLOW_PRIVATE_NETWORKS: '1' });
  const services = await createApp(config, { logger: createLogger('silent'), integrations: appIntegrations() });
  try {
    return await work(services);
  } finally {
    await services.close();
  }
}

export interface ShopOrders {
  orderIds: number[];
  personIds: number[];
}

/**
 * `count` orders, each by a new client (a phone and an e-mail of their own) with 3 items and
 * `comments` comments, made through the stores as the API makes them. Made while Bitrix24 is
 * switched off, they queue no export: only a backfill sends them. `first` numbers the clients
 * (their phones and e-mails), so several calls make different people.
 */
export async function addOrders(services: AppServices, count: number, options: { first?: number; comments?: number; createdAt?: Date } = {}): Promise<ShopOrders> {
  const { persons, orders } = services.stores;
  const first = options.first ?? 1;
  const comments = options.comments ?? 2;
  const made: ShopOrders = { orderIds: [], personIds: [] };
  for (let n = first; n < first + count; n++) {
    const person = await persons.create(
      personCreateSchema.parse({ lastName: `Клиентова-${n}`, firstName: 'Ольга', phones: [`+7 (916) ${String(n).padStart(7, '0').replace(/^(\d{3})(\d{2})(\d{2})$/, '$1-$2-$3')}`], emails: [`client${n}@example.ru`] }),
    );
    const order = await orders.create(
      orderCreateSchema.parse({
        personId: person.id,
        site: 'print.example.ru',
        source: 'site',
        items: [
          { name: 'Визитки 90×50', quantity: 500, total: 249_000 },
          { name: 'Листовки А5', quantity: 1000, unitPrice: 350 },
          { name: 'Наклейки', quantity: 10, unitPrice: 1_500 },
        ],
      }),
    );
    for (let c = 1; c <= comments; c++) await orders.addComment(order.id, { author: 'Менеджер', text: `Комментарий ${c} к заказу ${order.number}` });
    if (options.createdAt) await services.database.db.updateTable('orders').set({ created_at: options.createdAt.toISOString() }).where('id', '=', order.id).execute();
    made.orderIds.push(order.id);
    made.personIds.push(person.id);
  }
  return made;
}

/** Saves the Bitrix24 settings pointing at the emulator, switched on (the store runs the same live check as the form). */
export async function switchOnBitrix24(services: AppServices, b24: Bitrix24Emulator, settings: Record<string, unknown> = {}): Promise<void> {
  const current = await services.stores.settings.latest('bitrix24');
  await services.stores.settings.save('bitrix24', {
    expectedVersion: current?.version ?? 0,
    enabled: true,
    settings: { ...webhookFields(b24.webhookUrl), applicationToken: b24.applicationToken, ...settings },
    by: 'test',
  });
}
