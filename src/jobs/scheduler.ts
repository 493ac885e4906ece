import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../db/schema.js';
import { transact } from '../store/transaction.js';
import type { JobDefinition } from './catalog.js';
import type { JobQueueDriver } from './driver.js';
import type { JobLogger } from './job-runner.js';

/** What a scheduled job is given: the moment its schedule fired. */
export const scheduledJobPayload = z.object({ scheduledAt: z.string() });
export type ScheduledJobPayload = z.output<typeof scheduledJobPayload>;

export interface ScheduleDefinition {
  /** The job each firing enqueues; its name is the schedule's name. */
  job: JobDefinition<ScheduledJobPayload>;
  /**
   * How often it runs now, in ms, or null while it is off (its integration switched off).
   * Asked at every tick, so a changed setting applies at once.
   */
  intervalMs(): Promise<number | null>;
}

export interface SchedulerOptions {
  /** How often each process looks for schedules that are due. @default 2_000 */
  tickMs?: number;
  now?: () => Date;
}

export type FiringOutcome = 'fired' | 'not-due' | 'busy' | 'off';

/**
 * Recurring jobs, run by every worker process and fired by exactly one of them per interval.
 *
 * Each schedule has a row in `schedules` with the time it last fired. On a tick, a process that
 * finds a schedule due runs, in one transaction: "is a run of it still waiting or running?" (then
 * it waits: runs never pile up, the next starts once the last has finished) and a conditional
 * `UPDATE … SET last_fired_at = now WHERE last_fired_at <= now - interval` — only the process
 * whose update changed the row enqueues the job (SQLite serialises writers; on PostgreSQL the
 * second update waits for the first one's row lock and then no longer matches). The state is in
 * the database, so a restart neither repeats a run nor forgets one: after downtime a due
 * schedule fires once, not once per missed interval.
 */
export class Scheduler {
  readonly #now: () => Date;
  readonly #tickMs: number;
  #timer: NodeJS.Timeout | null = null;
  #ticking: Promise<void> | null = null;
  #prepared = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly queue: JobQueueDriver,
    private readonly schedules: readonly ScheduleDefinition[],
    private readonly logger: JobLogger,
    options: SchedulerOptions = {},
  ) {
    this.#now = options.now ?? (() => new Date());
    this.#tickMs = options.tickMs ?? 2_000;
    const names = schedules.map((s) => s.job.name);
    const twice = names.find((name, index) => names.indexOf(name) !== index);
    if (twice) throw new Error(`job ${twice} is scheduled twice`);
  }

  get names(): string[] {
    return this.schedules.map((s) => s.job.name);
  }

  start(): void {
    if (this.#timer || this.schedules.length === 0) return;
    this.#timer = setInterval(() => void this.tick(), this.#tickMs);
    void this.tick();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#ticking;
  }

  /** Looks at every schedule once; a tick still running absorbs the next. */
  tick(): Promise<void> {
    this.#ticking ??= this.#tickAll().finally(() => (this.#ticking = null));
    return this.#ticking;
  }

  async #tickAll(): Promise<void> {
    for (const schedule of this.schedules) {
      try {
        const outcome = await this.fire(schedule);
        if (outcome === 'fired') this.logger.debug({ job: schedule.job.name }, 'schedule fired');
      } catch (error) {
        this.logger.error({ err: error, job: schedule.job.name }, 'schedule could not fire; will try at the next tick');
      }
    }
  }

  /** Fires one schedule if it is due and no run of it is unfinished. */
  async fire(schedule: ScheduleDefinition): Promise<FiringOutcome> {
    await this.#prepare();
    const intervalMs = await schedule.intervalMs();
    if (intervalMs === null) return 'off';
    if (!Number.isFinite(intervalMs) || intervalMs < 1) throw new Error(`schedule ${schedule.job.name}: interval must be a positive number of ms, got ${intervalMs}`);
    const name = schedule.job.name;
    const now = this.#now();
    const dueBefore = new Date(now.getTime() - intervalMs).toISOString();
    // A read first, so the usual "not yet" costs no write transaction.
    const row = await this.db.selectFrom('schedules').select('last_fired_at').where('name', '=', name).executeTakeFirst();
    if (row?.last_fired_at && row.last_fired_at > dueBefore) return 'not-due';

    return transact(this.db, async (trx) => {
      const key = scheduleKey(name);
      if (await this.queue.hasUnfinished(trx, name, key)) return 'busy';
      const nowIso = now.toISOString();
      const claimed = await trx
        .updateTable('schedules')
        .set({ last_fired_at: nowIso, updated_at: nowIso })
        .where('name', '=', name)
        .where((eb) => eb.or([eb('last_fired_at', 'is', null), eb('last_fired_at', '<=', dueBefore)]))
        .executeTakeFirst();
      if (claimed.numUpdatedRows === 0n) return 'not-due';
      const jobId = await this.queue.enqueue(trx, schedule.job.request({ scheduledAt: nowIso }, { key }));
      await trx.updateTable('schedules').set({ last_job_id: jobId }).where('name', '=', name).execute();
      return 'fired';
    });
  }

  /** Every schedule gets its row once per process start (the rows outlive restarts). */
  async #prepare(): Promise<void> {
    if (this.#prepared) return;
    const nowIso = this.#now().toISOString();
    for (const name of this.names) {
      await this.db.insertInto('schedules').values({ name, last_fired_at: null, last_job_id: null, updated_at: nowIso }).onConflict((oc) => oc.column('name').doNothing()).execute();
    }
    this.#prepared = true;
  }
}

/** The collapse key of a schedule's runs: one unfinished run at a time. */
export function scheduleKey(name: string): string {
  return `schedule:${name}`;
}
