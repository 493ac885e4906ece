import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppServices } from '../../app.js';
import { ADDRESS_POLICY, LOGIN_POLICY } from '../../auth/login-throttle.js';
import type { ThrottleKey } from '../../auth/login-throttle.js';
import { DomainError } from '../../domain/errors.js';
import { csrfTokenMatches, SESSION_MAX_MS } from '../../store/sessions.js';
import type { SessionStore, StaffSession } from '../../store/sessions.js';
import { STAFF_ROLES } from '../../store/users.js';
import type { PrincipalResolver } from '../auth.js';
import { errorResponse } from '../schemas/common.js';

/**
 * Staff sessions of the admin panel: an HttpOnly cookie plus a CSRF token that the panel sends
 * back in `x-csrf-token` on every request that changes something (synchronizer token pattern).
 * Bearer-token clients are unaffected: a browser never adds an Authorization header by itself.
 */
export const SESSION_COOKIE = 'printsync_session';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const sessionsByRequest = new WeakMap<FastifyRequest, StaffSession>();

/** The staff session that authenticated this request, if it was one. */
export function requestSession(request: FastifyRequest): StaffSession | undefined {
  return sessionsByRequest.get(request);
}

export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeCookieValue(part.slice(eq + 1).trim());
  }
  return undefined;
}

/** A value that is not valid percent-encoding (another app's cookie, a hand edit) is no value, not a 500. */
function decodeCookieValue(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

export function sessionResolver(sessions: SessionStore): PrincipalResolver {
  return async (request) => {
    const token = readCookie(request, SESSION_COOKIE);
    if (!token) return null;
    const session = await sessions.resolve(token);
    if (!session) return null;
    if (!SAFE_METHODS.has(request.method) && !csrfTokenMatches(session.csrfToken, headerValue(request, CSRF_HEADER))) {
      // A public route (login itself) simply treats the caller as anonymous.
      if (request.routeOptions.config.public) return null;
      throw httpError(403, 'csrf_token_invalid', `send the session's CSRF token in the ${CSRF_HEADER} header (GET /api/v1/session returns it)`);
    }
    sessionsByRequest.set(request, session);
    return { kind: 'session', id: session.user.id, name: session.user.displayName, role: session.user.role };
  };
}

function headerValue(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function httpError(statusCode: number, code: string, message: string): Error {
  return Object.assign(new Error(message), { statusCode, code });
}

const sessionResponse = z.object({
  user: z.object({ id: z.number(), login: z.string(), displayName: z.string(), role: z.enum(STAFF_ROLES) }),
  csrfToken: z.string().describe(`send it back in the ${CSRF_HEADER} header on POST, PUT, PATCH and DELETE`),
  expiresAt: z.string(),
});

const toResponse = (session: StaffSession) => ({ user: session.user, csrfToken: session.csrfToken, expiresAt: session.expiresAt });

const tags = ['Session'];

export const sessionRoutes: FastifyPluginAsyncZod<{ services: AppServices }> = async (server, { services }) => {
  const { users, sessions, loginThrottle } = services.stores;
  const secureByConfig = services.config.publicUrl?.startsWith('https:') ?? false;

  const setCookie = (request: FastifyRequest, reply: FastifyReply, value: string, maxAgeSeconds: number) => {
    const secure = secureByConfig || request.protocol === 'https';
    const attributes = [`${SESSION_COOKIE}=${encodeURIComponent(value)}`, 'HttpOnly', 'SameSite=Lax', 'Path=/', `Max-Age=${maxAgeSeconds}`];
    if (secure) attributes.push('Secure');
    reply.header('set-cookie', attributes.join('; '));
  };

  server.post(
    '/session',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'Log in to the admin panel (sets the session cookie)',
        description:
          'After repeated failures for one login or from one address the answer is 429 with Retry-After (seconds); the delay doubles with each further failure. Attempts sent without waiting for the answers of the previous ones are refused the same way.',
        security: [],
        body: z.strictObject({ login: z.string().trim().min(1).max(64), password: z.string().min(1).max(200) }),
        response: { 200: sessionResponse, 400: errorResponse, 401: errorResponse, 429: errorResponse },
      },
    },
    async (request, reply) => {
      const { login, password } = request.body;
      const keys: ThrottleKey[] = [
        { key: `login:${login.toLowerCase()}`, policy: LOGIN_POLICY },
        { key: `ip:${request.ip}`, policy: ADDRESS_POLICY },
      ];
      // Reserved before the password is checked: parallel attempts must not all get past the
      // throttle while the first ones are still being checked.
      const attempt = await loginThrottle.reserve(keys);
      if (!attempt.granted) {
        const wait = attempt.retryAfter;
        return reply
          .code(429)
          .header('retry-after', String(wait))
          .send({ code: 'too_many_attempts', message: `too many failed logins; try again in ${wait} s`, details: [] });
      }
      let user: Awaited<ReturnType<typeof users.authenticate>>;
      try {
        user = await users.authenticate(login, password);
      } catch (error) {
        // An attempt whose check broke off may have been a wrong password; if even this fails,
        // the reservation's lease runs out and it counts as a failure then.
        await attempt.failed().catch(() => undefined);
        throw error;
      }
      if (!user) {
        await attempt.failed();
        return reply.code(401).send({ code: 'invalid_credentials', message: 'wrong login or password', details: [] });
      }
      await attempt.succeeded();
      const { token, session } = await sessions.create(user);
      // The server ends the session after SESSION_IDLE_MS without use (sliding) and SESSION_MAX_MS in
      // any case; a cookie that expired 12 h after login would log out someone who is still working.
      setCookie(request, reply, token, Math.floor(SESSION_MAX_MS / 1000));
      return toResponse(session);
    },
  );

  server.get(
    '/session',
    {
      schema: {
        tags,
        summary: 'The logged-in staff member and the CSRF token of the session',
        response: { 200: sessionResponse, 401: errorResponse, 404: errorResponse },
      },
    },
    async (request) => {
      const session = requestSession(request);
      if (!session) throw new DomainError('not_found', 'no staff session: this request was authenticated with an API token');
      return toResponse(session);
    },
  );

  server.delete(
    '/session',
    { schema: { tags, summary: 'Log out (ends the session, clears the cookie)', response: { 204: z.null(), 401: errorResponse } } },
    async (request, reply) => {
      const session = requestSession(request);
      if (session) await sessions.destroy(session.id);
      setCookie(request, reply, '', 0);
      return reply.code(204).send(null);
    },
  );
};
