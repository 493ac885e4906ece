import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DomainError } from '../domain/errors.js';
import type { ApiTokenStore } from '../store/api-tokens.js';

/** Who is calling: an API client with a bearer token, or a staff member with a session. */
export interface Principal {
  kind: 'token' | 'session';
  id: number;
  name: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** Routes that need no credentials (login, inbound webhooks, public calculators, docs). */
    public?: boolean;
  }
}

/** Resolves a principal from the request; other schemes (sessions) are added as more resolvers. */
export type PrincipalResolver = (request: FastifyRequest) => Promise<Principal | null>;

export function bearerTokenResolver(tokens: ApiTokenStore): PrincipalResolver {
  return async (request) => {
    const header = request.headers.authorization;
    if (!header?.startsWith('Bearer ')) return null;
    const identity = await tokens.verify(header.slice('Bearer '.length).trim());
    return identity ? { kind: 'token', id: identity.id, name: identity.name } : null;
  };
}

/**
 * Every route requires a principal unless its config says `public: true`: new routes are
 * closed by default, so forgetting auth cannot expose data.
 */
export function installAuth(server: FastifyInstance, resolvers: PrincipalResolver[]): void {
  server.decorateRequest('principal', null);
  server.addHook('onRequest', async (request) => {
    for (const resolve of resolvers) {
      const principal = await resolve(request);
      if (principal) {
        request.principal = principal;
        return;
      }
    }
    if (request.routeOptions.config.public) return;
    throw new DomainError('unauthorized', 'send "Authorization: Bearer <token>" (create one with `printsync tokens create --name NAME`)');
  });
}
