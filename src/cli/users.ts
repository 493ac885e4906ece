import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import type { AppServices } from '../app.js';
import { openDatabase } from '../db/connection.js';
import { migrateToLatest } from '../db/migrate.js';
import { DomainError } from '../domain/errors.js';
import { STAFF_ROLES, UserStore } from '../store/users.js';
import type { StaffRole } from '../store/users.js';
import { configFrom, withDatabaseOption } from './options.js';

/**
 * An administrator for `printsync demo` (or any first start): created if missing, its password
 * reset if it exists, so the printed credentials always work. Without a password one is made up.
 */
export async function createAdminUser(
  services: Pick<AppServices, 'stores'>,
  login = 'admin',
  password: string = randomBytes(9).toString('base64url'),
): Promise<{ login: string; password: string }> {
  const { users } = services.stores;
  if (await users.findByLogin(login)) await users.setPassword(login, password);
  else await users.create({ login, password, displayName: 'Администратор', role: 'admin' });
  return { login, password };
}

async function withUsers(options: { db?: string }, work: (users: UserStore) => Promise<void>): Promise<void> {
  const handle = openDatabase(configFrom(options).databaseUrl);
  try {
    await migrateToLatest(handle.db);
    await work(new UserStore(handle.db));
  } finally {
    await handle.close();
  }
}

function describe(error: unknown): Error {
  if (error instanceof DomainError && error.details.length) {
    return new Error(error.details.map((d) => `--${d.path === 'displayName' ? 'name' : d.path}: ${d.message}`).join('; '));
  }
  return error as Error;
}

export function registerUsersCommand(program: Command): void {
  const users = program.command('users').description('manage staff accounts of the admin panel');

  withDatabaseOption(users.command('create').description('create a staff account'))
    .requiredOption('--login <login>', 'login name')
    .requiredOption('--password <password>', 'password (at least 8 characters)')
    .option('--name <name>', 'name shown in the panel and as the author of comments')
    .option('--role <role>', `${STAFF_ROLES.join(' | ')}: what the account may do in the panel (see below)`, 'manager')
    .addHelpText(
      'after',
      '\nRoles:\n' +
        '  admin    everything, including integration settings, replaying dead jobs and editing the catalog\n' +
        '  manager  orders and clients (statuses, comments, Bitrix IDs, «Отправить повторно»), reads the\n' +
        '           catalog, the integrations and the sync health page\n\n' +
        'API tokens (`printsync tokens create`) are not staff accounts and keep full access.\n',
    )
    .action((options: { db?: string; login: string; password: string; name?: string; role: string }) =>
      withUsers(options, async (store) => {
        if (!STAFF_ROLES.includes(options.role as StaffRole)) throw new Error(`--role: must be one of ${STAFF_ROLES.join(', ')}`);
        const user = await store
          .create({ login: options.login, password: options.password, displayName: options.name, role: options.role as StaffRole })
          .catch((error: unknown) => {
            throw describe(error);
          });
        process.stdout.write(`created ${user.role} "${user.login}" (id ${user.id})\n`);
      }),
    );

  withDatabaseOption(users.command('password').description("set a staff member's password"))
    .requiredOption('--login <login>', 'login name')
    .requiredOption('--password <password>', 'new password (at least 8 characters)')
    .action((options: { db?: string; login: string; password: string }) =>
      withUsers(options, async (store) => {
        if (!(await store.setPassword(options.login, options.password))) throw new Error(`no user with login "${options.login}"`);
        process.stdout.write(`password of "${options.login}" changed\n`);
      }),
    );

  withDatabaseOption(users.command('list').description('list staff accounts')).action((options: { db?: string }) =>
    withUsers(options, async (store) => {
      for (const u of await store.list()) {
        process.stdout.write(`${u.id}\t${u.login}\t${u.role}\t${u.displayName}${u.disabled ? '\tdisabled' : ''}\n`);
      }
    }),
  );
}
