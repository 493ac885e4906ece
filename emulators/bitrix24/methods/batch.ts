import type { MethodRegistry } from '../context.js';
import { timeBlock } from '../envelope.js';
import type { Executor } from '../executor.js';
import { resultOf } from '../executor.js';
import { asList, isPlainRecord, parsePhpQuery, type Params } from '../params.js';
import type { Portal } from '../portal.js';

const BATCH_MAX_LENGTH = 50;

type Accumulated = Record<'result' | 'next' | 'total' | 'time' | 'error', Record<string, unknown>>;

function truthy(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  const text = String(value ?? '').trim().toLowerCase();
  return text !== '' && text !== '0' && text !== 'false' && text !== 'n';
}

function upperKey(params: Params, name: string): unknown {
  for (const [key, value] of Object.entries(params)) if (key.toUpperCase() === name) return value;
  return undefined;
}

/**
 * `$result[cmd][0][ID]`-style references (also `$next`, `$total`, `$time`, `$error`), resolved
 * as CRestUtil::processBatchElement does: a value that is exactly the reference is replaced by
 * the raw result (arrays included); inside a longer string only a scalar is spliced in. A path
 * that does not exist stops the walk where it is.
 */
export function substitute(value: string, acc: Accumulated): unknown {
  const pattern = /\$(result|next|total|time|error)([^\s]*)/gi;
  let output: unknown = value;
  for (const match of value.matchAll(pattern)) {
    const [whole, kind, path = ''] = match;
    const keys = [...path.matchAll(/\[([^\]]+)\]/g)].map((m) => m[1]!);
    if (keys.length === 0) continue;
    let node: unknown = acc[kind!.toLowerCase() as keyof Accumulated];
    for (const key of keys) {
      if (node !== null && typeof node === 'object' && key in node && (node as Record<string, unknown>)[key] !== null && (node as Record<string, unknown>)[key] !== undefined) {
        node = (node as Record<string, unknown>)[key];
      } else {
        break;
      }
    }
    if (whole === value) return node;
    if (typeof output !== 'string') continue;
    if (typeof node === 'string' || typeof node === 'number' || typeof node === 'boolean') {
      output = output.split(whole).join(String(node));
    }
  }
  return output;
}

function substituteAll(params: unknown, acc: Accumulated): unknown {
  if (Array.isArray(params)) return params.map((v) => substituteAll(v, acc));
  if (isPlainRecord(params)) {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(params)) {
      const newKey = key.includes('$') ? String(substitute(key, acc)) : key;
      out[newKey] = substituteAll(value, acc);
    }
    return out;
  }
  return typeof params === 'string' && params.includes('$') ? substitute(params, acc) : params;
}

/** `batch`: up to 50 commands run in order, one HTTP request against the rate limit. */
export function registerBatchMethod(registry: MethodRegistry, portal: Portal, executor: () => Executor): void {
  registry.add('_global', 'batch', (params, ctx) => {
    const halt = truthy(upperKey(params, 'HALT'));
    const rawCmd = upperKey(params, 'CMD');
    const entries: [string, unknown][] = isPlainRecord(rawCmd) ? Object.entries(rawCmd) : (asList(rawCmd) ?? []).map((v, i) => [String(i), v]);
    const acc: Accumulated = { result: {}, next: {}, total: {}, time: {}, error: {} };
    const webhook = portal.findWebhook(String(ctx.userId), ctx.webhookCode)!;
    for (const [index, [name, command]] of entries.entries()) {
      if (index >= BATCH_MAX_LENGTH) {
        acc.error[name] = { error: 'ERROR_BATCH_LENGTH_EXCEEDED', error_description: 'Max batch length exceeded' };
        continue;
      }
      const text = String(command ?? '');
      const mark = text.indexOf('?');
      const method = (mark < 0 ? text : text.slice(0, mark)).trim();
      const query = mark < 0 ? {} : parsePhpQuery(text.slice(mark + 1));
      const outcome = executor().run(method, substituteAll(query, acc) as Params, webhook, true);
      acc.time[name] = timeBlock(portal.clock, outcome);
      if (outcome.ok) {
        const { result, total, next } = resultOf(outcome.value);
        acc.result[name] = result;
        if (total !== undefined) acc.total[name] = total;
        if (next !== undefined) acc.next[name] = next;
      } else {
        acc.error[name] = outcome.error.toBody();
        if (halt) break;
      }
    }
    // As json_encode writes PHP arrays: an empty one, or one keyed exactly 0..n-1 (a list of
    // commands with no gap), is a JSON list; anything else an object.
    const php = (map: Record<string, unknown>): Record<string, unknown> | unknown[] =>
      Object.keys(map).every((key, i) => key === String(i)) ? Object.values(map) : map;
    return {
      result: php(acc.result),
      result_error: php(acc.error),
      result_total: php(acc.total),
      result_next: php(acc.next),
      result_time: php(acc.time),
    };
  });
}
