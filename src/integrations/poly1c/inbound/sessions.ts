import { createHash, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../../domain/errors.js';
import type { IntegrationContext } from '../../../platform/context.js';
import type { InboundAuth } from '../../../platform/inbound-auth.js';
import { secretsEqual } from '../../../platform/inbound-auth.js';
import type { HandedOrder } from '../export/handover.js';
import type { Poly1cSettings } from '../settings.js';

/**
 * The exchange's sessions. 1C logs in once per exchange — `checkauth` with HTTP Basic — and gets
 * a cookie it sends with every later call (reference §6.1). Sessions live in the database
 * (integration records of kind `session`, keyed by a hash of the cookie, never the cookie
 * itself), so any printsync process answers any call of an exchange. A session also remembers
 * what its last `query` handed over, for `success` to confirm.
 */

export const COOKIE_NAME = 'printsync_1c';
const SESSION = 'session';
/** An exchange takes minutes; a session is good for a few hours at most. */
export const SESSION_TTL_MS = 4 * 60 * 60_000;

export interface ExchangeSession {
  /** A hash of the login and password it was opened with: new credentials end old sessions. */
  credentials: string;
  issuedAt: string;
  expiresAt: string;
  lastQuery: { at: string; orders: HandedOrder[] } | null;
}

export interface OpenSession {
  key: string;
  data: ExchangeSession;
}

type Context = IntegrationContext<Poly1cSettings>;

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const fingerprint = (login: string, password: string) => sha256(`${login}\u0000${password}`);

/** The reason 1C shows its operator, after `failure`. */
export class ExchangeRefusal extends DomainError {}

export class ExchangeSessions {
  /** The session each authenticated request belongs to (none for `checkauth` before it opens one). */
  private readonly byRequest = new WeakMap<FastifyRequest, OpenSession>();

  constructor(private readonly context: Context) {}

  /** The session of an authenticated request; throws for a request that has none. */
  of(request: FastifyRequest): OpenSession {
    const session = this.byRequest.get(request);
    if (!session) throw new ExchangeRefusal('unauthorized', 'Сначала выполните авторизацию (mode=checkauth)');
    return session;
  }

  /** Opens a session for a `checkauth` that passed; answers the cookie's value. */
  async open(credentials: string): Promise<string> {
    const now = this.context.clock.now();
    await this.sweep(now);
    const value = randomBytes(24).toString('hex');
    const session: ExchangeSession = {
      credentials,
      issuedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + SESSION_TTL_MS).toISOString(),
      lastQuery: null,
    };
    await this.context.records.put(SESSION, sha256(value), session);
    return value;
  }

  async save(session: OpenSession): Promise<void> {
    await this.context.records.put(SESSION, session.key, session.data);
  }

  /**
   * How 1C proves who it is: `checkauth` with HTTP Basic and the login and password of the
   * settings; every other call with the session cookie `checkauth` gave (or Basic again, which
   * 1C may send along — then a session opens for it). A refusal is `failure` with the reason,
   * status 401 (see the group's error handler in exchange.ts).
   */
  auth(): InboundAuth & { credentialsOf(request: FastifyRequest): string | undefined } {
    const verified = new WeakMap<FastifyRequest, string>();
    return {
      scheme: 'basic',
      stage: 'request',
      credentialsOf: (request) => verified.get(request),
      verify: async (request: FastifyRequest, reply: FastifyReply) => {
        const refuse = (message: string): never => {
          reply.header('www-authenticate', 'Basic realm="printsync 1C exchange", charset="UTF-8"');
          throw new ExchangeRefusal('unauthorized', message);
        };
        const saved = await this.context.settings.get();
        if (!saved?.enabled) return refuse('Интеграция «1С:Полиграфия» выключена в настройках printsync');
        const { exchangeLogin: login, exchangePassword: password } = saved.settings;
        if (!login || !password) return refuse('В настройках «1С:Полиграфия» в printsync не заданы логин и пароль для обмена с 1С');
        const expected = fingerprint(login, password);
        const mode = (request.query as { mode?: unknown } | undefined)?.mode;

        if (mode !== 'checkauth') {
          const cookie = readCookie(request.headers.cookie, COOKIE_NAME);
          if (cookie) {
            const key = sha256(cookie);
            const record = await this.context.records.get<ExchangeSession>(SESSION, key);
            const now = this.context.clock.now().toISOString();
            if (record && record.data.credentials === expected && record.data.expiresAt > now) {
              this.byRequest.set(request, { key, data: record.data });
              return;
            }
            if (!request.headers.authorization) return refuse('Сессия обмена истекла или не найдена: выполните авторизацию заново (mode=checkauth)');
          }
        }

        const header = request.headers.authorization;
        if (!header?.startsWith('Basic ')) return refuse('Укажите логин и пароль для обмена (HTTP Basic)');
        const decoded = Buffer.from(header.slice('Basic '.length).trim(), 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        const givenLogin = colon < 0 ? decoded : decoded.slice(0, colon);
        const givenPassword = colon < 0 ? '' : decoded.slice(colon + 1);
        // Both compared, always: the time taken does not tell which of the two was wrong.
        const loginOk = secretsEqual(givenLogin, login);
        const passwordOk = secretsEqual(givenPassword, password);
        if (!loginOk || !passwordOk) return refuse('Неверный логин или пароль для обмена с сайтом');
        verified.set(request, expected);
        if (mode !== 'checkauth') this.byRequest.set(request, await this.basicSession(expected));
      },
    };
  }

  /**
   * A client that sends Basic on every call instead of the cookie: one session per login and
   * password, so its `success` still finds what its `query` handed over.
   */
  private async basicSession(credentials: string): Promise<OpenSession> {
    const key = `basic-${credentials}`;
    const now = this.context.clock.now();
    const record = await this.context.records.get<ExchangeSession>(SESSION, key);
    if (record && record.data.expiresAt > now.toISOString()) return { key, data: record.data };
    const data: ExchangeSession = { credentials, issuedAt: now.toISOString(), expiresAt: new Date(now.getTime() + SESSION_TTL_MS).toISOString(), lastQuery: null };
    await this.context.records.put(SESSION, key, data);
    return { key, data };
  }

  /** Drops sessions past their time (at each login, so they never pile up). */
  private async sweep(now: Date): Promise<void> {
    const iso = now.toISOString();
    for (const record of await this.context.records.list<ExchangeSession>(SESSION)) {
      if (record.data.expiresAt <= iso) await this.context.records.remove(SESSION, record.key);
    }
  }
}

/** One cookie's value from a `Cookie` header. */
export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const equals = part.indexOf('=');
    if (equals < 0) continue;
    if (part.slice(0, equals).trim() !== name) continue;
    const value = part.slice(equals + 1).trim();
    try {
      return decodeURIComponent(value);
    } catch {
      return value;
    }
  }
  return null;
}
