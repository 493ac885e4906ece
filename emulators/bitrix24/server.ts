import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { closeServer, listen, readBody as readWholeBody, sendJsonText, splitUrl } from '../common/http.js';
import { StateFile } from '../common/state-file.js';
import { createAdminHandler } from './admin/admin-api.js';
import { ManagerActions } from './admin/manager-actions.js';
import { PortalClock } from './clock.js';
import { phpJson, timeBlock } from './envelope.js';
import { errors, RestError } from './errors.js';
import { DEFAULT_EVENT_KNOBS, type EventDispatcher, type EventKnobs } from './events.js';
import { Executor, resultOf } from './executor.js';
import { FaultInjector, NO_FAULTS, parseFaultSpec, type FaultSettings } from './faults.js';
import { OperatingLimiter, RateLimiter, type OperatingLimitSettings, type RateLimitSettings } from './limits.js';
import { buildRegistry } from './methods/index.js';
import { mergeParams, parseBody, parsePhpQuery } from './params.js';
import { ALL_SCOPES, Portal, randomToken, type CrmMode, type Webhook } from './portal.js';
import { WEBHOOK_USER_ID } from './seed.js';

export interface Bitrix24EmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Serve HTTPS with a self-signed certificate (the official SDK insists on https). */
  tls?: boolean;
  /** Keep the portal's data in this JSON file across restarts. */
  stateFile?: string;
  /** Leaky bucket; on by default with the cloud's 2/s, burst 50. `false` turns it off. */
  rate?: Partial<RateLimitSettings> | false;
  /** Per-method execution-time budget; on by default, 480 s per 600 s. `false` turns it off. */
  operating?: Partial<OperatingLimitSettings> | false;
  /** Fault probabilities, or a `--faults` spec string. */
  faults?: Partial<FaultSettings> | string;
  /** Outgoing-webhook handler URLs that receive every event. */
  eventHandlers?: string[];
  eventKnobs?: Partial<EventKnobs>;
  /** Status of INVALID_CREDENTIALS and insufficient_scope: 401 (default) or 403. */
  authErrorStatus?: 401 | 403;
  /** `simple`: Simple CRM mode, leads become deals at once and are not readable (default `classic`). */
  crmMode?: CrmMode;
  /** The portal's UTC offset in minutes; default 180 (Moscow). */
  timezoneOffsetMinutes?: number;
  applicationToken?: string;
  webhookCode?: string;
  webhookScopes?: string[];
}

export interface Bitrix24Emulator {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** The inbound webhook: `{url}/rest/1/{code}/`. */
  webhookUrl: string;
  /** The outgoing webhook's application token (sent as `auth[application_token]`). */
  applicationToken: string;
  /** `{url}/admin/` — the manager page; the JSON API lives under `{url}/admin/api/`. */
  adminUrl: string;
  /** PEM of the self-signed certificate (with `tls`). */
  caCert: string | undefined;
  /** The portal's data and services (store, crm rules, event dispatcher, webhooks). */
  state: Portal;
  /** Act as a manager in code (same as the admin API). */
  manager: ManagerActions;
  faults: FaultInjector;
  events: EventDispatcher;
  limits: { rate: RateLimiter; operating: OperatingLimiter };
  /** Another inbound webhook (e.g. one without the crm scope); returns its URL. */
  addWebhook(options?: { userId?: number; scopes?: string[] }): string;
  /** Drops all CRM data, back to the seed; clears the limit counters and event log. */
  reset(): void;
  stop(): Promise<void>;
}

const MAX_BODY_BYTES = 32 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return readWholeBody(req, MAX_BODY_BYTES, () => new RestError(413, 'REQUEST_TOO_LARGE', 'Request entity too large'));
}

function sendJson(res: ServerResponse, status: number, body: string): void {
  sendJsonText(res, status, body, { 'access-control-allow-origin': '*' });
}

/** Starts an emulated Bitrix24 portal; resolves once it listens. */
export async function startBitrix24Emulator(options: Bitrix24EmulatorOptions = {}): Promise<Bitrix24Emulator> {
  const rate = new RateLimiter({ enabled: options.rate !== false, drainPerSecond: 2, burst: 50, ...(options.rate || {}) });
  const operating = new OperatingLimiter({ enabled: options.operating !== false, limitSeconds: 480, windowSeconds: 600, ...(options.operating || {}) });
  const faults = new FaultInjector(typeof options.faults === 'string' ? parseFaultSpec(options.faults) : { ...NO_FAULTS, ...options.faults });
  const authErrorStatus = options.authErrorStatus ?? 401;
  const clock = new PortalClock(options.timezoneOffsetMinutes ?? 180);

  const { server, url, hostPort, caCert } = await listen(options);

  const portal = new Portal(clock, hostPort, url, options.applicationToken ?? randomToken(32), { ...DEFAULT_EVENT_KNOBS, ...options.eventKnobs });
  portal.crmMode = options.crmMode ?? 'classic';
  const stateFile = options.stateFile ? new StateFile(options.stateFile, portal.store, 1) : undefined;
  if (!(await stateFile?.load())) portal.reset();
  if (stateFile) portal.store.onChange(() => stateFile.scheduleSave());
  const mainWebhook = portal.addWebhook(WEBHOOK_USER_ID, options.webhookScopes ?? ALL_SCOPES, options.webhookCode ?? randomToken(16));
  for (const handlerUrl of options.eventHandlers ?? []) portal.events.addHandler(handlerUrl);

  let executor: Executor | undefined = undefined;
  const registry = buildRegistry(portal, () => executor!);
  executor = new Executor(portal, registry, operating, { authErrorStatus });
  const admin = createAdminHandler({ portal, faults, rate, operating, webhookUrl: () => portal.webhookUrl(mainWebhook) });

  const handleRest = async (req: IncomingMessage, res: ServerResponse, path: string, query: string, body: Buffer): Promise<void> => {
    rate.admit(req.socket.remoteAddress ?? 'unknown');
    const segments = path.slice('/rest/'.length).split('/').filter((s, i, all) => s !== '' || i < all.length - 1);
    if (segments[0] === 'api') throw errors.methodNotFound();
    if (segments.length < 3) throw new RestError(401, 'NO_AUTH_FOUND', 'Wrong authorization data');
    const [userId = '', code = '', rawMethod = ''] = segments;
    const webhook: Webhook | undefined = portal.findWebhook(decodeURIComponent(userId), decodeURIComponent(code));
    // A webhook dies with its user: an employee who left (deactivated) takes it along.
    if (!webhook || portal.store.get('user', webhook.userId)?.ACTIVE === false) {
      throw new RestError(authErrorStatus, 'INVALID_CREDENTIALS', 'Invalid request credentials');
    }
    const method = decodeURIComponent(rawMethod).replace(/\.(json|xml)$/i, '').toLowerCase();
    if (!registry.get(method)) throw errors.methodNotFound();
    rate.noteMethod(method);

    const params = mergeParams(parsePhpQuery(query), await parseBody(req.headers['content-type'], body));
    const fault = faults.pickFor(method, method === 'batch' ? batchMethods(params) : []);
    if (fault === 'error') throw errors.internal();
    if (fault === 'lag') await delay(faults.settings.slowDelayMs);
    const outcome = executor.run(method, params, webhook, false);
    if (fault === 'slow') {
      await delay(faults.settings.slowDelayMs);
      outcome.processingMs += faults.settings.slowDelayMs;
      if (outcome.ok) operating.record(outcome.operatingKey, faults.settings.slowDelayMs / 1000);
    }
    if (fault === 'drop') {
      // The write is committed; the client only sees the connection die.
      req.socket.destroy();
      return;
    }
    if (!outcome.ok) throw outcome.error;
    const envelope: Record<string, unknown> = resultOf(outcome.value);
    envelope.time = timeBlock(clock, outcome, method === 'batch' ? undefined : operating.usage(outcome.operatingKey));
    sendJson(res, 200, phpJson(envelope));
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const { path, query } = splitUrl(req.url);
    readBody(req)
      .then(async (body) => {
        if (req.method === 'OPTIONS') {
          res.writeHead(200, { 'access-control-allow-origin': '*', 'access-control-allow-headers': 'origin, content-type, accept', 'access-control-allow-methods': 'GET, POST, OPTIONS' });
          res.end();
          return;
        }
        if (path === '/admin' || path.startsWith('/admin/')) {
          admin(req, res, path, new URLSearchParams(query), body);
          return;
        }
        if (path.startsWith('/rest/')) {
          await handleRest(req, res, path, query, body);
          return;
        }
        if (path === '/') {
          res.writeHead(302, { location: '/admin/' });
          res.end();
          return;
        }
        sendJson(res, 404, phpJson({ error: 'NOT_FOUND', error_description: 'Not found' }));
      })
      .catch((error: unknown) => {
        if (res.headersSent || req.socket.destroyed) return;
        const restError = error instanceof RestError ? error : errors.internal();
        if (!(error instanceof RestError)) process.stderr.write(`bitrix24 emulator: ${(error as Error).stack ?? String(error)}\n`);
        sendJson(res, restError.status, phpJson(restError.toBody()));
      });
  });

  const emulator: Bitrix24Emulator = {
    url,
    webhookUrl: portal.webhookUrl(mainWebhook),
    applicationToken: portal.applicationToken,
    adminUrl: `${url}/admin/`,
    caCert,
    state: portal,
    manager: new ManagerActions(portal),
    faults,
    events: portal.events,
    limits: { rate, operating },
    addWebhook: (opts = {}) => portal.webhookUrl(portal.addWebhook(opts.userId ?? WEBHOOK_USER_ID, opts.scopes ?? ALL_SCOPES)),
    reset: () => {
      portal.reset();
      portal.events.clearLog();
      rate.reset();
      operating.reset();
    },
    stop: async () => {
      await portal.events.stop();
      await closeServer(server);
      await stateFile?.flush();
    },
  };
  return emulator;
}

/** The methods named in a batch's `cmd` (`crm.deal.add?fields[…]…`), lower-case. */
function batchMethods(params: Record<string, unknown>): string[] {
  const cmd = Object.entries(params).find(([key]) => key.toUpperCase() === 'CMD')?.[1];
  const commands = cmd !== null && typeof cmd === 'object' ? Object.values(cmd) : [];
  return commands.map((command) => String(command ?? '').split('?')[0]!.trim().toLowerCase());
}
