import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { JobCatalog, JobDefinition } from './catalog.js';
import type { JobContext, StopOptions, WorkerOptions } from './driver.js';
import { parseJobPayload } from './catalog.js';
import { JobTimeoutError, LeaseLostError, describeError } from './errors.js';
import type { ClaimedJob, JobStore } from './job-store.js';
import { decideAfterFailure } from './retry-policy.js';

/** The subset of a pino logger the queue uses. */
export interface JobLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLogger: JobLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/**
 * How soon a worker claims again when jobs were committed while a claim that found nothing ran:
 * soon enough not to keep them waiting, not so soon that a stream of jobs it may not take (an
 * integration parked) turns into a stream of empty claims.
 */
const RECLAIM_AFTER_EMPTY_MS = 50;

interface Running {
  done: Promise<void>;
  controller: AbortController;
}

/**
 * The worker loop shared by every driver: claims up to `concurrency` jobs, keeps their leases
 * alive while handlers run, and turns each outcome into complete / retry later / dead through
 * the one retry policy. Drivers only store.
 */
export class JobRunner {
  readonly #running = new Map<string, Running>();
  #loop: Promise<void> | null = null;
  #stopping = false;
  #wake: (() => void) | null = null;
  #nudged = false;
  /** False while the loop pauses after an empty claim, which a new nudge must not cut short. */
  #nudgeWakes = true;
  #watching: Promise<(() => Promise<void>) | null> | null = null;

  constructor(
    private readonly store: JobStore,
    private readonly db: Kysely<Database>,
    private readonly catalog: JobCatalog,
    private readonly logger: JobLogger,
    private readonly random: () => number = Math.random,
  ) {}

  get activeCount(): number {
    return this.#running.size;
  }

  start(options: WorkerOptions = {}): void {
    if (this.#loop) return;
    const concurrency = options.concurrency ?? 4;
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`concurrency must be an integer ≥ 1, got ${concurrency}`);
    const pollIntervalMs = options.pollIntervalMs ?? 1_000;
    const names = this.catalog.names;
    // A deployment with no integrations switched on has nothing to work; the worker then idles.
    if (names.length === 0) return;
    const leaseMsByName = new Map(names.map((name) => [name, this.catalog.require(name).leaseMs]));
    this.#stopping = false;
    this.#loop = this.#poll(names, leaseMsByName, concurrency, pollIntervalMs, options.paused);
    this.#watching =
      this.store.watch?.(() => this.nudge()).catch((error: unknown) => {
        // Without notifications the worker still polls.
        this.logger.warn({ err: error }, 'job notifications unavailable; polling only');
        return null;
      }) ?? null;
  }

  /**
   * A job was committed (by this process, or by any on PostgreSQL, see `JobStore.watch`): claim
   * now rather than at the next poll, so a change reaches the other system (or comes back from it)
   * in milliseconds, not up to a poll interval later.
   */
  nudge(): void {
    this.#nudged = true;
    if (this.#nudgeWakes) this.#wake?.();
  }

  async stop(options: StopOptions = {}): Promise<void> {
    if (!this.#loop) return;
    const timeoutMs = options.timeoutMs ?? 30_000;
    this.#stopping = true;
    // Taken now: a start() while this stop() awaits installs a watch of its own, left alone.
    const watching = this.#watching;
    this.#watching = null;
    this.#wake?.();
    await this.#loop;
    this.#loop = null;
    const unwatch = await watching;
    await unwatch?.();

    const pending = [...this.#running.values()];
    if (pending.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const outcome = await Promise.race([Promise.allSettled(pending.map((r) => r.done)), timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      // Leave the rest to their leases: aborting tells handlers to give up, and another worker
      // takes the jobs once the leases run out.
      this.logger.warn({ jobs: [...this.#running.keys()], timeoutMs }, 'jobs still running at stop; aborting them');
      for (const running of this.#running.values()) running.controller.abort(new Error('worker stopping'));
    }
  }

  async #poll(
    names: readonly string[],
    leaseMsByName: ReadonlyMap<string, number>,
    concurrency: number,
    pollIntervalMs: number,
    paused: WorkerOptions['paused'],
  ): Promise<void> {
    while (!this.#stopping) {
      this.#nudged = false;
      const free = concurrency - this.#running.size;
      let claimed: ClaimedJob[] = [];
      if (free > 0) {
        try {
          const skip = paused ? await paused() : null;
          const claimable = skip?.size ? names.filter((name) => !skip.has(name)) : names;
          if (claimable.length) claimed = await this.store.claim(claimable, free, leaseMsByName);
        } catch (error) {
          this.logger.error({ err: error }, 'claiming jobs failed; will poll again');
        }
        for (const job of claimed) this.#execute(job);
      }
      // A full batch suggests more is waiting: poll again at once rather than after a pause.
      if (free > 0 && claimed.length === free) continue;
      // A job committed while this claim ran may have come too late for it: claim again. With
      // every slot busy there is nothing to claim into; a finishing job wakes the loop.
      const reclaim = this.#nudged && free > 0;
      if (reclaim && claimed.length > 0) continue;
      // stop() may have come while claiming, when there was no wait to cut short.
      if (this.#stopping) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, reclaim ? Math.min(RECLAIM_AFTER_EMPTY_MS, pollIntervalMs) : pollIntervalMs);
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.#wake = done;
        this.#nudgeWakes = !reclaim;
      });
      this.#wake = null;
      this.#nudgeWakes = true;
    }
  }

  #execute(job: ClaimedJob): void {
    const controller = new AbortController();
    // Per claim, not per job: a job whose lease ran out under a run still going here may be
    // claimed again by this very runner, and both runs count until each ends.
    const claim = `${job.id}@${job.token}`;
    const done = this.#run(job, controller)
      .catch((error: unknown) => this.logger.error({ err: error, jobId: job.id, job: job.name }, 'job bookkeeping failed; the lease will return it'))
      .finally(() => {
        this.#running.delete(claim);
        this.#wake?.();
      });
    this.#running.set(claim, { done, controller });
  }

  async #run(job: ClaimedJob, controller: AbortController): Promise<void> {
    const definition = this.catalog.find(job.name);
    if (!definition) {
      await this.store.bury(job, `no handler is defined for job "${job.name}" in this process`);
      return;
    }
    // Runs cut short by crashes count against the budget, so a job that kills its worker
    // every time does not loop forever.
    if (job.attempt > job.maxAttempts) {
      await this.store.bury(job, `gave up after ${job.maxAttempts} attempts: the last runs never finished (worker crashed or stalled)`);
      return;
    }
    const log = { jobId: job.id, job: job.name, attempt: job.attempt };
    let payload;
    try {
      payload = parseJobPayload(definition, job.payload);
    } catch (error) {
      // Written by an older release, or by hand: no attempt of this handler can read it.
      await this.store.bury(job, describeError(error));
      this.logger.error({ ...log, err: error }, 'job payload does not match its schema; the job is dead');
      return;
    }
    const renewal = this.#keepLease(job, definition, controller);
    let completed = false;
    const ctx: JobContext = {
      jobId: job.id,
      name: job.name,
      attempt: job.attempt,
      maxAttempts: job.maxAttempts,
      signal: controller.signal,
      completeWith: async (effect) => {
        if (completed) throw new Error(`job ${job.id}: completeWith called twice`);
        await this.db.transaction().execute(async (trx) => {
          await effect(trx);
          if (!(await this.store.complete(trx, job))) throw new LeaseLostError(job.id);
        });
        completed = true;
      },
    };
    try {
      await this.#withinTimeLimit(definition, controller, () => definition.handler(payload, ctx));
      if (!completed && !(await this.store.complete(this.db, job))) {
        this.logger.warn(log, 'job finished after its lease was lost; it may run again elsewhere');
        return;
      }
      this.logger.debug(log, 'job completed');
    } catch (error) {
      if (error instanceof LeaseLostError || controller.signal.reason instanceof LeaseLostError) {
        this.logger.warn({ ...log, err: error }, 'lease lost during the run; leaving the job to its new holder');
        return;
      }
      // The budget is the job's own (set at enqueue, refreshed by replay), as its view and
      // pg-boss's expiry sweep count it, not whatever the current definition says.
      const decision = decideAfterFailure(error, job.attempt, { ...definition.retry, maxAttempts: job.maxAttempts }, this.random);
      if (decision.kind === 'retry') {
        await this.store.retryLater(job, decision.delayMs, decision.reason);
        this.logger.warn({ ...log, delayMs: decision.delayMs, error: describeError(error) }, 'job failed; will retry');
      } else {
        await this.store.bury(job, decision.reason);
        this.logger.error({ ...log, reason: decision.reason }, 'job is dead');
      }
    } finally {
      clearInterval(renewal);
    }
  }

  /**
   * Runs the handler, but answers no later than the job's `maxRunMs`: then the run's signal is
   * aborted and a `JobTimeoutError` decides the attempt. A handler that ignores the signal goes
   * on in the background, but its slot is free and its lease is no longer renewed; whatever it
   * completes late is fenced off by the lease token.
   */
  async #withinTimeLimit(definition: JobDefinition, controller: AbortController, run: () => Promise<void>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new JobTimeoutError(definition.name, definition.maxRunMs);
        controller.abort(error);
        reject(error);
      }, definition.maxRunMs);
    });
    const handler = Promise.resolve().then(run);
    // Once the limit has passed nobody awaits the handler; its late failure is not an error.
    handler.catch(() => {});
    try {
      await Promise.race([handler, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  #keepLease(job: ClaimedJob, definition: JobDefinition, controller: AbortController): NodeJS.Timeout {
    // Renew at a third of the lease so two missed renewals still leave time before it expires.
    const renewal = setInterval(() => {
      this.store.renew(job, definition.leaseMs).then(
        (held) => {
          if (!held && !controller.signal.aborted) controller.abort(new LeaseLostError(job.id));
        },
        (error: unknown) => this.logger.warn({ err: error, jobId: job.id }, 'lease renewal failed; retrying at the next tick'),
      );
    }, Math.floor(definition.leaseMs / 3));
    // Once the run is aborted (lease lost, or given up on at stop) the lease is left to run out,
    // so another worker can take the job even if the handler ignores the signal and never ends.
    controller.signal.addEventListener('abort', () => clearInterval(renewal), { once: true });
    return renewal;
  }
}
