/**
 * `npm run bench -- bitrix24-events [--seconds 12] [--slices 4] [--connections 16] [--deals 100] [--every 100] [--poll-ms N] [--rate 20] [--burst 50] [--db sqlite|postgres]`
 *
 * Issue 12's benchmark.
 *
 * 1. Events accepted per second and p99 latency of `POST /api/bitrix/events` (PHP-form body as the
 *    portal posts it, token checked, event stored in the durable inbox with its apply job queued in
 *    the same transaction), against `POST /bench/bare` on the same server (reads the body, answers
 *    200), in alternating slices of the same run; their ratio (target ≥ 0.5). Every event is new
 *    (its own `ts`, deal ids over a pool of 5,000), so the dedupe never short-circuits. Then a
 *    duplicate-heavy variant: 20 distinct events sent over and over (the portal retrying).
 *    The server runs in its own process (bench/targets/events-target.ts), without a worker; the
 *    load comes from this one over loopback.
 * 2. The lag from a manager's stage change in the emulator (`manager.moveDealStage(id, 'WON')`) to
 *    the order's status change in printsync: `--deals` orders exported first, then one deal moved
 *    every `--every` ms; the lag is the status history row's `changed_at` minus the moment of the
 *    move. printsync runs in this process with its worker at the production defaults (poll every
 *    second unless `--poll-ms`), the emulator delivers its events to printsync's events URL.
 *    Every apply job reads the record from the portal, so the portal's REST rate bounds the lag
 *    once moves come faster than it: the cloud's 2 requests/s (burst 50) is scaled up to `--rate`
 *    (default 20/s, burst 50), the same figures in the emulator and printsync's settings, as in
 *    the bitrix24-export benchmark.
 *
 * The last line is one JSON object with the figures.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { startBitrix24Emulator } from '../emulators/bitrix24/server.js';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { buildHttpServer } from '../src/http/server.js';
import { bitrix24 } from '../src/integrations/bitrix24/index.js';
import { EVENTS_PATH } from '../src/integrations/bitrix24/inbound/events.js';
import { createLogger } from '../src/logger.js';
import type { IntegrationDefinition } from '../src/platform/integration.js';
import { addOrders, switchOnBitrix24 } from '../test/support/backfill-shop.js';
import { createTestDatabase } from '../test/support/databases.js';
import type { TestDialect } from '../test/support/databases.js';
import { benchOption } from './support/load.js';

const seconds = Number(benchOption('seconds', '12'));
const slices = Number(benchOption('slices', '4'));
const connections = Number(benchOption('connections', '16'));
const dealCount = Number(benchOption('deals', '100'));
const everyMs = Number(benchOption('every', '100'));
const pollMs = benchOption('poll-ms', '');
const rate = Number(benchOption('rate', '20'));
const burst = Number(benchOption('burst', '50'));
const dialect = benchOption('db', 'sqlite') as TestDialect;
const log = (text: string) => process.stdout.write(`${text}\n`);
const round = (value: number, digits = 1) => Number(value.toFixed(digits));

// ---------------------------------------------------------------------------------------------
// 1. Throughput against the bare route.

interface Target {
  child: ChildProcessWithoutNullStreams;
  info: { url: string; token: string };
  nextLine(): Promise<string>;
  stop(): Promise<void>;
}

async function startTarget(): Promise<Target> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./targets/events-target.ts', import.meta.url)), '--db', dialect], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const nextLine = async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error('events-target exited early');
    return value as string;
  };
  const info = JSON.parse(await nextLine()) as Target['info'];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, info, nextLine, stop: () => (child.stdin.end(), exited) };
}

/** An event as the portal posts it: every field Bitrix24 sends, PHP bracket keys, form-encoded. */
function eventBody(token: string, dealId: number, ts: number, event = 'ONCRMDEALUPDATE'): string {
  return new URLSearchParams({
    event,
    event_handler_id: '7',
    'data[FIELDS][ID]': String(dealId),
    ts: String(ts),
    'auth[access_token]': '',
    'auth[expires]': '',
    'auth[expires_in]': '',
    'auth[scope]': 'crm',
    'auth[domain]': 'printshop.bitrix24.ru',
    'auth[server_endpoint]': 'https://oauth.bitrix.info/rest/',
    'auth[status]': 'L',
    'auth[client_endpoint]': 'https://printshop.bitrix24.ru/rest/',
    'auth[member_id]': 'a223c6b3710f85df22e9377d6c4f7553',
    'auth[refresh_token]': '',
    'auth[application_token]': token,
  }).toString();
}

interface Totals {
  requests: number;
  seconds: number;
  p99: number;
}

async function load(url: string, nextBody: () => string, options: { duration?: number; amount?: number }): Promise<autocannon.Result> {
  const result = await autocannon({
    url,
    connections,
    requests: [{ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, setupRequest: (request) => ({ ...request, body: nextBody() }) }],
    ...options,
  });
  const failures = result.non2xx + result.errors + result.timeouts;
  if (failures > 0) throw new Error(`${url}: ${failures} requests failed (non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts})`);
  return result;
}

const add = (totals: Totals, run: autocannon.Result) => {
  totals.requests += run.requests.total;
  totals.seconds += run.duration;
  totals.p99 = Math.max(totals.p99, run.latency.p99);
};

async function throughput() {
  const target = await startTarget();
  try {
    const { url, token } = target.info;
    const eventsUrl = `${url}${EVENTS_PATH}`;
    const bareUrl = `${url}/bench/bare`;
    let sent = 0;
    const baseTs = Math.floor(Date.now() / 1000);
    // Fresh events: a deal of 5,000 and a ts of its own each (the dedupe key is event:ID:ts).
    const fresh = () => {
      sent++;
      return eventBody(token, 1 + (sent % 5_000), baseTs + sent);
    };
    // The portal retrying: 20 events, over and over.
    const duplicates = Array.from({ length: 20 }, (_, n) => eventBody(token, 900_000 + n, baseTs));
    let dupIndex = 0;
    const duplicate = () => duplicates[dupIndex++ % duplicates.length]!;

    // The endpoint answers what the portal needs: a check before loading it.
    const probe = await fetch(eventsUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: fresh() });
    const probeBody = (await probe.json()) as { accepted?: boolean; duplicate?: boolean };
    if (probe.status !== 200 || probeBody.accepted !== true || probeBody.duplicate !== false) throw new Error(`the events endpoint answered ${probe.status} ${JSON.stringify(probeBody)}`);

    // Warm both up so JIT and caches are alike before measuring.
    await load(eventsUrl, fresh, { amount: 2_000 });
    await load(eventsUrl, duplicate, { amount: 1_000 });
    await load(bareUrl, fresh, { amount: 2_000 });

    // Alternating slices, so a machine that speeds up or slows down during the run (a shared VM
    // does) weighs on all alike.
    const sliceSeconds = Math.max(1, Math.round(seconds / slices));
    const totals = { events: { requests: 0, seconds: 0, p99: 0 }, bare: { requests: 0, seconds: 0, p99: 0 }, duplicates: { requests: 0, seconds: 0, p99: 0 } };
    for (let slice = 0; slice < slices; slice++) {
      add(totals.events, await load(eventsUrl, fresh, { duration: sliceSeconds }));
      add(totals.bare, await load(bareUrl, () => eventBody(token, 1, baseTs), { duration: sliceSeconds }));
      add(totals.duplicates, await load(eventsUrl, duplicate, { duration: sliceSeconds }));
    }
    target.child.stdin.write('counts\n');
    const counts = JSON.parse(await target.nextLine()) as { received: number; pending: number };
    const rate = (t: Totals) => t.requests / t.seconds;
    return {
      sliceSeconds,
      events: { perSecond: round(rate(totals.events), 0), p99Ms: totals.events.p99 },
      bare: { perSecond: round(rate(totals.bare), 0), p99Ms: totals.bare.p99 },
      duplicates: { perSecond: round(rate(totals.duplicates), 0), p99Ms: totals.duplicates.p99 },
      ratio: round(rate(totals.events) / rate(totals.bare), 3),
      duplicatesRatio: round(rate(totals.duplicates) / rate(totals.bare), 3),
      inboxReceived: counts.received,
    };
  } finally {
    await target.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// 2. Lag from a stage change in the portal to the order's status change.

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
const ms = (value: unknown) => new Date(value as string | Date).getTime();

async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | null | undefined | false>, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

async function lag() {
  process.env.LOG_LEVEL = 'silent';
  const b24 = await startBitrix24Emulator({ rate: { drainPerSecond: rate, burst } });
  const database = await createTestDatabase(dialect);
  const config = loadConfig({ DATABASE_URL: database.url, LOG_LEVEL: 'silent', ALLOW_PRIVATE_NETWORKS: '1' });
  const services = await createApp(config, { logger: createLogger('silent'), integrations: [bitrix24 as IntegrationDefinition] });
  const server = await buildHttpServer(services);
  try {
    await server.listen({ host: '127.0.0.1', port: 0 });
    const address = server.server.address();
    const port = address && typeof address === 'object' ? address.port : 0;
    b24.events.addHandler(`http://127.0.0.1:${port}${EVENTS_PATH}`);
    await switchOnBitrix24(services, b24, { requestsPerSecond: rate, requestBurst: burst });
    await services.startWorker({ concurrency: config.workerConcurrency, ...(pollMs && { pollIntervalMs: Number(pollMs) }) });
    const db = services.database.db;
    const inbox = services.integrations.find('bitrix24')!.context.inbox;

    // The orders, exported by the worker as printsync does (their deals fire events that come
    // back as echoes); then nothing left to do.
    const exportStarted = performance.now();
    const { orderIds } = await addOrders(services, dealCount, { comments: 0 });
    const dealByOrder = await waitFor('every order exported', 180_000, async () => {
      const deals = [...b24.state.store.table('deal').values()] as Array<{ ID: number | string; ORIGIN_ID?: string }>;
      const byOrder = new Map(deals.filter((d) => d.ORIGIN_ID?.startsWith('order-')).map((d) => [Number(d.ORIGIN_ID!.slice('order-'.length)), Number(d.ID)]));
      return orderIds.every((id) => byOrder.has(id)) && byOrder;
    }, 200);
    let last = '';
    await waitFor('the echoes settled and the queue empty', 90_000, async () => {
      const counts = await inbox.counts();
      // Scheduled reconciliations wait in the queue for their time: only the work of events and exports counts.
      const busy = (await services.queue.stats()).filter((s) => !s.name.includes('reconcile') && s.pending + s.retrying + s.active > 0);
      last = JSON.stringify({ inbox: counts, busy, active: busy.length ? (await services.queue.list({ state: 'active', limit: 5 })).map((j) => ({ name: j.name, payload: j.payload, attempts: j.attempts, startedAt: j.startedAt, lastError: j.lastError })) : [] });
      return counts.pending === 0 && busy.length === 0;
    }, 200).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}: ${last}`);
    });
    log(`  ${dealCount} orders exported and their echoes settled in ${((performance.now() - exportStarted) / 1000).toFixed(1)} s`);

    const lastHistory = await db.selectFrom('order_status_history').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst();
    const lastEvent = await db.selectFrom('inbound_events').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst();
    const historyFrom = Number(lastHistory?.id ?? 0);
    const eventsFrom = Number(lastEvent?.id ?? 0);
    const movedAt = new Map<number, number>();
    const changedAt = new Map<number, number>();
    const started = Date.now();
    // One deal every `everyMs`, as managers would drag them, while changes are being watched for.
    const moving = (async () => {
      for (const orderId of orderIds) {
        movedAt.set(orderId, Date.now());
        b24.manager.moveDealStage(dealByOrder.get(orderId)!, 'WON');
        await new Promise((resolve) => setTimeout(resolve, everyMs));
      }
    })();
    await waitFor('every order’s status changed', 120_000, async () => {
      const rows = await db.selectFrom('order_status_history').select(['order_id', 'changed_at', 'to_status']).where('id', '>', historyFrom).execute();
      for (const row of rows) if (!changedAt.has(row.order_id)) changedAt.set(row.order_id, ms(row.changed_at));
      return changedAt.size >= orderIds.length;
    }, 20);
    await moving;
    const statuses = new Set((await db.selectFrom('orders').select('status').where('id', 'in', orderIds).execute()).map((r) => r.status));

    // Where the time went: the portal's delivery (move → stored in the inbox), then the queue and the apply job.
    const received = await db.selectFrom('inbound_events').select(['external_id', 'received_at']).where('id', '>', eventsFrom).orderBy('id').execute();
    const firstReceived = new Map<string, number>();
    for (const row of received) if (!firstReceived.has(row.external_id)) firstReceived.set(row.external_id, ms(row.received_at));
    const lags: number[] = [];
    const delivery: number[] = [];
    for (const orderId of orderIds) {
      const moved = movedAt.get(orderId)!;
      lags.push(changedAt.get(orderId)! - moved);
      const got = firstReceived.get(String(dealByOrder.get(orderId)));
      if (got !== undefined) delivery.push(got - moved);
    }
    lags.sort((a, b) => a - b);
    delivery.sort((a, b) => a - b);
    return {
      deals: dealCount,
      everyMs,
      rate,
      workerPollMs: pollMs ? Number(pollMs) : 1_000,
      statuses: [...statuses],
      medianMs: percentile(lags, 50),
      p99Ms: percentile(lags, 99),
      maxMs: lags.at(-1)!,
      deliveryMedianMs: delivery.length ? percentile(delivery, 50) : null,
      deliveryP99Ms: delivery.length ? percentile(delivery, 99) : null,
      seconds: round((Date.now() - started) / 1000),
    };
  } finally {
    await server.close();
    await services.close();
    await b24.stop();
    await database.drop();
  }
}

log(`bitrix24-events on ${dialect}: ${connections} connections, ${slices} alternating slices of ${Math.max(1, Math.round(seconds / slices))} s per side`);
const t = await throughput();
log(`  POST ${EVENTS_PATH} (inbox + apply job, fresh events): ${t.events.perSecond} events/s, p99 ${t.events.p99Ms} ms`);
log(`  the same, duplicate-heavy (20 events repeated):        ${t.duplicates.perSecond} events/s, p99 ${t.duplicates.p99Ms} ms (ratio ${t.duplicatesRatio})`);
log(`  bare route on the same server (answers 200):            ${t.bare.perSecond} requests/s, p99 ${t.bare.p99Ms} ms`);
log(`  ratio: ${t.ratio} (target ≥ 0.5): ${t.ratio >= 0.5 ? 'met' : 'MISSED'}; the inbox holds ${t.inboxReceived} events`);
if (dealCount > 0) log(`lag from manager.moveDealStage to the order's status change: ${dealCount} deals, one every ${everyMs} ms, worker polling every ${pollMs || '1000 (default)'} ms, portal at ${rate} requests/s (burst ${burst})`);
const l = dealCount > 0 ? await lag() : null;
if (l) log(`  median ${l.medianMs} ms, p99 ${l.p99Ms} ms, max ${l.maxMs} ms (statuses now: ${l.statuses.join(', ')}); delivery to the inbox: median ${l.deliveryMedianMs} ms, p99 ${l.deliveryP99Ms} ms`);
log(
  JSON.stringify({
    benchmark: 'bitrix24-events',
    database: dialect,
    connections,
    sliceSeconds: t.sliceSeconds,
    slices,
    events: t.events,
    duplicates: t.duplicates,
    bare: t.bare,
    ratio: t.ratio,
    duplicatesRatio: t.duplicatesRatio,
    lag: l,
    targetMet: t.ratio >= 0.5,
  }),
);
process.exit(0);
