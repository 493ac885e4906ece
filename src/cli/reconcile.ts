import type { Command } from 'commander';
import { configFrom, withDatabaseOption } from './options.js';
import { startApp } from './run-app.js';
import { parseDateOption, watchJobs } from './job-watch.js';

export function registerReconcileCommand(program: Command): void {
  withDatabaseOption(
    program
      .command('reconcile')
      .argument('<integration>', 'e.g. bitrix24')
      .description('read what changed in the other system (its events may have been lost) and agree with it now'),
  )
    .option('--since <date>', 'only what changed on or after this date (YYYY-MM-DD or ISO 8601); default: everything')
    .action(async (name: string, options: { db?: string; since?: string }) => {
      const since = options.since ? parseDateOption('--since', options.since) : null;
      const app = await startApp(configFrom(options), { http: false, worker: true });
      try {
        const integration = app.services.integrations.find(name);
        const withReconcile = app.services.integrations.integrations.filter((i) => i.reconcile).map((i) => i.definition.name);
        if (!integration?.reconcile) throw new Error(`"${name}" has no reconciliation; integrations that have one: ${withReconcile.join(', ') || 'none'}`);
        if (!(await integration.context.settings.enabled())) throw new Error(`${integration.definition.title.en} is switched off: save its settings with the integration switched on first`);
        const { checked, queued } = await integration.reconcile.run({ since });
        process.stderr.write(`${name}: ${checked} records read, ${queued.length} linked to printsync are being checked\n`);
        await watchJobs(app.services, queued, () => true);
        process.stderr.write(`${name}: reconciled\n`);
      } finally {
        await app.stop();
      }
    });
}
