import { setTimeout as sleep } from 'node:timers/promises';
import type { AppServices } from '../app.js';

export interface QueuedJob {
  jobName: string;
  key: string;
}

/** `--since 2026-01-01` (UTC midnight) or any ISO 8601 time. */
export function parseDateOption(flag: string, text: string): Date {
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(date.getTime())) throw new Error(`${flag}: "${text}" is not a date; use YYYY-MM-DD`);
  return date;
}

/** The jobs of `jobs` not finished yet (waiting, retrying or running). */
export async function unfinished(services: AppServices, jobs: readonly QueuedJob[]): Promise<QueuedJob[]> {
  const waiting: QueuedJob[] = [];
  for (const job of jobs) if (await services.queue.hasUnfinished(services.database.db, job.jobName, job.key)) waiting.push(job);
  return waiting;
}

/** Polls until every job has finished or `keepWatching` says stop; `onTick` runs on each poll. */
export async function watchJobs(services: AppServices, jobs: readonly QueuedJob[], keepWatching: () => boolean, options: { pollMs?: number; onTick?: () => Promise<void> } = {}): Promise<void> {
  let left = [...jobs];
  for (;;) {
    await options.onTick?.();
    left = await unfinished(services, left);
    if (left.length === 0 || !keepWatching()) return;
    await sleep(options.pollMs ?? 500);
  }
}
