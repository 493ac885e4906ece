import { performance } from 'node:perf_hooks';
import { Listed, type CallContext, type MethodRegistry } from './context.js';
import { errors, RestError } from './errors.js';
import type { OperatingLimiter } from './limits.js';
import type { Params } from './params.js';
import type { Portal, Webhook } from './portal.js';

export type Outcome =
  | { ok: true; value: unknown; processingMs: number; startMs: number; operatingKey: string }
  | { ok: false; error: RestError; processingMs: number; startMs: number };

export interface ExecutorOptions {
  /** 401 (as the mirrored source raises it) or 403 (as the docs table says). */
  authErrorStatus: 401 | 403;
}

/** Runs one REST method for a webhook: lookup, scope, operating budget, the handler itself. */
export class Executor {
  constructor(
    private readonly portal: Portal,
    private readonly registry: MethodRegistry,
    private readonly operating: OperatingLimiter,
    private readonly options: ExecutorOptions,
  ) {}

  operatingKey(webhook: Webhook, method: string): string {
    return `${webhook.userId}:${webhook.code}:${method.toLowerCase()}`;
  }

  run(methodName: string, params: Params, webhook: Webhook, inBatch: boolean): Outcome {
    const startMs = Date.now();
    const began = performance.now();
    const method = methodName.toLowerCase();
    const operatingKey = this.operatingKey(webhook, method);
    try {
      const def = this.registry.get(method);
      if (!def) throw errors.methodNotFound();
      if (inBatch && method === 'batch') {
        throw new RestError(405, 'ERROR_BATCH_METHOD_NOT_ALLOWED', 'Method is not allowed for batch usage');
      }
      if (def.scope !== '_global' && !webhook.scopes.includes(def.scope)) {
        throw new RestError(this.options.authErrorStatus, 'insufficient_scope', 'The request requires higher privileges than provided by the webhook token');
      }
      // The outer batch is not metered; the calls inside it are, each under its own method.
      const metered = method !== 'batch';
      if (metered) this.operating.check(operatingKey);
      const { start, ...rest } = params;
      const ctx: CallContext = { portal: this.portal, userId: webhook.userId, start, inBatch, scopes: webhook.scopes, webhookCode: webhook.code };
      const value = def.handler(method === 'batch' ? params : rest, ctx);
      const processingMs = performance.now() - began;
      // Even a fast method costs something, so a tiny test limit is reached after one call.
      if (metered) this.operating.record(operatingKey, Math.max(processingMs / 1000, 1e-6));
      return { ok: true, value, processingMs, startMs, operatingKey };
    } catch (error) {
      const processingMs = performance.now() - began;
      if (error instanceof RestError) return { ok: false, error, processingMs, startMs };
      process.stderr.write(`bitrix24 emulator: ${method} failed: ${(error as Error).stack ?? String(error)}\n`);
      return { ok: false, error: errors.internal(), processingMs, startMs };
    }
  }
}

export function resultOf(value: unknown): { result: unknown; total?: number; next?: number } {
  if (value instanceof Listed) {
    const envelope: { result: unknown; total?: number; next?: number } = { result: value.result };
    if (value.total !== undefined) envelope.total = value.total;
    if (value.next !== undefined) envelope.next = value.next;
    return envelope;
  }
  return { result: value };
}
