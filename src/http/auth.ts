import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DomainError } from '../domain/errors.js';
import type { Origin } from '../domain/origin.js';
import { SYSTEM_ORIGIN } from '../domain/origin.js';
import type { ApiTokenStore } from '../store/api-tokens.js';
import type { StaffRole } from '../store/users.js';
import { errorResponse } from './schemas/common.js';

/** Who is calling: an API client with a bearer token, or a staff member with a session. */
export interface Principal {
  kind: 'token' | 'session';
  id: number;
  name: string;
  /** What the caller may do: a staff member's role; API tokens act as `admin` (see bearerTokenResolver). */
  role: StaffRole;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** Routes that need no credentials (login, inbound webhooks, public calculators, docs). */
    public?: boolean;
    /**
     * Routes only an administrator may call (integration settings, replaying dead jobs, catalog
     * edits). Checked by the same hook as authentication: 403 `forbidden` for anyone else.
     */
    requires?: 'admin';
  }
}

/**
 * Who a request acts for, as the stores record it with each change: the staff member of a
 * session, or the API token. (Inbound integration routes write as their integration instead.)
 */
export function originOf(request: FastifyRequest): Origin {
  const principal = request.principal;
  if (!principal) return SYSTEM_ORIGIN;
  return principal.kind === 'session'
    ? { kind: 'user', id: principal.id, name: principal.name }
    : { kind: 'token', id: principal.id, name: principal.name };
}

/** Resolves a principal from the request; other schemes (sessions) are added as more resolvers. */
export type PrincipalResolver = (request: FastifyRequest) => Promise<Principal | null>;

export function bearerTokenResolver(tokens: ApiTokenStore): PrincipalResolver {
  return async (request) => {
    const header = request.headers.authorization;
    if (!header?.startsWith('Bearer ')) return null;
    const identity = await tokens.verify(header.slice('Bearer '.length).trim());
    // Full access, as before roles existed: only an administrator can make a token (on the
    // server's CLI), and the storefront and scripts it is for may need any route.
    return identity ? { kind: 'token', id: identity.id, name: identity.name, role: 'admin' } : null;
  };
}

export const ADMIN_REQUIRED_MESSAGE = 'для этого действия нужна роль администратора';

/**
 * Every route requires a principal unless its config says `public: true`: new routes are
 * closed by default, so forgetting auth cannot expose data. A route marked `requires: 'admin'`
 * also needs the admin role; the check runs here, before validation and the handler, so a
 * refused request changes nothing and no handler has to remember it.
 */
export function installAuth(server: FastifyInstance, resolvers: PrincipalResolver[]): void {
  server.decorateRequest('principal', null);
  server.addHook('onRequest', async (request) => {
    // Another system calling an integration's inbound route: the integration's own scheme
    // (a shared token, HTTP Basic) authenticates it in that route's scope; sessions, tokens and
    // CSRF do not apply, whatever cookies the caller sends.
    if (request.routeOptions.config.inbound) return;
    for (const resolve of resolvers) {
      const principal = await resolve(request);
      if (principal) {
        request.principal = principal;
        if (request.routeOptions.config.requires === 'admin' && principal.role !== 'admin') {
          throw new DomainError('forbidden', ADMIN_REQUIRED_MESSAGE);
        }
        return;
      }
    }
    if (request.routeOptions.config.public) return;
    throw new DomainError('unauthorized', 'send "Authorization: Bearer <token>" (create one with `printsync tokens create --name NAME`)');
  });
  // The OpenAPI document says which routes are for administrators and that they may answer 403.
  server.addHook('onRoute', (route) => {
    if (route.config?.requires !== 'admin') return;
    const schema = route.schema ?? {};
    const note = 'Administrators only (and API tokens); a manager\'s session gets 403 `forbidden`.';
    route.schema = {
      ...schema,
      description: schema.description ? `${schema.description}\n\n${note}` : note,
      response: { ...(schema.response as Record<string, unknown> | undefined), 403: errorResponse },
    };
  });
}
