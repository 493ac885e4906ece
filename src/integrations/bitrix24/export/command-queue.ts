import type { BatchAnswer, BatchCommand, Bitrix24Transport } from '../transport/client.js';
import { BATCH_LIMIT, Bitrix24Error } from '../transport/client.js';

/** A placeholder for the id another command of the plan returns (a new contact's, a new deal's). */
export class ResultRef {
  constructor(readonly command: string) {}
}

export function ref(command: string): ResultRef {
  return new ResultRef(command);
}

export interface PlannedCommand {
  /** Unique within the plan, e.g. `deal_12`. */
  name: string;
  method: string;
  /** May hold `ResultRef`s at any depth. */
  params: Record<string, unknown>;
  /** Which unit of work (an order) it belongs to: its failure is that unit's failure. */
  unit: string;
}

export interface CommandOutcome {
  result?: unknown;
  error?: Bitrix24Error;
}

/**
 * Sends planned commands in as few batches as the 50-command limit allows, in order. A
 * command's `ResultRef`s become `$result[name]` when the command they name is in the same
 * batch, or its actual result when it ran in an earlier one; a command whose reference failed
 * is not sent (it would fail on the portal anyway), and its unit fails with that error.
 *
 * `afterBatch` runs after each batch with what it answered, so results are recorded (links
 * committed) before the next batch is sent: a crash loses at most one batch's answers, and the
 * next attempt finds those objects by `ORIGIN_ID`.
 */
export async function runCommands(
  transport: Bitrix24Transport,
  commands: readonly PlannedCommand[],
  options: { signal?: AbortSignal; afterBatch?: (outcomes: Map<string, CommandOutcome>) => Promise<void>; batchLimit?: number },
): Promise<{ outcomes: Map<string, CommandOutcome>; requests: number }> {
  const limit = options.batchLimit ?? BATCH_LIMIT;
  const outcomes = new Map<string, CommandOutcome>();
  let requests = 0;
  let index = 0;
  while (index < commands.length) {
    const batch: BatchCommand[] = [];
    const inBatch = new Set<string>();
    while (index < commands.length && batch.length < limit) {
      const command = commands[index]!;
      index += 1;
      const resolved = resolveRefs(command.params, (name) => {
        if (inBatch.has(name)) return { placeholder: `$result[${name}]` };
        const earlier = outcomes.get(name);
        if (earlier?.result !== undefined && earlier.result !== null && earlier.result !== false) return { value: earlier.result };
        return { failed: earlier?.error ?? new Bitrix24Error('call', `${command.method}: не выполнена команда ${name}, от которой она зависит`) };
      });
      if ('failed' in resolved) {
        outcomes.set(command.name, { error: resolved.failed });
        continue;
      }
      batch.push({ name: command.name, method: command.method, params: resolved.params });
      inBatch.add(command.name);
    }
    if (batch.length === 0) continue;
    const answer = await sendOrSingle(transport, batch, options.signal);
    requests += 1;
    const fresh = new Map<string, CommandOutcome>();
    for (const command of batch) {
      const error = answer.errors.get(command.name);
      const outcome: CommandOutcome = error ? { error } : answer.results.has(command.name) ? { result: answer.results.get(command.name) } : { error: new Bitrix24Error('call', `${command.method}: портал не ответил на команду`) };
      outcomes.set(command.name, outcome);
      fresh.set(command.name, outcome);
    }
    await options.afterBatch?.(fresh);
  }
  return { outcomes, requests };
}

/** One command goes as a plain call (same slot of the rate limit, a simpler answer). */
async function sendOrSingle(transport: Bitrix24Transport, batch: BatchCommand[], signal: AbortSignal | undefined): Promise<BatchAnswer> {
  if (batch.length > 1 || JSON.stringify(batch[0]!.params).includes('$result[')) return transport.batch(batch, { signal });
  const [command] = batch as [BatchCommand];
  try {
    const answer = await transport.call<unknown>(command.method, command.params, { signal });
    return { results: new Map([[command.name, answer.result]]), errors: new Map(), totals: new Map(), nexts: new Map() };
  } catch (error) {
    // A refusal of this call only (its data, a missing object) is its outcome; the rest is the request's.
    if (error instanceof Bitrix24Error && error.kind === 'call') return { results: new Map(), errors: new Map([[command.name, error]]), totals: new Map(), nexts: new Map() };
    throw error;
  }
}

type Resolution = { placeholder: string } | { value: unknown } | { failed: Bitrix24Error };

function resolveRefs(params: Record<string, unknown>, lookup: (name: string) => Resolution): { params: Record<string, unknown> } | { failed: Bitrix24Error } {
  let failed: Bitrix24Error | null = null;
  const walk = (value: unknown): unknown => {
    if (value instanceof ResultRef) {
      const resolution = lookup(value.command);
      if ('failed' in resolution) {
        failed ??= resolution.failed;
        return null;
      }
      return 'placeholder' in resolution ? resolution.placeholder : resolution.value;
    }
    if (Array.isArray(value)) return value.map(walk);
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]));
    return value;
  };
  const out = walk(params) as Record<string, unknown>;
  return failed ? { failed } : { params: out };
}
