import type { LinkedEntityType } from '../store/external-links.js';

/**
 * «Send what already exists»: `printsync backfill <integration> [--since DATE]`. The integration
 * says which entities are still to send, queues them as jobs (many per job, so its batches are
 * full), and tells how far they got. The jobs run on whatever workers run — the command's own,
 * or `printsync worker` processes — and survive a crash of either: running the command again
 * queues only what is still not sent.
 */
export interface IntegrationBackfill {
  entityType: LinkedEntityType;
  /** Ids of the entities not yet in the other system, created at or after `since`, oldest first. */
  pending(options: { since: Date | null }): Promise<number[]>;
  /** Queues jobs for these ids; answers the jobs' names and collapse keys (to watch them finish). */
  enqueue(ids: readonly number[]): Promise<Array<{ jobName: string; key: string }>>;
  /** How many of these ids are in the other system now. */
  sent(ids: readonly number[]): Promise<number>;
}

/**
 * `printsync reconcile <integration> [--since DATE]`, and the integration's own schedule: reads
 * what changed in the other system and queues the work to agree with it.
 */
export interface IntegrationReconcile {
  run(options: { since: Date | null; signal?: AbortSignal }): Promise<{ checked: number; queued: Array<{ jobName: string; key: string }> }>;
}
