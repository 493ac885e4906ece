import { randomBytes } from 'node:crypto';
import { OneCExchangeClient } from '../../emulators/poly1c/client.js';
import type { AppServices } from '../app.js';

/**
 * The demo's 1С:Полиграфия: the exchange's login and password saved and the integration switched
 * on, the demo orders marked for 1C (`backfill`), and the emulated 1C running the site exchange
 * against the demo every 20 s — it takes the orders due, confirms them and sends back its own
 * numbers, so the order cards show «Номер по 1С» and «Обмен с 1С» without any setup.
 */
export interface Demo1c {
  login: string;
  password: string;
  exchangeUrl: string;
  stop(): Promise<void>;
}

const EVERY_MS = 20_000;

export async function startDemo1c(services: AppServices, appUrl: string): Promise<Demo1c> {
  const login = 'obmen-1c';
  const password = randomBytes(9).toString('base64url');
  const current = await services.stores.settings.latest('poly1c');
  await services.stores.settings.save('poly1c', {
    expectedVersion: current?.version ?? 0,
    enabled: true,
    settings: { ...(current?.settings ?? {}), exchangeLogin: login, exchangePassword: password, schemaVersion: '2.08', encoding: 'utf-8' },
    by: 'demo',
  });
  const backfill = services.integrations.find('poly1c')?.backfill;
  if (backfill) await backfill.enqueue(await backfill.pending({ since: null }));

  const exchangeUrl = `${appUrl}/1c_exchange`;
  const oneC = new OneCExchangeClient({ url: exchangeUrl, login, password });
  let running: Promise<void> = Promise.resolve();
  const exchange = () => {
    running = (async () => {
      try {
        const { orders } = await oneC.cycle();
        if (orders.length) await oneC.sendStatuses(orders.map((order) => ({ siteId: order.siteId })));
      } catch (error) {
        services.logger.warn({ err: error }, 'demo 1C exchange failed');
      }
    })();
  };
  const first = setTimeout(exchange, 3_000);
  const timer = setInterval(exchange, EVERY_MS);
  timer.unref();
  first.unref();
  return {
    login,
    password,
    exchangeUrl,
    async stop() {
      clearTimeout(first);
      clearInterval(timer);
      await running;
    },
  };
}
