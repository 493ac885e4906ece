import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { Housekeeping } from '../store/housekeeping.js';
import { defineJob } from './catalog.js';
import type { JobDefinition } from './catalog.js';
import type { JobLogger } from './job-runner.js';
import { scheduledJobPayload } from './scheduler.js';
import type { ScheduledJobPayload, ScheduleDefinition } from './scheduler.js';

/** How often printsync clears out what outlived its retention (store/housekeeping.ts). */
export const HOUSEKEEPING_EVERY_MS = 3_600_000;

/** The core's own recurring job: named after printsync, so the health page lists it as such. */
export function housekeepingJob(db: Kysely<Database>, logger: JobLogger, now: () => Date): JobDefinition<ScheduledJobPayload> {
  const housekeeping = new Housekeeping(db);
  return defineJob({
    name: 'printsync.housekeeping',
    payload: scheduledJobPayload,
    maxAttempts: 3,
    maxRunMs: 10 * 60_000,
    handler: async (_payload, ctx) => {
      const deleted = await housekeeping.purge(now(), { signal: ctx.signal });
      if (Object.values(deleted).some((count) => count > 0)) logger.info({ deleted }, 'housekeeping: removed what outlived its retention');
    },
  });
}

export function housekeepingSchedule(job: JobDefinition<ScheduledJobPayload>): ScheduleDefinition {
  return { job, intervalMs: async () => HOUSEKEEPING_EVERY_MS };
}
