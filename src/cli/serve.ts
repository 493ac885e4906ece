import type { Command } from 'commander';
import { configFrom, withServerOptions } from './options.js';
import { runUntilStopped, startApp } from './run-app.js';

export function registerServeCommand(program: Command): void {
  withServerOptions(program.command('serve').description('run the API, the admin panel and a job worker'))
    .option('--no-worker', 'do not run jobs in this process (PostgreSQL: leave them to `printsync worker`)')
    .action(async (options: { db?: string; port?: string; host?: string; worker: boolean }) => {
      const config = configFrom(options);
      const app = await startApp(config, { http: true, worker: options.worker });
      app.services.logger.info({ url: app.url, worker: options.worker }, `printsync serving on ${app.url}`);
      await runUntilStopped(app);
    });
}
