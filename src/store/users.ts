import type { Kysely, Selectable } from 'kysely';
import { z } from 'zod';
import { decoyPasswordHash, hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from '../auth/passwords.js';
import type { Database, UsersTable } from '../db/schema.js';
import { DomainError } from '../domain/errors.js';
import { flag, nowIso } from './json.js';
import { transact } from './transaction.js';

export const STAFF_ROLES = ['admin', 'manager'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export interface StaffUser {
  id: number;
  login: string;
  displayName: string;
  role: StaffRole;
  disabled: boolean;
  createdAt: string;
}

export const staffUserInputSchema = z.object({
  login: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(64)
    .regex(/^[\p{L}\p{N}._@-]+$/u, 'may contain letters, digits, ".", "_", "@" and "-"'),
  password: z.string().min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`).max(200),
  displayName: z.string().trim().max(100).optional(),
  role: z.enum(STAFF_ROLES).default('manager'),
});
export type StaffUserInput = z.input<typeof staffUserInputSchema>;

/** Logins compare case-insensitively: «Admin» and «admin» are one account. */
const normalizeLogin = (login: string) => login.trim().toLowerCase();

export class UserStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(input: StaffUserInput): Promise<StaffUser> {
    const parsed = staffUserInputSchema.safeParse(input);
    if (!parsed.success) {
      const details = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
      throw new DomainError('validation_failed', details.map((d) => `${d.path}: ${d.message}`).join('; '), details);
    }
    const { password, role } = parsed.data;
    const login = normalizeLogin(parsed.data.login);
    const existing = await this.db.selectFrom('users').select('id').where('login', '=', login).executeTakeFirst();
    if (existing) throw new DomainError('conflict', `a user with login "${login}" already exists`, [{ path: 'login', message: 'is taken' }]);
    const row = await this.db
      .insertInto('users')
      .values({
        login,
        password_hash: await hashPassword(password),
        display_name: parsed.data.displayName || login,
        role,
        disabled: flag(false),
        created_at: nowIso(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toUser(row);
  }

  async setPassword(login: string, password: string): Promise<boolean> {
    if (password.length < MIN_PASSWORD_LENGTH) {
      throw new DomainError('validation_failed', `password: must be at least ${MIN_PASSWORD_LENGTH} characters`);
    }
    const passwordHash = await hashPassword(password);
    // A new password also logs the account out everywhere: whoever knew the old one (a lost
    // laptop, a colleague who left) must not keep a session that lives for weeks.
    return transact(this.db, async (trx) => {
      const user = await trx
        .updateTable('users')
        .set({ password_hash: passwordHash })
        .where('login', '=', normalizeLogin(login))
        .returning('id')
        .executeTakeFirst();
      if (!user) return false;
      await trx.deleteFrom('sessions').where('user_id', '=', user.id).execute();
      return true;
    });
  }

  async get(id: number): Promise<StaffUser | null> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toUser(row) : null;
  }

  async findByLogin(login: string): Promise<StaffUser | null> {
    const row = await this.db.selectFrom('users').selectAll().where('login', '=', normalizeLogin(login)).executeTakeFirst();
    return row ? toUser(row) : null;
  }

  async list(): Promise<StaffUser[]> {
    const rows = await this.db.selectFrom('users').selectAll().orderBy('id').execute();
    return rows.map(toUser);
  }

  /** The user if the login exists, is enabled and the password matches; constant work either way. */
  async authenticate(login: string, password: string): Promise<StaffUser | null> {
    const row = await this.db.selectFrom('users').selectAll().where('login', '=', normalizeLogin(login)).executeTakeFirst();
    const ok = await verifyPassword(password, row?.password_hash ?? (await decoyPasswordHash()));
    return row && ok && !row.disabled ? toUser(row) : null;
  }
}

function toUser(row: Selectable<UsersTable>): StaffUser {
  return {
    id: row.id,
    login: row.login,
    displayName: row.display_name,
    role: row.role as StaffRole,
    disabled: Boolean(row.disabled),
    createdAt: row.created_at,
  };
}
