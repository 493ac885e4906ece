import type { IncomingMessage, ServerResponse } from 'node:http';
import { RestError } from '../errors.js';
import type { EventKnobs } from '../events.js';
import type { FaultKind, FaultSettings } from '../faults.js';
import type { FaultInjector } from '../faults.js';
import type { OperatingLimiter, RateLimiter } from '../limits.js';
import { isPlainRecord } from '../params.js';
import type { Portal } from '../portal.js';
import { ENTITY_NAMES, ManagerActions } from './manager-actions.js';
import { adminPage } from './admin-page.js';

export interface AdminDeps {
  portal: Portal;
  faults: FaultInjector;
  rate: RateLimiter;
  operating: OperatingLimiter;
  webhookUrl: () => string;
}

type Body = Record<string, unknown>;
type Route = (match: RegExpExecArray, body: Body, query: URLSearchParams) => unknown;

function send(res: ServerResponse, status: number, payload: unknown): void {
  const text = JSON.stringify(payload ?? null);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function numberParam(value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new RestError(400, 'BAD_ID', `bad id "${value ?? ''}"`);
  return n;
}

/**
 * The manager's side of the portal, over JSON: act on CRM data as staff would, inspect it, and
 * turn the emulator's knobs (faults, limits, event delivery) at run time.
 */
export function createAdminHandler(deps: AdminDeps): (req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams, body: Buffer) => void {
  const { portal, faults, rate, operating } = deps;
  const manager = (body: Body): ManagerActions => new ManagerActions(portal, typeof body.actorId === 'number' ? body.actorId : undefined);
  const routes: [string, RegExp, Route][] = [
    ['GET', /^\/state$/, () => ({
      counts: Object.fromEntries(['deal', 'contact', 'company', 'lead', 'product', 'timeline_comment', 'callback'].map((t) => [t, portal.store.table(t).size])),
      webhookUrl: deps.webhookUrl(),
      applicationToken: portal.applicationToken,
      eventHandlers: portal.events.listHandlers(),
      eventKnobs: portal.events.knobs,
      faults: faults.settings,
      limits: { rate: rate.settings, operating: operating.settings },
      requests: { ...rate.counts },
      crmMode: portal.crmMode,
    })],
    ['POST', /^\/reset$/, (_m, body) => {
      portal.reset();
      if (body.events !== false) portal.events.clearLog();
      rate.reset();
      operating.reset();
      return { ok: true };
    }],
    ['GET', /^\/entities\/(\w+)$/, (m) => manager({}).list(m[1]!)],
    ['POST', /^\/entities\/(\w+)$/, (m, body) => ({ id: manager(body).create(m[1]!, isPlainRecord(body.fields) ? body.fields : {}) })],
    ['GET', /^\/entities\/(\w+)\/(\d+)$/, (m) => manager({}).get(m[1]!, numberParam(m[2]))],
    ['PATCH', /^\/entities\/(\w+)\/(\d+)$/, (m, body) => {
      manager(body).update(m[1]!, numberParam(m[2]), isPlainRecord(body.fields) ? body.fields : {});
      return manager(body).get(m[1]!, numberParam(m[2]));
    }],
    ['DELETE', /^\/entities\/(\w+)\/(\d+)$/, (m, body) => {
      manager(body).delete(m[1]!, numberParam(m[2]));
      return { ok: true };
    }],
    ['POST', /^\/deals\/(\d+)\/stage$/, (m, body) => {
      manager(body).moveDealStage(numberParam(m[1]), String(body.stageId ?? ''));
      return manager(body).get('deal', numberParam(m[1]));
    }],
    ['POST', /^\/deals\/(\d+)\/category$/, (m, body) => {
      manager(body).moveDealCategory(numberParam(m[1]), Number(body.categoryId), typeof body.stageId === 'string' ? body.stageId : undefined);
      return manager(body).get('deal', numberParam(m[1]));
    }],
    ['POST', /^\/(contact|company|lead)s?\/(\d+)\/communications$/, (m, body) => {
      const entity = m[1] as 'contact' | 'company' | 'lead';
      manager(body).editCommunications(entity, numberParam(m[2]), {
        ...(Array.isArray(body.PHONE) ? { PHONE: body.PHONE } : {}),
        ...(Array.isArray(body.EMAIL) ? { EMAIL: body.EMAIL } : {}),
      });
      return manager(body).get(entity, numberParam(m[2]));
    }],
    ['POST', /^\/companies\/(\d+)\/rename$/, (m, body) => {
      manager(body).renameCompany(numberParam(m[1]), String(body.title ?? ''));
      return manager(body).get('company', numberParam(m[1]));
    }],
    ['POST', /^\/leads\/(\d+)\/convert$/, (m, body) => manager(body).convertLead(numberParam(m[1]), {
      createDeal: body.createDeal !== false,
      ...(typeof body.categoryId === 'number' ? { categoryId: body.categoryId } : {}),
    })],
    ['GET', /^\/users$/, () => portal.store.all('user')],
    ['PATCH', /^\/users\/(\d+)$/, (m, body) => {
      const user = portal.store.get('user', numberParam(m[1]));
      if (!user) throw new RestError(404, 'NOT_FOUND', `user ${m[1] ?? ''} not found`);
      if (typeof body.ACTIVE === 'boolean') user.ACTIVE = body.ACTIVE;
      for (const key of ['NAME', 'LAST_NAME', 'UF_PHONE_INNER', 'WORK_POSITION']) if (typeof body[key] === 'string') user[key] = body[key];
      portal.store.changed();
      return user;
    }],
    ['GET', /^\/statuses$/, () => portal.store.all('status')],
    ['GET', /^\/timeline$/, () => portal.store.all('timeline_comment')],
    ['GET', /^\/callbacks$/, () => portal.store.all('callback')],
    ['GET', /^\/faults$/, () => ({ settings: faults.settings, armed: faults.pending() })],
    ['POST', /^\/faults$/, (_m, body) => faults.update(body as Partial<FaultSettings>)],
    ['POST', /^\/faults\/arm$/, (_m, body) => {
      faults.arm(String(body.kind) as FaultKind, {
        ...(typeof body.method === 'string' ? { method: body.method } : {}),
        ...(typeof body.count === 'number' ? { count: body.count } : {}),
      });
      return { armed: faults.pending() };
    }],
    ['DELETE', /^\/faults$/, () => {
      faults.clear();
      return { ok: true };
    }],
    ['GET', /^\/crm-mode$/, () => ({ mode: portal.crmMode })],
    ['POST', /^\/crm-mode$/, (_m, body) => {
      if (body.mode !== 'classic' && body.mode !== 'simple') throw new RestError(400, 'INVALID_MODE', 'mode is "classic" or "simple"');
      portal.crmMode = body.mode;
      return { mode: portal.crmMode };
    }],
    ['GET', /^\/limits$/, () => ({ rate: rate.settings, operating: operating.settings })],
    ['POST', /^\/limits$/, (_m, body) => {
      if (isPlainRecord(body.rate)) rate.settings = { ...rate.settings, ...body.rate };
      if (isPlainRecord(body.operating)) operating.settings = { ...operating.settings, ...body.operating };
      if (body.reset === true) {
        rate.reset();
        operating.reset();
      }
      return { rate: rate.settings, operating: operating.settings };
    }],
    ['GET', /^\/events\/handlers$/, () => portal.events.listHandlers()],
    ['POST', /^\/events\/handlers$/, (_m, body) => portal.events.addHandler(String(body.url ?? ''), Array.isArray(body.events) ? body.events.map(String) : [])],
    ['DELETE', /^\/events\/handlers\/(\d+)$/, (m) => ({ removed: portal.events.removeHandler(numberParam(m[1])) })],
    ['GET', /^\/events\/knobs$/, () => portal.events.knobs],
    ['POST', /^\/events\/knobs$/, (_m, body) => portal.events.setKnobs(body as Partial<EventKnobs>)],
    ['GET', /^\/events\/deliveries$/, (_m, _b, query) => {
      const event = query.get('event')?.toUpperCase();
      return portal.events.deliveries().filter((d) => !event || d.event === event);
    }],
    ['DELETE', /^\/events\/deliveries$/, () => {
      portal.events.clearLog();
      return { ok: true };
    }],
    ['POST', /^\/webhooks$/, (_m, body) => {
      const webhook = portal.addWebhook(
        typeof body.userId === 'number' ? body.userId : 1,
        Array.isArray(body.scopes) ? body.scopes.map(String) : undefined,
      );
      return { webhookUrl: portal.webhookUrl(webhook) };
    }],
  ];

  return (req, res, path, query, rawBody) => {
    const sub = path.replace(/^\/admin/, '').replace(/\/$/, '') || '/';
    if (sub === '/' && req.method === 'GET') {
      const html = adminPage(ENTITY_NAMES);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(html);
      return;
    }
    const apiPath = sub.replace(/^\/api/, '');
    let body: Body = {};
    if (rawBody.length > 0) {
      try {
        const parsed: unknown = JSON.parse(rawBody.toString('utf8'));
        body = isPlainRecord(parsed) ? parsed : {};
      } catch {
        send(res, 400, { error: 'BAD_JSON', error_description: 'body is not JSON' });
        return;
      }
    }
    for (const [method, pattern, route] of routes) {
      if (method !== req.method) continue;
      const match = pattern.exec(apiPath);
      if (!match) continue;
      try {
        send(res, 200, route(match, body, query));
      } catch (error) {
        if (error instanceof RestError) send(res, error.status >= 400 ? error.status : 400, error.toBody());
        else send(res, 500, { error: 'INTERNAL', error_description: (error as Error).message });
      }
      return;
    }
    send(res, 404, { error: 'NOT_FOUND', error_description: `no admin route ${req.method ?? ''} ${apiPath}` });
  };
}
