import { Command } from 'commander';
import { registerBackfillCommand } from './cli/backfill.js';
import { registerDemoCommand } from './cli/demo.js';
import { registerReconcileCommand } from './cli/reconcile.js';
import { registerEmulateCommand } from './cli/emulate.js';
import { registerHousekeepingCommand } from './cli/housekeeping.js';
import { registerJobsCommand } from './cli/jobs.js';
import { registerMigrateCommand } from './cli/migrate.js';
import { registerServeCommand } from './cli/serve.js';
import { registerTokensCommand } from './cli/tokens.js';
import { registerUsersCommand } from './cli/users.js';
import { registerWorkerCommand } from './cli/worker.js';

const program = new Command()
  .name('printsync')
  .description('Back office and integration hub for print shops')
  .showHelpAfterError();

registerServeCommand(program);
registerWorkerCommand(program);
registerMigrateCommand(program);
registerTokensCommand(program);
registerUsersCommand(program);
registerJobsCommand(program);
registerBackfillCommand(program);
registerReconcileCommand(program);
registerHousekeepingCommand(program);
registerDemoCommand(program);
registerEmulateCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`printsync: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
