import type { Command } from 'commander';
import { openDatabase } from '../db/connection.js';
import { migrateToLatest } from '../db/migrate.js';
import { createJobQueue } from '../jobs/job-queue.js';
import { JOB_STATES } from '../jobs/driver.js';
import type { JobNameStats, JobQueue, JobState, JobView } from '../jobs/driver.js';
import { configFrom, withDatabaseOption } from './options.js';

interface ListOptions {
  db?: string;
  state?: string;
  name?: string;
  limit?: string;
  json?: boolean;
}

/** `printsync jobs list | dead | replay ID | stats` */
export function registerJobsCommand(program: Command): void {
  const jobs = program.command('jobs').description('inspect and replay background jobs');

  withDatabaseOption(jobs.command('list').description('list jobs, newest first'))
    .option('--state <state>', `only jobs in this state: ${JOB_STATES.join(', ')}`)
    .option('--name <name>', 'only jobs with this name, e.g. bitrix24.exportOrder')
    .option('--limit <n>', 'at most this many jobs', '50')
    .option('--json', 'print JSON instead of a table')
    .action((options: ListOptions) => withQueue(options, async (queue) => print(await queue.list(listFilter(options)), options.json, jobTable)));

  withDatabaseOption(jobs.command('dead').description('list dead jobs (retry budget spent or permanent error) with their reason'))
    .option('--name <name>', 'only jobs with this name')
    .option('--limit <n>', 'at most this many jobs', '50')
    .option('--json', 'print JSON instead of a table')
    .action((options: ListOptions) =>
      withQueue(options, async (queue) => print(await queue.list(listFilter({ ...options, state: 'dead' })), options.json, deadTable)),
    );

  withDatabaseOption(jobs.command('replay').description('run a dead job again with a fresh retry budget').argument('<id>', 'job id'))
    .option('--json', 'print JSON')
    .action((id: string, options: { db?: string; json?: boolean }) =>
      withQueue(options, async (queue) => {
        const job = await queue.get(id);
        if (!job) throw new Error(`no job with id ${id}`);
        if (job.state !== 'dead') throw new Error(`job ${id} is ${job.state}, not dead; only dead jobs can be replayed`);
        if (!(await queue.replay(id))) throw new Error(`job ${id} changed state meanwhile; nothing replayed`);
        const replayed = await queue.get(id);
        if (options.json) process.stdout.write(`${JSON.stringify(replayed, null, 2)}\n`);
        else process.stdout.write(`job ${id} (${job.name}) is ${replayed?.state ?? 'pending'} again\n`);
      }),
    );

  withDatabaseOption(jobs.command('stats').description('job counts per name and state'))
    .option('--json', 'print JSON instead of a table')
    .action((options: { db?: string; json?: boolean }) => withQueue(options, async (queue) => print(await queue.stats(), options.json, statsTable)));
}

async function withQueue(options: { db?: string }, run: (queue: JobQueue) => Promise<void>): Promise<void> {
  const config = configFrom(options);
  const handle = openDatabase(config.databaseUrl);
  try {
    await migrateToLatest(handle.db);
    // No catalog: inspecting and replaying needs no handlers, and no maintenance in a one-shot command.
    const queue = await createJobQueue(handle, { pgBoss: { supervise: false, poolSize: 1 } });
    try {
      await run(queue);
    } finally {
      await queue.close();
    }
  } finally {
    await handle.close();
  }
}

function listFilter(options: ListOptions): { state?: JobState; name?: string; limit: number } {
  const limit = Number(options.limit ?? '50');
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`--limit must be a positive integer, got "${options.limit}"`);
  if (options.state !== undefined && !JOB_STATES.includes(options.state as JobState)) {
    throw new Error(`--state must be one of ${JOB_STATES.join(', ')}, got "${options.state}"`);
  }
  return { limit, ...(options.state ? { state: options.state as JobState } : {}), ...(options.name ? { name: options.name } : {}) };
}

function print<T>(rows: T[], json: boolean | undefined, table: (rows: T[]) => string[][]): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  if (rows.length === 0) {
    process.stdout.write('(none)\n');
    return;
  }
  process.stdout.write(formatTable(table(rows)));
}

function jobTable(jobs: JobView[]): string[][] {
  return [
    ['ID', 'NAME', 'KEY', 'STATE', 'ATTEMPTS', 'RUN AT', 'LAST ERROR'],
    ...jobs.map((j) => [j.id, j.name, j.key ?? '', j.state, `${j.attempts}/${j.maxAttempts}`, shortTime(j.runAt), clip(j.lastError ?? '', 60)]),
  ];
}

function deadTable(jobs: JobView[]): string[][] {
  return [
    ['ID', 'NAME', 'KEY', 'ATTEMPTS', 'DIED AT', 'REASON'],
    ...jobs.map((j) => [j.id, j.name, j.key ?? '', String(j.attempts), shortTime(j.failedAt), clip(j.lastError ?? '', 80)]),
  ];
}

function statsTable(stats: JobNameStats[]): string[][] {
  return [
    ['NAME', 'PENDING', 'RETRYING', 'ACTIVE', 'COMPLETED', 'DEAD'],
    ...stats.map((s) => [s.name, s.pending, s.retrying, s.active, s.completed, s.dead].map(String)),
  ];
}

function formatTable(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()).join('\n') + '\n';
}

function shortTime(iso: string | null): string {
  return iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '';
}

function clip(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
