import type { FastifyInstance, RouteOptions } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { BodyParser } from './body-parsers.js';
import type { InboundAuth } from './inbound-auth.js';

/** A Fastify instance with zod schemas, as the API's own route files get it. */
export type IntegrationRouter = Parameters<FastifyPluginAsyncZod>[0];

/** What an integration adds to the HTTP server. */
export interface IntegrationRoutes {
  /**
   * Routes for the admin panel and API clients under `/api/v1/integrations/<name>/`: staff
   * sessions and API tokens, CSRF, roles (`config: { requires: 'admin' }`) as everywhere in the
   * API. Live lists for settings forms (funnel stages, portal users) and card buttons («Отправить
   * в ASystem») are routes here.
   */
  api?: ApiRoutes;
  /** Routes another system calls (Bitrix24 events, the 1C exchange), each group with its own authentication. */
  inbound?: readonly InboundRoutes[];
}

export interface ApiRoutes {
  /** Bodies besides JSON (a file upload: `multipartBody()`). */
  bodies?: readonly BodyParser[];
  register(router: IntegrationRouter): void | Promise<void>;
}

export interface InboundRoutes {
  /** Where the group lives, e.g. `/api/bitrix/events` or `/1c/exchange`; unique, outside `/api/v1` and `/docs`. */
  prefix: string;
  /** How callers prove who they are; checked before any handler of the group runs. */
  auth: InboundAuth;
  /** Bodies besides JSON: `phpForm()`, `xmlBody()`, `multipartBody()`, `rawBody()`. */
  bodies?: readonly BodyParser[];
  register(router: IntegrationRouter): void | Promise<void>;
}

/** Marks a route as an integration's inbound route: staff authentication leaves it to `auth`. */
export interface InboundRouteMark {
  integration: string;
  scheme: string;
  /** What the route accepts, for the 415 answer. */
  contentTypes: readonly string[];
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set by the integration platform on inbound routes (see platform/routes.ts). */
    inbound?: InboundRouteMark;
  }
}

const RESERVED_PREFIXES = ['/api/v1', '/docs', '/health'];
/** Paths under /api/v1/integrations/<name>/ that the core serves for every integration. */
const CORE_INTEGRATION_ROUTES = ['settings', 'test-connection', 'resume', 'actions'];
const PREFIX = /^\/[a-z0-9][a-z0-9_-]*(\/[a-z0-9][a-z0-9_-]*)*$/;

/** Throws at start-up for an inbound prefix that would clash with the core or another integration. */
export function assertInboundPrefix(integration: string, prefix: string, taken: ReadonlyMap<string, string>): void {
  if (!PREFIX.test(prefix)) throw new Error(`${integration}: inbound prefix "${prefix}" must look like /api/bitrix/events (lower case, no trailing slash)`);
  const reserved = RESERVED_PREFIXES.find((r) => prefix === r || prefix.startsWith(`${r}/`));
  if (reserved) throw new Error(`${integration}: inbound prefix "${prefix}" is inside ${reserved}, which belongs to the core`);
  for (const [other, owner] of taken) {
    if (prefix === other || prefix.startsWith(`${other}/`) || other.startsWith(`${prefix}/`)) {
      throw new Error(`${integration}: inbound prefix "${prefix}" overlaps "${other}" of ${owner}`);
    }
  }
}

/**
 * Mounts one integration's routes: its API routes inside the API's scope (so the staff
 * authentication hook applies), and each inbound group in a scope of its own with its body
 * parsers and its authentication hook.
 */
export async function mountIntegrationRoutes(
  server: FastifyInstance,
  integration: { name: string; title: string },
  routes: IntegrationRoutes,
  apiPrefix: string,
): Promise<void> {
  const tag = `Integration: ${integration.title}`;
  if (routes.api) {
    const api = routes.api;
    await server.register(
      async (scope) => {
        const base = `${apiPrefix}/integrations/${integration.name}`;
        scope.addHook('onRoute', (route: RouteOptions) => {
          // The core's routes of every integration live next door (settings, test-connection, resume).
          const own = route.url.slice(base.length).split('/')[1] ?? '';
          if (CORE_INTEGRATION_ROUTES.includes(own)) throw new Error(`${integration.name}: API route ${route.url} is taken by the core (${CORE_INTEGRATION_ROUTES.join(', ')})`);
          route.schema = { ...route.schema, tags: (route.schema?.tags as string[] | undefined) ?? [tag] };
        });
        for (const parser of api.bodies ?? []) await parser.install(scope);
        await api.register(scope as unknown as IntegrationRouter);
      },
      { prefix: `${apiPrefix}/integrations/${integration.name}` },
    );
  }
  for (const group of routes.inbound ?? []) {
    const contentTypes = ['application/json', ...(group.bodies ?? []).flatMap((parser) => parser.contentTypes)];
    const mark: InboundRouteMark = { integration: integration.name, scheme: group.auth.scheme, contentTypes };
    await server.register(
      async (scope) => {
        scope.addHook('onRoute', (route: RouteOptions) => {
          route.config = { ...route.config, inbound: mark };
          route.schema = {
            ...route.schema,
            tags: [tag],
            security: [],
            description: [route.schema?.description, `Called by ${integration.title}; authenticated by ${group.auth.scheme}, not by API tokens.`]
              .filter(Boolean)
              .join('\n\n'),
          };
        });
        for (const parser of group.bodies ?? []) await parser.install(scope);
        const hook = group.auth.stage === 'request' ? 'onRequest' : 'preValidation';
        scope.addHook(hook, (request, reply) => group.auth.verify(request, reply));
        await group.register(scope as unknown as IntegrationRouter);
      },
      { prefix: group.prefix },
    );
  }
}
