import type { Command } from 'commander';
import { ApiTokenStore } from '../store/api-tokens.js';
import { withMigratedDatabase } from './database.js';
import { withDatabaseOption } from './options.js';

export function registerTokensCommand(program: Command): void {
  const tokens = program.command('tokens').description('manage API tokens');

  withDatabaseOption(tokens.command('create').description('create an API token; prints only the token'))
    .requiredOption('--name <name>', 'who or what uses the token, e.g. "storefront"')
    .action((options: { db?: string; name: string }) =>
      withMigratedDatabase(options, async (db) => {
        const { token } = await new ApiTokenStore(db).create(options.name);
        // Only the token on stdout, so `TOKEN=$(printsync tokens create --name x)` works.
        process.stdout.write(`${token}\n`);
      }),
    );

  withDatabaseOption(tokens.command('list').description('list API tokens (never the tokens themselves)')).action((options: { db?: string }) =>
    withMigratedDatabase(options, async (db) => {
      for (const t of await new ApiTokenStore(db).list()) {
        process.stdout.write(`${t.id}\t${t.name}\t${t.createdAt}\t${t.revokedAt ? `revoked ${t.revokedAt}` : 'active'}\n`);
      }
    }),
  );

  withDatabaseOption(tokens.command('revoke').description('revoke an API token by id').argument('<id>', 'token id')).action(
    (id: string, options: { db?: string }) =>
      withMigratedDatabase(options, async (db) => {
        const revoked = await new ApiTokenStore(db).revoke(Number(id));
        if (!revoked) throw new Error(`no active token with id ${id}`);
        process.stdout.write(`revoked token ${id}\n`);
      }),
  );
}
