import type { ErpDialect } from './dialect.js';
import { acceptOrder, requirePrices } from './order-intake.js';
import { orderView } from './orders.js';
import { calculatePrice } from './pricing.js';
import type { ErpState } from './state.js';
import { validateCalcRequest } from './validation.js';
import { templateSummary } from './views.js';

export interface ApiAnswer {
  status: number;
  body: unknown;
}

interface ApiCall {
  match: RegExpExecArray;
  query: URLSearchParams;
  body: Record<string, unknown>;
}

interface ApiRoute {
  method: 'GET' | 'POST';
  pattern: RegExp;
  handle(call: ApiCall): ApiAnswer;
}

const ok = (body: unknown): ApiAnswer => ({ status: 200, body });
const id = (match: RegExpExecArray): string => decodeURIComponent(match[1]!);

/** The contract's calls (`docs/erp-contract.md` #1–#10), paths relative to the API base. */
export function apiRoutes(state: ErpState, dialect: ErpDialect): ApiRoute[] {
  return [
    { method: 'GET', pattern: /^\/ping$/, handle: () => ok({ ok: true, version: dialect.productVersion }) },
    { method: 'GET', pattern: /^\/integration\/identity$/, handle: () => ok({ ...state.identity }) },
    { method: 'GET', pattern: /^\/managers$/, handle: () => ok(state.managers) },
    {
      method: 'GET',
      pattern: /^\/counterparties$/,
      handle: ({ query }) => {
        const search = (query.get('search') ?? '').trim().toLowerCase();
        return ok(state.counterparties.filter((c) => !search || c.name.toLowerCase().includes(search) || c.inn.includes(search)));
      },
    },
    { method: 'GET', pattern: /^\/templates$/, handle: () => ok(state.templates.list().map(templateSummary)) },
    { method: 'GET', pattern: /^\/templates\/([^/]+)$/, handle: ({ match }) => ok(dialect.renderTemplate(state.templates.get(id(match)))) },
    {
      method: 'POST',
      pattern: /^\/templates\/([^/]+)\/calculate$/,
      handle: ({ match, body }) => {
        const template = requirePrices(state.templates.get(id(match)));
        return ok(calculatePrice(template, validateCalcRequest(template, body)));
      },
    },
    {
      method: 'POST',
      pattern: /^\/orders$/,
      handle: ({ body }) => {
        const order = acceptOrder(state, body);
        return { status: 201, body: { id: order.id, number: order.number, status: order.status, externalId: order.externalId } };
      },
    },
    {
      method: 'GET',
      pattern: /^\/orders$/,
      handle: ({ query }) => {
        const externalId = query.get('externalId');
        return ok(state.orders.list().filter((o) => externalId === null || o.externalId === externalId).map(orderView));
      },
    },
    { method: 'GET', pattern: /^\/orders\/([^/]+)$/, handle: ({ match }) => ok(orderView(state.orders.get(id(match)))) },
  ];
}

/** The route for a method and API path, with its match; undefined: no such call (a bare 404). */
export function findRoute(routes: ApiRoute[], method: string, path: string): { route: ApiRoute; match: RegExpExecArray } | undefined {
  for (const route of routes) {
    if (route.method !== method) continue;
    const match = route.pattern.exec(path);
    if (match) return { route, match };
  }
  return undefined;
}
