import { existsSync, rmSync } from 'node:fs';
import type { Command } from 'commander';
import { startBitrix24Emulator } from '../../emulators/bitrix24/server.js';
import type { Bitrix24Emulator } from '../../emulators/bitrix24/server.js';
import type { AppServices } from '../app.js';
import { parseDatabaseUrl } from '../db/connection.js';
import { allowHost } from '../platform/outbound-policy.js';
import { seedDemo } from '../demo/seed.js';
import { EVENTS_PATH } from '../integrations/bitrix24/inbound/events.js';
import { createAdminUser } from './users.js';
import { connectDemoErps, startDemoErps } from './demo-erp.js';
import { startDemo1c } from './demo-1c.js';
import { startDemoRenderer } from './demo-render.js';
import type { DemoRenderer } from './demo-render.js';
import type { Demo1c } from './demo-1c.js';
import { startDemoShop } from './demo-shop.js';
import type { DemoShop } from './demo-shop.js';
import { configFrom, withServerOptions } from './options.js';
import { runUntilStopped, startApp } from './run-app.js';

export const DEMO_DATABASE_URL = 'sqlite:data/demo.db';

export function registerDemoCommand(program: Command): void {
  withServerOptions(
    program
      .command('demo')
      .description('start printsync on a fresh SQLite database filled with a demo print shop, and keep serving'),
  ).action(async (options: { db?: string; port?: string; host?: string }) => {
    // The demo talks to a person on the terminal: only warnings and errors as log lines.
    process.env.LOG_LEVEL ??= 'warn';
    const databaseUrl = options.db ?? DEMO_DATABASE_URL;
    resetDemoDatabase(databaseUrl, options.db !== undefined);
    const base = configFrom({ ...options, db: databaseUrl });
    // A local Bitrix24 portal to connect the integration to, without a real one. It listens on
    // this machine, which the outbound policy refuses by default: the demo opens exactly its
    // host (on top of whatever ALLOW_PRIVATE_NETWORKS says), started first so its address is known.
    const bitrix24 = await startBitrix24Emulator({ host: base.host, port: 0 });
    const erps = await startDemoErps(base.host).catch(async (error: unknown) => {
      await bitrix24.stop();
      throw error;
    });
    const config = { ...base, allowPrivateNetworks: allowHost(base.allowPrivateNetworks, new URL(bitrix24.url).hostname) };
    const app = await startApp(config, { http: true, worker: true }).catch(async (error: unknown) => {
      await bitrix24.stop();
      await erps.stop();
      throw error;
    });
    // The way back: what a manager changes on the emulator's page (a deal moved, a contact
    // edited) comes to printsync as the portal's outgoing webhook would send it.
    bitrix24.events.addHandler(`${app.url}${EVENTS_PATH}`);
    let oneC: Demo1c | null = null;
    let shop: DemoShop | null = null;
    let renderer: DemoRenderer | null = null;
    const stopAll = async () => {
      await renderer?.stop();
      await shop?.stop();
      await oneC?.stop();
      await bitrix24.stop();
      await erps.stop();
      await app.stop();
    };
    try {
      process.stdout.write('printsync demo: filling the database…\n');
      const summary = await seedDemo(app.services);
      const { token } = await app.services.stores.apiTokens.create('demo');
      const admin = await createAdminUser(app.services);
      const deals = await connectBitrix24Emulator(app.services, bitrix24);
      const erpProducts = await connectDemoErps(app.url ?? '', token, erps);
      oneC = await startDemo1c(app.services, app.url ?? '');
      renderer = startDemoRenderer(app.services);
      shop = await startDemoShop(config.host, app.url ?? '', token);
      process.stdout.write(
        [
          '',
          `printsync demo is running (${summary.orders} orders, ${summary.persons} persons, ${summary.organizations} organizations, ${summary.products} products)`,
          '',
          `  Admin panel   ${app.url}/`,
          `  Admin login   ${admin.login} / ${admin.password}`,
          `  REST API      ${app.url}/api/v1`,
          `  API docs      ${app.url}/docs`,
          `  API token     ${token}`,
          `  Database      ${config.databaseUrl}`,
          '',
          `  Bitrix24 emulator (a local portal for trying the integration)`,
          `    acting as a manager  ${bitrix24.adminUrl}`,
          `    inbound webhook      ${bitrix24.webhookUrl}`,
          `    outgoing events to   ${app.url}${EVENTS_PATH}`,
          `    the integration is on: ${deals} demo orders are on their way as deals (open the manager page to see them)`,
          '',
          `  ASystem and Axiom emulators (local ERPs; what they received: their JSON pages)`,
          `    ASystem  ${erps.asystem.adminUrl}`,
          `    Axiom    ${erps.axiom.adminUrl}`,
          `    priced by them: ${erpProducts.join(', ')}; «Отправить в ASystem/Axiom» on an order with those products`,
          '',
          `  1С:Полиграфия (an emulated 1C runs the site exchange every 20 s: takes the orders, sends back its numbers)`,
          `    exchange address     ${oneC.exchangeUrl}`,
          `    login / password     ${oneC.login} / ${oneC.password}`,
          '',
          `  New orders' print files are reported ready 5 s after they are placed (a stand-in renderer; the archive links are placeholders)`,
          '',
          `  Sample shop with the calculator («Магазин с калькулятором»: a shop's page on another origin, the widget on demo products)`,
          `    shop page            ${shop.url}/`,
          '',
          `  Try: curl -H "Authorization: Bearer ${token}" ${app.url}/api/v1/orders?limit=5`,
          '',
          'Press Ctrl-C to stop.',
          '',
        ].join('\n'),
      );
    } catch (error) {
      await stopAll();
      throw error;
    }
    await runUntilStopped({ ...app, stop: stopAll });
  });
}

/**
 * Connects the Bitrix24 integration to the bundled emulator, switched on, and sends the demo
 * orders there the way a shop would after connecting a real portal (`printsync backfill`): a new
 * user sees them arrive as deals on the emulator's manager page without any setup. Answers how
 * many orders were queued.
 */
async function connectBitrix24Emulator(services: AppServices, emulator: Bitrix24Emulator): Promise<number> {
  const webhook = /\/rest\/(\d+)\/([^/]+)\/$/.exec(new URL(emulator.webhookUrl).pathname);
  if (!webhook) throw new Error(`unexpected emulator webhook URL shape (${emulator.url}/rest/…)`);
  await services.stores.settings.save('bitrix24', {
    expectedVersion: 0,
    enabled: true,
    settings: {
      portalUrl: emulator.url,
      userId: Number(webhook[1]),
      webhookCode: webhook[2],
      applicationToken: emulator.applicationToken,
      // The portal's standard company types, in the shop's words (the demo's organizations use them).
      companyTypes: [
        { bitrixType: 'CUSTOMER', companyType: 'Клиент' },
        { bitrixType: 'PARTNER', companyType: 'Партнёр' },
        { bitrixType: 'SUPPLIER', companyType: 'Поставщик' },
      ],
    },
    by: 'demo',
  });
  const backfill = services.integrations.find('bitrix24')?.backfill;
  if (!backfill) return 0;
  const orders = await backfill.pending({ since: null });
  await backfill.enqueue(orders);
  return orders.length;
}

/**
 * The demo always starts from scratch. Its own default file is simply removed; a database the
 * user named with --db is never deleted — it must be a new SQLite file.
 */
function resetDemoDatabase(databaseUrl: string, namedByUser: boolean): void {
  const { dialect, location } = parseDatabaseUrl(databaseUrl);
  if (dialect !== 'sqlite') throw new Error('the demo runs on SQLite only; use `printsync serve` for PostgreSQL');
  if (location === ':memory:') return;
  if (!namedByUser) {
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${location}${suffix}`, { force: true });
  } else if (existsSync(location)) {
    throw new Error(`${location} already exists; the demo needs a new database file (or leave out --db)`);
  }
}
