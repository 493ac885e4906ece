import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { closeServer, listen, readBody, sendJsonText, splitUrl, type ListenOptions } from '../common/http.js';
import { StateFile } from '../common/state-file.js';
import { adminRoutes, adminState, runAdmin } from './admin-api.js';
import { apiRoutes, findRoute, type ApiAnswer } from './api.js';
import type { ErpDialect } from './dialect.js';
import { ErpApiError, erpErrors } from './errors.js';
import { erpFaults, type ErpFaults, type ErpFaultSettings } from './faults.js';
import type { OrderRecord, PriceList, TemplateRecord } from './model.js';
import { describeKey, RequestLog, type ReceivedRequest } from './request-log.js';
import { ErpState, type ErpSnapshot } from './state.js';
import { isRecord } from './validation.js';

export interface ErpEmulatorOptions extends ListenOptions {
  /** The key the ERP accepts in `X-Api-Key`; random when not given. */
  apiKey?: string;
  /** Keep templates and orders in this JSON file across restarts. */
  stateFile?: string;
  /** Fault probabilities, or a `--faults` spec string (`error=0.1,slow=0.2,slowMs=1500,drop=0.05,paths=/orders`). */
  faults?: Partial<ErpFaultSettings> | string;
}

/** What both ERP emulators hand to tests (each adds its own address fields). */
export interface ErpEmulator {
  /** Root URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** Where the API starts: `{url}/api/v1`. */
  baseUrl: string;
  apiKey: string;
  /** `{url}/admin/`: the JSON page of what the ERP received; the admin API lives under `{url}/admin/api/`. */
  adminUrl: string;
  /** PEM of the self-signed certificate (with `tls`). */
  caCert: string | undefined;
  /** The ERP's data (templates, orders, reference lists). */
  state: ErpState;
  /** Requests received, oldest first (key masked); `path` filters by a substring, `method` by method. */
  received(filter?: { path?: string; method?: string }): ReceivedRequest[];
  orders: {
    list(): OrderRecord[];
    get(id: string): OrderRecord | undefined;
    byExternalId(externalId: string): OrderRecord | undefined;
    setStatus(id: string, status: string): OrderRecord;
  };
  templates: {
    list(): TemplateRecord[];
    get(id: string): TemplateRecord | undefined;
    renameParam(id: string, from: string, to: string, group?: string): TemplateRecord;
    setPrices(id: string, patch: Partial<PriceList> | null): TemplateRecord;
    scalePrices(id: string, factor: number): TemplateRecord;
    bumpVersion(id: string): TemplateRecord;
    remove(id: string): void;
  };
  faults: ErpFaults;
  /** Back to the seed: seeded templates, no orders, no faults, an empty request log. */
  reset(): void;
  stop(): Promise<void>;
}

const MAX_BODY_BYTES = 4 * 1024 * 1024;

export function randomApiKey(): string {
  return randomBytes(16).toString('hex');
}

/** Starts an ERP of the family speaking `dialect`; resolves once it listens. */
export async function startErpEmulator(dialect: ErpDialect, apiKey: string, options: ErpEmulatorOptions = {}): Promise<ErpEmulator> {
  const { server, url, caCert } = await listen(options);
  const baseUrl = `${url}${dialect.basePath}`;
  const state = new ErpState();
  const faults = erpFaults(options.faults);
  const log = new RequestLog(() => dialect.secretHeaders.map((header) => dialect.credentials[header] ?? ''));
  const stateFile = options.stateFile ? new StateFile<ErpSnapshot>(options.stateFile, state, 1) : undefined;
  await stateFile?.load();
  if (stateFile) state.onChange(() => stateFile.scheduleSave());
  const routes = apiRoutes(state, dialect);
  const reset = (keepRequests: boolean): void => {
    state.reset();
    faults.clear();
    if (!keepRequests) log.clear();
  };
  const adminDeps = { state, dialect, faults, log, urls: { url, baseUrl }, reset };
  const admin = adminRoutes(adminDeps);

  /** Answers one API request; returns the status sent (null: dropped) and the fault that struck. */
  const serveApi = async (req: IncomingMessage, res: ServerResponse, path: string, query: string, raw: Buffer): Promise<{ status: number | null; fault?: string }> => {
    const method = req.method ?? 'GET';
    const apiPath = dialect.apiPath(path);
    const found = apiPath === undefined ? undefined : findRoute(routes, method, apiPath);
    if (apiPath !== undefined && !credentialsAccepted(req)) return send(res, 401, erpErrors.unauthorized(dialect.unauthorizedMessage).toBody());
    if (apiPath === undefined || !found) return notThisApi(res, method, path);

    let body: Record<string, unknown> = {};
    if (method === 'POST') {
      const parsed = parseJson(raw);
      if (!isRecord(parsed)) return send(res, 400, erpErrors.badJson().toBody());
      body = parsed;
    }
    const fault = faults.pickFor(apiPath, method);
    if (fault === 'error') return { ...send(res, 500, erpErrors.internal().toBody()), fault };
    if (fault === 'lag') await delay(faults.settings.slowDelayMs);
    const answer = run(() => found.route.handle({ match: found.match, query: new URLSearchParams(query), body }));
    if (fault === 'slow') await delay(faults.settings.slowDelayMs);
    if (fault === 'drop') {
      // Done and committed; the client only sees the connection die.
      req.socket.destroy();
      return { status: null, fault };
    }
    return { ...send(res, answer.status, answer.body), ...(fault ? { fault } : {}) };
  };

  const credentialsAccepted = (req: IncomingMessage): boolean =>
    Object.entries(dialect.credentials).every(([header, expected]) => req.headers[header] === expected);

  const credentialsSeen = (req: IncomingMessage): Record<string, string> => {
    const seen: Record<string, string> = {};
    for (const [header, expected] of Object.entries(dialect.credentials)) {
      const sent = req.headers[header];
      const value = Array.isArray(sent) ? sent.join(', ') : sent;
      seen[header] = dialect.secretHeaders.includes(header) ? describeKey(value, expected) : (value ?? '(нет)');
    }
    return seen;
  };

  const serveAdmin = (req: IncomingMessage, res: ServerResponse, path: string, query: string, raw: Buffer): void => {
    const sub = path.replace(/^\/admin/, '').replace(/\/$/, '') || '/';
    if (sub === '/' && req.method === 'GET') {
      sendJsonText(res, 200, JSON.stringify(adminState(adminDeps, new URLSearchParams(query)), null, 2));
      return;
    }
    const parsed = raw.length > 0 ? parseJson(raw) : {};
    if (parsed === INVALID) {
      send(res, 400, erpErrors.badJson().toBody());
      return;
    }
    const answer = runAdmin(admin, req.method ?? 'GET', sub.replace(/^\/api/, ''), parsed, new URLSearchParams(query));
    send(res, answer.status, answer.body);
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const started = Date.now();
    const { path, query } = splitUrl(req.url);
    const isAdmin = path === '/admin' || path.startsWith('/admin/');
    let raw: Buffer = Buffer.alloc(0);
    readBody(req, MAX_BODY_BYTES, erpErrors.tooLarge)
      .then(async (body) => {
        raw = body;
        if (isAdmin) {
          serveAdmin(req, res, path, query, body);
          return;
        }
        const { status, fault } = await serveApi(req, res, path, query, body);
        log.record({
          at: new Date(started).toISOString(),
          method: req.method ?? 'GET',
          path: req.url ?? path,
          credentials: credentialsSeen(req),
          rawBody: body.toString('utf8'),
          status,
          ...(fault ? { fault } : {}),
          durationMs: Date.now() - started,
        });
      })
      .catch((error: unknown) => {
        if (res.headersSent || req.socket.destroyed) return;
        const apiError = error instanceof ErpApiError ? error : erpErrors.internal();
        if (!(error instanceof ErpApiError)) process.stderr.write(`${dialect.system} emulator: ${(error as Error).stack ?? String(error)}\n`);
        send(res, apiError.status, apiError.toBody());
        if (!isAdmin) {
          log.record({ at: new Date(started).toISOString(), method: req.method ?? 'GET', path: req.url ?? path, credentials: credentialsSeen(req), rawBody: raw.toString('utf8'), status: apiError.status, durationMs: Date.now() - started });
        }
      });
  });

  return {
    url,
    baseUrl,
    apiKey,
    adminUrl: `${url}/admin/`,
    caCert,
    state,
    received: (filter) => log.list(filter),
    orders: {
      list: () => state.orders.list(),
      get: (id) => state.orders.find(id),
      byExternalId: (externalId) => state.orders.findByExternalId(externalId),
      setStatus: (id, status) => state.orders.setStatus(id, status),
    },
    templates: {
      list: () => state.templates.list(),
      get: (id) => state.templates.find(id),
      renameParam: (id, from, to, group) => state.templates.renameParam(id, from, to, group),
      setPrices: (id, patch) => state.templates.setPrices(id, patch),
      scalePrices: (id, factor) => state.templates.scalePrices(id, factor),
      bumpVersion: (id) => state.templates.bumpVersion(id),
      remove: (id) => state.templates.remove(id),
    },
    faults,
    reset: () => reset(false),
    stop: async () => {
      await closeServer(server);
      await stateFile?.flush();
    },
  };
}

const INVALID = Symbol('invalid JSON');

function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    return INVALID;
  }
}

/** A handler's answer, or its refusal in the envelope. */
function run(handle: () => ApiAnswer): ApiAnswer {
  try {
    return handle();
  } catch (error) {
    if (error instanceof ErpApiError) return { status: error.status, body: error.toBody() };
    throw error;
  }
}

function send(res: ServerResponse, status: number, body: unknown): { status: number } {
  sendJsonText(res, status, JSON.stringify(body));
  return { status };
}

/** Not this API (another prefix or version, an unknown call): a bare 404, as the web framework under the ERP answers. */
function notThisApi(res: ServerResponse, method: string, path: string): { status: number } {
  const html = `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Error</title></head><body><pre>Cannot ${method} ${escapeHtml(path)}</pre></body></html>\n`;
  res.writeHead(404, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html) });
  res.end(html);
  return { status: 404 };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
