import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController } from 'fastify';
import type { FastifyBaseLogger, FastifyInstance, RouteOptions } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppServices } from '../app.js';
import { bearerTokenResolver, installAuth } from './auth.js';
import type { PrincipalResolver } from './auth.js';
import { clientErrorHandler, errorHandler, frameworkErrorHandler } from './errors.js';
import { documentEveryAnswer } from './schemas/answers.js';
import { registerPanel } from './panel.js';
import { mountIntegrationRoutes } from '../platform/routes.js';
import { integrationPanelRoutes } from './routes/integration-panel.js';
import { categoryRoutes } from './routes/categories.js';
import { jobRoutes } from './routes/jobs.js';
import { orderRoutes } from './routes/orders.js';
import { organizationRoutes } from './routes/organizations.js';
import { personRoutes } from './routes/persons.js';
import { productRoutes } from './routes/products.js';
import { sessionResolver, sessionRoutes } from './routes/session.js';
import { settingsRoutes } from './routes/settings.js';
import { syncLogRoutes } from './routes/sync-log.js';
import { widgetPublicRoutes } from './routes/widget-public.js';
import { widgetSiteRoutes } from './routes/widget-sites.js';
import { registerWidgetScript } from './widget-script.js';

export const API_PREFIX = '/api/v1';

export interface HttpServerOptions {
  /** Extra ways to authenticate (e.g. staff sessions), tried after bearer tokens. */
  principalResolvers?: PrincipalResolver[];
  /** Called for every route as it is registered (the route-auth test lists routes with it). */
  onRoute?: (route: RouteOptions) => void;
  /** Where the built admin panel is. @default web/dist */
  panelDir?: string;
}

/** Builds the HTTP server: public REST API under /api/v1, its OpenAPI document and /docs. */
export async function buildHttpServer(services: AppServices, options: HttpServerOptions = {}): Promise<FastifyInstance> {
  const server = Fastify({
    loggerInstance: services.logger.child({ component: 'http' }) as FastifyBaseLogger,
    bodyLimit: services.config.bodyLimitBytes,
    // Without it, behind a proxy every client shares the proxy's address (and its login throttle).
    ...(services.config.trustProxyHops > 0 && { trustProxy: (_address: string, hop: number) => hop < services.config.trustProxyHops }),
    // One line per request would drown the sync log lines that matter; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    // Request ids appear in 5xx answers so a user can quote them; keep them short and unique.
    genReqId: () => Math.random().toString(36).slice(2, 10),
    // Errors Fastify answers before any route (a malformed URL, a path parameter past its limit)
    // and those Node answers on the socket (headers too large): the API's error shape too.
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
  });

  if (options.onRoute) server.addHook('onRoute', options.onRoute);
  server.setValidatorCompiler(validatorCompiler);
  server.setSerializerCompiler(serializerCompiler);
  server.setErrorHandler(errorHandler);
  installAuth(server, [
    bearerTokenResolver(services.stores.apiTokens),
    sessionResolver(services.stores.sessions),
    ...(options.principalResolvers ?? []),
  ]);

  // The docs UI and its assets are for people who have no token yet.
  server.addHook('onRoute', (route) => {
    if (route.url.startsWith('/docs')) route.config = { ...route.config, public: true };
  });
  const inboundGroups = services.integrations.integrations.flatMap(({ routes }) => (routes.inbound ?? []).map((group) => ({ prefix: group.prefix, scheme: group.auth.scheme })));
  server.addHook('onRoute', documentEveryAnswer(inboundGroups));

  await server.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'printsync API',
        version: '1',
        description:
          'Orders, clients and catalog of a print shop. Authenticate with `Authorization: Bearer <token>` ' +
          '(`printsync tokens create --name NAME`). Creates accept an `Idempotency-Key` header.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await server.register(fastifySwaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list' } });

  server.get('/health', { config: { public: true }, schema: { hide: true } }, async () => ({ ok: true }));

  await server.withTypeProvider<ZodTypeProvider>().register(
    async (api) => {
      await api.register(personRoutes, { services });
      await api.register(organizationRoutes, { services });
      await api.register(orderRoutes, { services });
      await api.register(categoryRoutes, { services });
      await api.register(productRoutes, { services });
      await api.register(settingsRoutes, { services });
      await api.register(syncLogRoutes, { services });
      await api.register(sessionRoutes, { services });
      await api.register(jobRoutes, { services });
      await api.register(integrationPanelRoutes, { services });
      await api.register(widgetSiteRoutes, { services });
      // The storefront widget's public quote API: its own keys, CORS, rate limit and error texts.
      await api.register(widgetPublicRoutes, { services, prefix: '/widget' });
    },
    { prefix: API_PREFIX },
  );
  registerWidgetScript(server, options.panelDir);
  // Each integration's own routes: its API routes under /api/v1/integrations/<name>/ (staff
  // authentication as everywhere), and the routes its system calls, with their own.
  for (const integration of services.integrations.integrations) {
    const { definition, routes } = integration;
    await server.withTypeProvider<ZodTypeProvider>().register(async (scope) => {
      await mountIntegrationRoutes(scope, { name: definition.name, title: definition.title.en }, routes, API_PREFIX);
    });
  }
  server.setNotFoundHandler(await registerPanel(server, options.panelDir));
  return server;
}
