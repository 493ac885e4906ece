import autocannon from 'autocannon';

/**
 * What the HTTP benchmarks share: their `--name value` options, one slice of load (autocannon,
 * keep-alive connections, a body made per request; any non-2xx answer fails the run, so a
 * benchmark never measures errors), and totals over the slices of one kind.
 */
export function benchOption(name: string, fallback: string): string {
  const args = process.argv.slice(2);
  const index = args.indexOf(`--${name}`);
  return index >= 0 && args[index + 1] !== undefined ? args[index + 1]! : fallback;
}

export interface Slice {
  label: string;
  url: string;
  headers: Record<string, string>;
  body: () => string;
  connections: number;
  seconds: number;
}

export async function loadSlice(slice: Slice): Promise<autocannon.Result> {
  const result = await autocannon({
    url: slice.url,
    connections: slice.connections,
    duration: slice.seconds,
    requests: [{ method: 'POST', headers: { 'content-type': 'application/json', ...slice.headers }, setupRequest: (request) => ({ ...request, body: slice.body() }) }],
  });
  const failures = result.non2xx + result.errors + result.timeouts;
  if (failures > 0) throw new Error(`${slice.label}: ${failures} requests failed (non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts})`);
  return result;
}

/** Requests, seconds and the worst p50/p99 over the slices of each kind. */
export class SliceTotals<Name extends string> {
  readonly #totals = new Map<Name, { requests: number; seconds: number; p50: number; p99: number }>();

  add(name: Name, run: autocannon.Result): void {
    const t = this.#totals.get(name) ?? { requests: 0, seconds: 0, p50: 0, p99: 0 };
    t.requests += run.requests.total;
    t.seconds += run.duration;
    t.p50 = Math.max(t.p50, run.latency.p50);
    t.p99 = Math.max(t.p99, run.latency.p99);
    this.#totals.set(name, t);
  }

  perSecond(name: Name): number {
    const t = this.#totals.get(name);
    return t ? t.requests / t.seconds : 0;
  }

  p50(name: Name): number {
    return this.#totals.get(name)?.p50 ?? 0;
  }

  p99(name: Name): number {
    return this.#totals.get(name)?.p99 ?? 0;
  }
}
