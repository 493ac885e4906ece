import type { Command } from 'commander';
import { configFrom, withDatabaseOption } from './options.js';
import { runUntilStopped, startApp } from './run-app.js';

export function registerWorkerCommand(program: Command): void {
  withDatabaseOption(program.command('worker').description('run background jobs only (start several on PostgreSQL to scale out)'))
    .option('--concurrency <n>', 'jobs run at once by this process (default: $WORKER_CONCURRENCY or 4)')
    .action(async (options: { db?: string; concurrency?: string }) => {
      if (options.concurrency) process.env.WORKER_CONCURRENCY = options.concurrency;
      const config = configFrom(options);
      const app = await startApp(config, { http: false, worker: true });
      app.services.logger.info({ queue: app.services.queue.kind, concurrency: config.workerConcurrency }, 'printsync worker running');
      await runUntilStopped(app);
    });
}
