import type { Kysely } from 'kysely';

/**
 * Login attempts are reserved before the password is checked (src/auth/login-throttle.ts), so
 * that parallel attempts cannot all get past the throttle before the first failure is recorded:
 * - `pending`: attempts of the key that were let through and whose password check has not ended;
 * - `reserved_until`: when the latest of them lapses. A request that died mid-way never settles
 *   its reservation; after that time it counts as a failure instead of holding the key forever;
 * - `burst`: attempts arrived while the allowed ones were still being checked; until one is let
 *   through again, every refused attempt of the key extends its wait.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // One column per statement: SQLite's ALTER TABLE adds one at a time.
  await db.schema.alterTable('login_throttle').addColumn('pending', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('login_throttle').addColumn('reserved_until', 'text').execute();
  await db.schema.alterTable('login_throttle').addColumn('burst', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('login_throttle').dropColumn('burst').execute();
  await db.schema.alterTable('login_throttle').dropColumn('reserved_until').execute();
  await db.schema.alterTable('login_throttle').dropColumn('pending').execute();
}
