import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../domain/errors.js';

/**
 * How an inbound route (a call from another system) proves where it comes from. Inbound routes
 * are outside staff sessions, API tokens and CSRF; each route group names one of these instead,
 * and the route-auth test sends every inbound route a request without credentials.
 */
export interface InboundAuth {
  /** Its name in route listings and the OpenAPI document: `shared-token`, `basic`. */
  readonly scheme: string;
  /**
   * `request`: from the headers, before the body is read (Basic auth); `body`: after the body
   * is parsed, for systems that put the secret in it (Bitrix24's `auth[application_token]`).
   */
  readonly stage: 'request' | 'body';
  /** Throws `DomainError` `unauthorized`/`forbidden` (401/403) to refuse; nothing else runs then. */
  verify(request: FastifyRequest, reply: FastifyReply): Promise<void>;
}

/** Compares secrets in time that does not depend on where they differ, nor on their lengths. */
export function secretsEqual(given: string, expected: string): boolean {
  return timingSafeEqual(sha256(given), expectedDigest(expected));
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

// The configured secret is the same request after request: its digest is kept (one at a time).
let expectedCache: { text: string; digest: Buffer } | null = null;
function expectedDigest(expected: string): Buffer {
  if (expectedCache?.text !== expected) expectedCache = { text: expected, digest: sha256(expected) };
  return expectedCache.digest;
}

export interface SharedTokenOptions {
  /** Where the caller puts the token, e.g. `(request) => request.body?.auth?.application_token`. */
  read(request: FastifyRequest): unknown;
  /** The configured token (from the integration's settings), or null when none is configured. */
  expected(): Promise<string | null>;
  /** Where `read` looks: headers only (`request`), or the parsed body (`body`). @default 'body' */
  stage?: 'request' | 'body';
}

/**
 * A token both sides know (Bitrix24's outgoing-webhook «токен приложения»). A wrong or missing
 * token, or none configured, is 403 — and the token never appears in an answer or a log line.
 */
export function sharedToken(options: SharedTokenOptions): InboundAuth {
  return {
    scheme: 'shared-token',
    stage: options.stage ?? 'body',
    async verify(request) {
      const expected = await options.expected();
      if (!expected) throw new DomainError('forbidden', 'this endpoint is not configured: set its token in the integration settings first');
      const given = options.read(request);
      if (typeof given !== 'string' || given === '' || !secretsEqual(given, expected)) {
        throw new DomainError('forbidden', 'the token is missing or does not match the one in the integration settings');
      }
    },
  };
}

export interface BasicCredentials {
  login: string;
  password: string;
}

/**
 * HTTP Basic (the 1C site exchange logs in this way). 401 with a `WWW-Authenticate` challenge
 * when the header is missing or wrong, or when no login is configured.
 */
export function basicAuth(options: { realm: string; expected(): Promise<BasicCredentials | null> }): InboundAuth {
  const challenge = `Basic realm="${options.realm.replace(/"/g, "'")}", charset="UTF-8"`;
  return {
    scheme: 'basic',
    stage: 'request',
    async verify(request, reply) {
      const refuse = (message: string): never => {
        reply.header('www-authenticate', challenge);
        throw new DomainError('unauthorized', message);
      };
      const expected = await options.expected();
      if (!expected) return refuse('this endpoint is not configured: set its login and password in the integration settings first');
      const header = request.headers.authorization;
      if (!header?.startsWith('Basic ')) return refuse('send the login and password with HTTP Basic authentication');
      const decoded = Buffer.from(header.slice('Basic '.length).trim(), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      const login = colon < 0 ? decoded : decoded.slice(0, colon);
      const password = colon < 0 ? '' : decoded.slice(colon + 1);
      // Both compared, always: which of the two was wrong is not told by the time taken either.
      const loginOk = secretsEqual(login, expected.login);
      const passwordOk = secretsEqual(password, expected.password);
      if (!loginOk || !passwordOk) refuse('wrong login or password');
    },
  };
}
