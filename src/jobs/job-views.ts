import type { JobNameStats, JobState, JobThroughputBucket } from './driver.js';

/** Pivots (name, state, count) rows into one row per job name, sorted by name. */
export function emptyStats(rows: Array<{ name: string; state: JobState; count: number }>): JobNameStats[] {
  const byName = new Map<string, JobNameStats>();
  for (const row of rows) {
    const stats = byName.get(row.name) ?? { name: row.name, pending: 0, retrying: 0, active: 0, completed: 0, dead: 0 };
    stats[row.state] += row.count;
    byName.set(row.name, stats);
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Merges per-hour completed and dead counts into buckets sorted by hour. */
export function hourBuckets(completed: Array<{ hour: string; count: number }>, dead: Array<{ hour: string; count: number }>): JobThroughputBucket[] {
  const byHour = new Map<string, JobThroughputBucket>();
  const bucket = (hour: string): JobThroughputBucket => {
    const existing = byHour.get(hour) ?? { hour, completed: 0, dead: 0 };
    byHour.set(hour, existing);
    return existing;
  };
  for (const row of completed) bucket(row.hour).completed += row.count;
  for (const row of dead) bucket(row.hour).dead += row.count;
  return [...byHour.values()].sort((a, b) => a.hour.localeCompare(b.hour));
}
