import type { Command } from 'commander';
import { Housekeeping, RETENTION_DAYS } from '../store/housekeeping.js';
import type { PurgedCounts } from '../store/housekeeping.js';
import { withMigratedDatabase } from './database.js';
import { withDatabaseOption } from './options.js';

const LABELS: Record<keyof PurgedCounts, string> = {
  idempotencyKeys: 'idempotency keys',
  sessions: 'expired panel sessions',
  completedJobs: 'finished jobs',
  deadJobs: 'dead jobs',
  domainEvents: 'domain events',
  inboundEvents: 'settled events from other systems',
  syncLog: 'sync log entries',
  expiredQuotes: 'expired quotes nobody ordered (with their files)',
};

/** `printsync housekeeping`: what the hourly job does, now (e.g. before a backup). */
export function registerHousekeepingCommand(program: Command): void {
  withDatabaseOption(program.command('housekeeping').description('delete what outlived its retention now (the worker does it every hour)')).action(
    async (options: { db?: string }) =>
      withMigratedDatabase(options, async (db) => {
        const deleted = await new Housekeeping(db).purge(new Date(), { maxPerKind: Number.MAX_SAFE_INTEGER });
        for (const [kind, count] of Object.entries(deleted) as Array<[keyof PurgedCounts, number]>) {
          const kept = kind === 'sessions' ? '' : ` (kept ${RETENTION_DAYS[kind]} days)`;
          process.stdout.write(`${LABELS[kind]}: ${count} deleted${kept}\n`);
        }
      }),
  );
}
