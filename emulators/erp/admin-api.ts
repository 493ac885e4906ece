import type { FaultKind } from '../common/faults.js';
import type { ErpDialect } from './dialect.js';
import { ErpApiError } from './errors.js';
import type { ErpFaults, ErpFaultSettings } from './faults.js';
import type { PriceList } from './model.js';
import { MASK, type RequestLog } from './request-log.js';
import type { ErpState } from './state.js';
import { isRecord } from './validation.js';

export interface AdminDeps {
  state: ErpState;
  dialect: ErpDialect;
  faults: ErpFaults;
  log: RequestLog;
  /** Root URL and API base URL, for the state page. */
  urls: { url: string; baseUrl: string };
  /** Back to the seed (and, unless `keepRequests`, an empty request log). */
  reset(keepRequests: boolean): void;
}

type Body = Record<string, unknown>;
type AdminRoute = [method: string, pattern: RegExp, run: (match: RegExpExecArray, body: Body, query: URLSearchParams) => unknown];

const param = (match: RegExpExecArray, index = 1): string => decodeURIComponent(match[index]!);
const text = (body: Body, field: string): string => {
  const value = body[field];
  if (typeof value !== 'string' || value === '') throw new ErpApiError(400, 'BAD_REQUEST', `поле ${field}: нужна непустая строка`);
  return value;
};

/** «What the ERP received»: its credentials (masked), data counts, faults and every request. */
export function adminState(deps: AdminDeps, query: URLSearchParams = new URLSearchParams()): Record<string, unknown> {
  const { state, dialect, faults, log } = deps;
  const credentials = Object.fromEntries(Object.entries(dialect.credentials).map(([header, value]) => [header, dialect.secretHeaders.includes(header) ? MASK : value]));
  return {
    system: dialect.system,
    url: deps.urls.url,
    baseUrl: deps.urls.baseUrl,
    credentials,
    identity: state.identity,
    counts: { templates: state.templates.list().length, orders: state.orders.list().length, requests: log.list().length },
    faults: { settings: faults.settings, armed: faults.pending() },
    requests: log.list({ path: query.get('path') ?? undefined, method: query.get('method') ?? undefined }),
  };
}

/** The emulator's own JSON API under `/admin/api/`: inspect what arrived, change the ERP's data, arm faults. */
export function adminRoutes(deps: AdminDeps): AdminRoute[] {
  const { state, faults, log } = deps;
  return [
    ['GET', /^\/state$/, (_m, _b, query) => adminState(deps, query)],
    ['GET', /^\/requests$/, (_m, _b, query) => log.list({ path: query.get('path') ?? undefined, method: query.get('method') ?? undefined })],
    ['DELETE', /^\/requests$/, () => (log.clear(), { ok: true })],
    ['POST', /^\/reset$/, (_m, body) => (deps.reset(body.requests === false), { ok: true })],
    ['GET', /^\/orders$/, () => state.orders.list()],
    ['GET', /^\/orders\/([^/]+)$/, (m) => state.orders.get(param(m))],
    ['POST', /^\/orders\/([^/]+)\/status$/, (m, body) => state.orders.setStatus(param(m), text(body, 'status'))],
    ['GET', /^\/templates$/, () => state.templates.list()],
    ['GET', /^\/templates\/([^/]+)$/, (m) => state.templates.get(param(m))],
    ['POST', /^\/templates\/([^/]+)\/rename-param$/, (m, body) =>
      state.templates.renameParam(param(m), text(body, 'from'), text(body, 'to'), typeof body.group === 'string' ? body.group : undefined)],
    ['POST', /^\/templates\/([^/]+)\/prices$/, (m, body) => {
      if (typeof body.scale === 'number') return state.templates.scalePrices(param(m), body.scale);
      if (body.prices === null) return state.templates.setPrices(param(m), null);
      const patch: Partial<PriceList> = {};
      if (typeof body.setup === 'number') patch.setup = body.setup;
      if (typeof body.productionDays === 'number') patch.productionDays = body.productionDays;
      if (Array.isArray(body.tiers)) patch.tiers = body.tiers as PriceList['tiers'];
      return state.templates.setPrices(param(m), patch);
    }],
    ['POST', /^\/templates\/([^/]+)\/bump$/, (m) => state.templates.bumpVersion(param(m))],
    ['DELETE', /^\/templates\/([^/]+)$/, (m) => (state.templates.remove(param(m)), { ok: true })],
    ['GET', /^\/faults$/, () => ({ settings: faults.settings, armed: faults.pending() })],
    ['POST', /^\/faults$/, (_m, body) => faults.update(body as Partial<ErpFaultSettings>)],
    ['POST', /^\/faults\/arm$/, (_m, body) => {
      try {
        faults.arm(String(body.kind) as FaultKind, {
          ...(typeof body.path === 'string' ? { path: body.path } : {}),
          ...(typeof body.count === 'number' ? { count: body.count } : {}),
        });
      } catch (error) {
        throw new ErpApiError(400, 'BAD_REQUEST', (error as Error).message);
      }
      return { armed: faults.pending() };
    }],
    ['DELETE', /^\/faults$/, () => (faults.clear(), { ok: true })],
  ];
}

/** Runs an admin request; `path` is below `/admin/api`. */
export function runAdmin(routes: AdminRoute[], method: string, path: string, body: unknown, query: URLSearchParams): { status: number; body: unknown } {
  for (const [routeMethod, pattern, run] of routes) {
    if (routeMethod !== method) continue;
    const match = pattern.exec(path);
    if (!match) continue;
    try {
      return { status: 200, body: run(match, isRecord(body) ? body : {}, query) };
    } catch (error) {
      if (error instanceof ErpApiError) return { status: error.status, body: error.toBody() };
      throw error;
    }
  }
  return { status: 404, body: new ErpApiError(404, 'NOT_FOUND', `нет такого адреса: ${method} /admin/api${path}`).toBody() };
}
