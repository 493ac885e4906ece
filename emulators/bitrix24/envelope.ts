import type { PortalClock } from './clock.js';

export interface TimeBlock {
  start: number;
  finish: number;
  duration: number;
  processing: number;
  date_start: string;
  date_finish: string;
  operating_reset_at?: number;
  operating?: number;
}

export interface Timing {
  startMs: number;
  processingMs: number;
}

export function timeBlock(
  clock: PortalClock,
  timing: Timing,
  operating?: { operatingSeconds: number; resetAt: number },
): TimeBlock {
  const finishMs = Date.now();
  const block: TimeBlock = {
    start: timing.startMs / 1000,
    finish: finishMs / 1000,
    duration: (finishMs - timing.startMs) / 1000,
    processing: timing.processingMs / 1000,
    date_start: clock.iso(timing.startMs),
    date_finish: clock.iso(finishMs),
  };
  if (operating) {
    block.operating_reset_at = operating.resetAt;
    block.operating = operating.operatingSeconds;
  }
  return block;
}

/**
 * JSON as PHP's json_encode writes Bitrix24's arrays: an empty array, even one standing for a
 * map, is `[]`, never `{}`. Clients must cope with `result_error: []` or `result: []`.
 */
export function phpJson(value: unknown): string {
  // Most answers hold no empty map at all; only those (or a string containing "{}") pay for
  // the slower walk with a replacer.
  const plain = JSON.stringify(value);
  return plain.includes('{}') ? JSON.stringify(value, emptyMapsAsLists) : plain;
}

function emptyMapsAsLists(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const _ in value) return value;
    return [];
  }
  return value;
}
