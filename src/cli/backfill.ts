import type { Command } from 'commander';
import type { AppServices } from '../app.js';
import { untilStopSignal } from './lifecycle.js';
import { parseDateOption, watchJobs } from './job-watch.js';
import { configFrom, withDatabaseOption } from './options.js';
import { startApp } from './run-app.js';

export function registerBackfillCommand(program: Command): void {
  withDatabaseOption(
    program
      .command('backfill')
      .argument('<integration>', 'e.g. bitrix24')
      .description('send the existing entities (orders) that the integration has not sent yet, with a progress bar'),
  )
    .option('--since <date>', 'only those created on or after this date (YYYY-MM-DD or ISO 8601)')
    .option('--no-worker', 'only queue the jobs; `printsync worker` processes send them')
    .action(async (name: string, options: { db?: string; since?: string; worker: boolean }) => {
      const since = options.since ? parseDateOption('--since', options.since) : null;
      const config = configFrom(options);
      // The worker starts once the jobs are queued: started before, it would first sleep a poll interval.
      const app = await startApp(config, { http: false, worker: false });
      let stopped = false;
      void untilStopSignal().then(() => {
        stopped = true;
      });
      try {
        const queued = options.worker ? () => app.services.startWorker({ concurrency: config.workerConcurrency }) : undefined;
        const code = await backfill(app.services, name, { since, watch: () => !stopped, out: process.stderr, queued });
        process.exitCode = code;
      } finally {
        await app.stop();
      }
    });
}

interface Output {
  isTTY?: boolean;
  write(text: string): unknown;
}

/**
 * Queues the integration's backfill and watches it: a bar on a terminal, a line per tenth
 * otherwise. Ends when every queued job has finished (sent, or failed for good — the sync log
 * says why); answers the exit code: 0 when everything was sent.
 */
export async function backfill(
  services: AppServices,
  name: string,
  options: { since: Date | null; watch: () => boolean; out: Output; pollMs?: number; queued?: () => Promise<void> },
): Promise<number> {
  const integration = services.integrations.find(name);
  const withBackfill = services.integrations.integrations.filter((i) => i.backfill).map((i) => i.definition.name);
  if (!integration?.backfill) throw new Error(`"${name}" has no backfill; integrations that have one: ${withBackfill.join(', ') || 'none'}`);
  if (!(await integration.context.settings.enabled())) throw new Error(`${integration.definition.title.en} is switched off: save its settings with the integration switched on first`);
  const { backfill: plan } = integration;
  const ids = await plan.pending({ since: options.since });
  const { out } = options;
  if (ids.length === 0) {
    out.write(`${name}: nothing to send — every ${plan.entityType} is already there\n`);
    return 0;
  }
  const jobs = await plan.enqueue(ids);
  await options.queued?.();
  out.write(`${name}: ${ids.length} ${plan.entityType}s to send in ${jobs.length} jobs\n`);
  let shownTenth = -1;
  let sent = 0;
  await watchJobs(services, jobs, options.watch, {
    ...(options.pollMs !== undefined && { pollMs: options.pollMs }),
    onTick: async () => {
      sent = await plan.sent(ids);
      if (out.isTTY) out.write(`\r${bar(sent, ids.length)}`);
      else if (Math.floor((sent / ids.length) * 10) > shownTenth) {
        shownTenth = Math.floor((sent / ids.length) * 10);
        out.write(`${bar(sent, ids.length)}\n`);
      }
    },
  });
  sent = await plan.sent(ids);
  if (out.isTTY) out.write('\n');
  if (!options.watch()) {
    out.write(`${name}: stopped; ${sent} of ${ids.length} sent, the rest stays queued — run the command again or start \`printsync worker\`\n`);
    return 1;
  }
  const failed = ids.length - sent;
  out.write(failed === 0 ? `${name}: all ${ids.length} sent\n` : `${name}: ${sent} of ${ids.length} sent; ${failed} failed — see the sync log («Журнал синхронизации») for why\n`);
  return failed === 0 ? 0 : 1;
}

function bar(done: number, total: number): string {
  const width = 30;
  const filled = Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} (${Math.floor((done / total) * 100)}%)`;
}
