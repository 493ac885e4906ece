import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { StaffRole, StaffUser } from './users.js';

/** A session ends after this long without use… */
export const SESSION_IDLE_MS = 12 * 60 * 60 * 1000;
/** …and after this long in any case. */
export const SESSION_MAX_MS = 30 * 24 * 60 * 60 * 1000;
/** Sliding expiry is written at most this often, so reads do not turn every request into a write. */
const TOUCH_INTERVAL_MS = 60 * 1000;

export interface StaffSession {
  /** SHA-256 of the cookie value (never the value itself). */
  id: string;
  csrfToken: string;
  expiresAt: string;
  user: Pick<StaffUser, 'id' | 'login' | 'displayName' | 'role'>;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export class SessionStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** Returns the cookie value (shown to the browser once) and the session. */
  async create(user: StaffUser, now = new Date()): Promise<{ token: string; session: StaffSession }> {
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const expiresAt = new Date(now.getTime() + SESSION_IDLE_MS).toISOString();
    const id = hashToken(token);
    await this.db
      .insertInto('sessions')
      .values({ id, user_id: user.id, csrf_token: csrfToken, created_at: now.toISOString(), expires_at: expiresAt, last_seen_at: now.toISOString() })
      .execute();
    // Expired sessions are swept here rather than by a timer: logins are rare and this is cheap.
    await this.db.deleteFrom('sessions').where('expires_at', '<', now.toISOString()).execute();
    return { token, session: { id, csrfToken, expiresAt, user: { id: user.id, login: user.login, displayName: user.displayName, role: user.role } } };
  }

  /** The live session for a cookie value, its expiry slid forward; null when unknown, expired or the user is disabled. */
  async resolve(token: string, now = new Date()): Promise<StaffSession | null> {
    const row = await this.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select([
        'sessions.id',
        'sessions.csrf_token',
        'sessions.created_at',
        'sessions.expires_at',
        'sessions.last_seen_at',
        'users.id as user_id',
        'users.login',
        'users.display_name',
        'users.role',
        'users.disabled',
      ])
      .where('sessions.id', '=', hashToken(token))
      .executeTakeFirst();
    if (!row || row.disabled || Date.parse(row.expires_at) <= now.getTime()) return null;
    let expiresAt = row.expires_at;
    if (now.getTime() - Date.parse(row.last_seen_at) > TOUCH_INTERVAL_MS) {
      const limit = Date.parse(row.created_at) + SESSION_MAX_MS;
      expiresAt = new Date(Math.min(now.getTime() + SESSION_IDLE_MS, limit)).toISOString();
      await this.db.updateTable('sessions').set({ last_seen_at: now.toISOString(), expires_at: expiresAt }).where('id', '=', row.id).execute();
    }
    return {
      id: row.id,
      csrfToken: row.csrf_token,
      expiresAt,
      user: { id: row.user_id, login: row.login, displayName: row.display_name, role: row.role as StaffRole },
    };
  }

  async destroy(id: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id', '=', id).execute();
  }

  /** Ends every session of a user (password change, account disabled). */
  async destroyAllOf(userId: number): Promise<void> {
    await this.db.deleteFrom('sessions').where('user_id', '=', userId).execute();
  }
}

export function csrfTokenMatches(expected: string, given: string | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
