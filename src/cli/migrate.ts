import type { Command } from 'commander';
import { openDatabase } from '../db/connection.js';
import { migrateToLatest } from '../db/migrate.js';
import { configFrom, withDatabaseOption } from './options.js';

export function registerMigrateCommand(program: Command): void {
  withDatabaseOption(program.command('migrate').description('bring the database schema up to date')).action(
    async (options: { db?: string }) => {
      const config = configFrom(options);
      const handle = openDatabase(config.databaseUrl);
      try {
        const { applied } = await migrateToLatest(handle.db);
        process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'schema is up to date\n');
      } finally {
        await handle.close();
      }
    },
  );
}
