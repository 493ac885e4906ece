import type { Params } from './params.js';
import type { Portal } from './portal.js';

/** What a method sees of the call: the portal, the webhook's user, the `start` pulled from params. */
export interface CallContext {
  portal: Portal;
  userId: number;
  start: unknown;
  /** Set while a batch runs: nested batches are refused. */
  inBatch: boolean;
  scopes: readonly string[];
  webhookCode: string;
}

/** A list method's answer: `total` and `next` are lifted out of `result` into the envelope. */
export class Listed {
  constructor(
    readonly result: unknown,
    /** Undefined where the method does not count (no `total` key at all). */
    readonly total?: number,
    readonly next?: number,
  ) {}
}

export type MethodHandler = (params: Params, ctx: CallContext) => unknown;

export interface MethodDef {
  name: string;
  scope: string;
  handler: MethodHandler;
}

/** Method names are matched lower-case, as the server lowercases them. */
export class MethodRegistry {
  private readonly methods = new Map<string, MethodDef>();

  add(scope: string, name: string, handler: MethodHandler): void {
    this.methods.set(name.toLowerCase(), { name: name.toLowerCase(), scope, handler });
  }

  get(name: string): MethodDef | undefined {
    return this.methods.get(name.toLowerCase());
  }

  names(): string[] {
    return [...this.methods.keys()].sort();
  }
}
