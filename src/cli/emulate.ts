import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { startAsystemEmulator } from '../../emulators/asystem/server.js';
import { startAxiomEmulator } from '../../emulators/axiom/server.js';
import { startBitrix24Emulator, type Bitrix24EmulatorOptions } from '../../emulators/bitrix24/server.js';
import { parseErpFaultSpec } from '../../emulators/erp/faults.js';
import { OneCExchangeClient } from '../../emulators/poly1c/client.js';
import type { ErpEmulatorOptions } from '../../emulators/erp/server.js';

interface Bitrix24Flags {
  port: string;
  host: string;
  tls?: boolean;
  state?: string;
  rate: string;
  burst: string;
  rateLimit: boolean;
  operatingLimit: string;
  operatingWindow: string;
  operatingBudget: boolean;
  faults?: string;
  eventsHandler: string[];
  eventsDrop: string;
  eventsDelay: string;
  eventsDuplicate: string;
  eventsReorder?: boolean;
  authStatus: string;
  webhookCode?: string;
  applicationToken?: string;
}

function number(value: string, flag: string, { min = 0, max = Number.POSITIVE_INFINITY } = {}): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) throw new Error(`${flag}: expected a number between ${min} and ${max}, got "${value}"`);
  return n;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Serves until SIGINT/SIGTERM, then stops cleanly (flushing `--state`). */
async function serveUntilSignalled(stop: () => Promise<void>): Promise<void> {
  await new Promise<void>((resolve) => {
    const onSignal = (): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  await stop();
}

function registerBitrix24(emulate: Command): void {
  emulate
    .command('bitrix24')
    .description('a local Bitrix24 portal (REST, batch, limits, faults, outgoing events, manager page)')
    .option('--port <n>', 'port to listen on (0 picks a free one)', '0')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--tls', 'serve HTTPS with a self-signed certificate made at start (prints its path as caFile)')
    .option('--state <file>', 'keep the portal data in this JSON file across restarts')
    .option('--rate <perSecond>', 'leaky bucket drain per second (0 turns the rate limit off)', '2')
    .option('--burst <n>', 'leaky bucket threshold', '50')
    .option('--no-rate-limit', 'turn the request-rate limit off')
    .option('--operating-limit <seconds>', 'method execution time allowed per window', '480')
    .option('--operating-window <seconds>', 'length of the operating-time window', '600')
    .option('--no-operating-budget', 'turn the per-method operating-time limit off')
    .option('--faults <spec>', 'fault probabilities, e.g. error=0.1,slow=0.2,slowMs=1500,drop=0.05,methods=crm.deal.add')
    .option('--events-handler <url>', 'outgoing-webhook handler URL (repeatable)', collect, [])
    .option('--events-drop <p>', 'probability that an event is never sent', '0')
    .option('--events-delay <ms>', 'delay before each event is sent', '0')
    .option('--events-duplicate <p>', 'probability that an event is sent twice', '0')
    .option('--events-reorder', 'send events held in a short window in reverse order')
    .option('--auth-status <status>', 'HTTP status of INVALID_CREDENTIALS / insufficient_scope (401 or 403)', '401')
    .option('--webhook-code <code>', 'inbound webhook code (random by default)')
    .option('--application-token <token>', 'outgoing webhook application token (random by default)')
    .action(async (flags: Bitrix24Flags) => {
      const drainPerSecond = number(flags.rate, '--rate');
      const authStatus = number(flags.authStatus, '--auth-status');
      if (authStatus !== 401 && authStatus !== 403) throw new Error('--auth-status: 401 or 403');
      const options: Bitrix24EmulatorOptions = {
        port: number(flags.port, '--port', { max: 65_535 }),
        host: flags.host,
        tls: flags.tls === true,
        ...(flags.state ? { stateFile: flags.state } : {}),
        rate: flags.rateLimit && drainPerSecond > 0 ? { drainPerSecond, burst: number(flags.burst, '--burst', { min: 1 }) } : false,
        operating: flags.operatingBudget
          ? { limitSeconds: number(flags.operatingLimit, '--operating-limit'), windowSeconds: number(flags.operatingWindow, '--operating-window', { min: 0.001 }) }
          : false,
        ...(flags.faults ? { faults: flags.faults } : {}),
        eventHandlers: flags.eventsHandler,
        eventKnobs: {
          dropRate: number(flags.eventsDrop, '--events-drop', { max: 1 }),
          delayMs: number(flags.eventsDelay, '--events-delay'),
          duplicateRate: number(flags.eventsDuplicate, '--events-duplicate', { max: 1 }),
          reorder: flags.eventsReorder === true,
        },
        authErrorStatus: authStatus,
        ...(flags.webhookCode ? { webhookCode: flags.webhookCode } : {}),
        ...(flags.applicationToken ? { applicationToken: flags.applicationToken } : {}),
      };
      const emulator = await startBitrix24Emulator(options);
      const line: Record<string, string> = {
        webhookUrl: emulator.webhookUrl,
        applicationToken: emulator.applicationToken,
        adminUrl: emulator.adminUrl,
      };
      if (emulator.caCert) line.caFile = await writeCaFile(emulator.caCert, 'printsync-b24-');
      process.stdout.write(`${JSON.stringify(line)}\n`);
      await serveUntilSignalled(() => emulator.stop());
    });
}

/** Writes the self-signed certificate to a temporary file clients can be told to trust. */
async function writeCaFile(caCert: string, prefix: string): Promise<string> {
  const caFile = join(await mkdtemp(join(tmpdir(), prefix)), 'ca.pem');
  await writeFile(caFile, caCert);
  return caFile;
}

interface ErpFlags {
  port: string;
  host: string;
  tls?: boolean;
  state?: string;
  apiKey?: string;
  faults?: string;
}

/** The flags ASystem and Axiom share. */
function erpCommand(emulate: Command, name: string, description: string): Command {
  return emulate
    .command(name)
    .description(description)
    .option('--port <n>', 'port to listen on (0 picks a free one)', '0')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--tls', 'serve HTTPS with a self-signed certificate made at start (prints its path as caFile)')
    .option('--state <file>', 'keep templates and orders in this JSON file across restarts')
    .option('--api-key <key>', 'the key the ERP accepts in X-Api-Key (random by default)')
    .option('--faults <spec>', 'fault probabilities, e.g. error=0.1,slow=0.2,slowMs=1500,drop=0.05,paths=/orders|/templates');
}

function erpOptions(flags: ErpFlags): ErpEmulatorOptions {
  if (flags.apiKey !== undefined && flags.apiKey.trim() === '') throw new Error('--api-key: must not be empty');
  return {
    port: number(flags.port, '--port', { max: 65_535 }),
    host: flags.host,
    tls: flags.tls === true,
    ...(flags.state ? { stateFile: flags.state } : {}),
    ...(flags.apiKey ? { apiKey: flags.apiKey } : {}),
    ...(flags.faults ? { faults: parseErpFaultSpec(flags.faults) } : {}),
  };
}

function registerAsystem(emulate: Command): void {
  erpCommand(emulate, 'asystem', 'a local ASystem ERP (templates, calculate, orders, faults, a JSON page of what it received)').action(async (flags: ErpFlags) => {
    const emulator = await startAsystemEmulator(erpOptions(flags));
    const line: Record<string, string> = { apiHost: emulator.apiHost, apiKey: emulator.apiKey, adminUrl: emulator.adminUrl };
    if (emulator.caCert) line.caFile = await writeCaFile(emulator.caCert, 'printsync-asystem-');
    process.stdout.write(`${JSON.stringify(line)}\n`);
    await serveUntilSignalled(() => emulator.stop());
  });
}

function registerAxiom(emulate: Command): void {
  erpCommand(emulate, 'axiom', 'a local Axiom ERP (API v1 with a tenant domain; templates, calculate, orders, faults, a JSON page of what it received)')
    .option('--api-domain <domain>', 'the tenant the ERP accepts in X-Api-Domain', 'print-shop')
    .action(async (flags: ErpFlags & { apiDomain: string }) => {
      if (flags.apiDomain.trim() === '') throw new Error('--api-domain: must not be empty');
      const emulator = await startAxiomEmulator({ ...erpOptions(flags), apiDomain: flags.apiDomain });
      const line: Record<string, string> = {
        apiUrl: emulator.apiUrl,
        apiVersion: emulator.apiVersion,
        apiDomain: emulator.apiDomain,
        apiKey: emulator.apiKey,
        adminUrl: emulator.adminUrl,
      };
      if (emulator.caCert) line.caFile = await writeCaFile(emulator.caCert, 'printsync-axiom-');
      process.stdout.write(`${JSON.stringify(line)}\n`);
      await serveUntilSignalled(() => emulator.stop());
    });
}

interface OneCFlags {
  url: string;
  login: string;
  password: string;
  encoding: string;
  interval: string;
  once?: boolean;
  crashBeforeSuccess?: boolean;
  status?: string;
  paid?: boolean;
  state?: string;
}

/**
 * The emulated 1C is a client: it runs the site exchange against printsync on a schedule, as 1C
 * does, printing one JSON line per exchange; with `--status` it sends that status back for every
 * order it has (and `--paid` a payment date).
 */
function registerOneCExchange(emulate: Command): void {
  emulate
    .command('1c-exchange')
    .description('an emulated 1С:Полиграфия running the CommerceML site exchange against printsync (checkauth, init, query, success, statuses back)')
    .requiredOption('--url <url>', "printsync's exchange address, e.g. http://127.0.0.1:3000/1c_exchange")
    .requiredOption('--login <login>', 'the exchange login of the 1С:Полиграфия settings')
    .requiredOption('--password <password>', 'the exchange password of the 1С:Полиграфия settings')
    .option('--encoding <encoding>', 'encoding of the status files it sends: utf-8 or windows-1251', 'utf-8')
    .option('--interval <seconds>', 'seconds between exchanges', '60')
    .option('--once', 'run one exchange and exit')
    .option('--crash-before-success', 'take the orders but never confirm them (a 1C that crashed)')
    .option('--status <status>', 'after each exchange send this 1C status back for every order it has, e.g. «Выполнен»')
    .option('--paid', 'with the status, a payment date (today)')
    .option('--state <file>', 'keep the orders 1C has in this JSON file across runs')
    .action(async (flags: OneCFlags) => {
      if (flags.encoding !== 'utf-8' && flags.encoding !== 'windows-1251') throw new Error('--encoding: utf-8 or windows-1251');
      const intervalMs = number(flags.interval, '--interval', { min: 1 }) * 1000;
      const oneC = new OneCExchangeClient({ url: flags.url, login: flags.login, password: flags.password, encoding: flags.encoding, ...(flags.state && { stateFile: flags.state }) });
      await oneC.start();
      let stopped = false;
      const exchange = async (): Promise<void> => {
        const line: Record<string, unknown> = { at: new Date().toISOString() };
        try {
          const result = await oneC.cycle({ crashBeforeSuccess: flags.crashBeforeSuccess === true });
          Object.assign(line, { checkauth: result.checkauth.lines.slice(0, 2).join(' '), orders: result.orders.map((o) => ({ site: o.siteNumber, number: o.number, sum: o.sum })), acknowledged: result.acknowledged });
          if (flags.status && result.checkauth.ok && !flags.crashBeforeSuccess) {
            const today = new Date().toISOString().slice(0, 10);
            for (const order of oneC.orders.values()) oneC.setStatus(order.siteId, { status: flags.status, ...(flags.paid && { paidAt: today }) });
            line.statuses = (await oneC.reportAll()).lines[0];
          }
        } catch (error) {
          line.error = error instanceof Error ? error.message : String(error);
        }
        process.stdout.write(`${JSON.stringify(line)}\n`);
      };
      if (flags.once) {
        await exchange();
        await oneC.stop();
        return;
      }
      const done = serveUntilSignalled(async () => {
        stopped = true;
        await oneC.stop();
      });
      while (!stopped) {
        await exchange();
        await Promise.race([done, new Promise((resolve) => setTimeout(resolve, intervalMs).unref())]);
      }
      await done;
    });
}

/** `printsync emulate <system>`: runs a stand-in for an external system (tests, demo, benchmarks). */
export function registerEmulateCommand(program: Command): void {
  const emulate = program.command('emulate').description('run an emulator of an external system');
  registerBitrix24(emulate);
  registerAsystem(emulate);
  registerAxiom(emulate);
  registerOneCExchange(emulate);
}
