/**
 * `slow`: the method runs at once and its answer waits; `lag`: the request waits in the portal's
 * queue `slowDelayMs` before it runs (a congested portal — what two clients read meanwhile does
 * not yet show it; only armed, for tests of races); `drop`: runs, commits, no answer.
 */
export type FaultKind = 'error' | 'slow' | 'lag' | 'drop';

export interface FaultSettings {
  /** Probability (0..1) of answering 500 INTERNAL_SERVER_ERROR without running the method. */
  errorRate: number;
  /** Probability of answering late (the method runs, the answer waits `slowDelayMs`). */
  slowRate: number;
  slowDelayMs: number;
  /** Probability that the method runs and commits, then the connection is cut before any answer. */
  dropRate: number;
  /** Lower-case method names the probabilities apply to; empty means every method. */
  methods: string[];
}

export const NO_FAULTS: FaultSettings = { errorRate: 0, slowRate: 0, slowDelayMs: 2000, dropRate: 0, methods: [] };

/**
 * `--faults` syntax: comma-separated `key=value`, e.g. `error=0.1,slow=0.2,slowMs=1500,drop=0.05,
 * methods=crm.deal.add|crm.deal.update`.
 */
export function parseFaultSpec(spec: string): FaultSettings {
  const settings: FaultSettings = { ...NO_FAULTS, methods: [] };
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [rawKey, rawValue = ''] = part.split('=');
    const key = (rawKey ?? '').trim().toLowerCase();
    const value = rawValue.trim();
    if (key === 'methods') {
      settings.methods = value.split('|').map((m) => m.trim().toLowerCase()).filter(Boolean);
      continue;
    }
    const number = Number(value);
    if (!Number.isFinite(number) || number < 0) throw new Error(`--faults: bad value in "${part}"`);
    if (key === 'error' || key === '500') settings.errorRate = probability(number, part);
    else if (key === 'slow') settings.slowRate = probability(number, part);
    else if (key === 'slowms' || key === 'slow-ms') settings.slowDelayMs = number;
    else if (key === 'drop') settings.dropRate = probability(number, part);
    else throw new Error(`--faults: unknown key in "${part}" (error, slow, slowMs, drop, methods)`);
  }
  return settings;
}

function probability(value: number, part: string): number {
  if (value > 1) throw new Error(`--faults: probability above 1 in "${part}"`);
  return value;
}

interface Armed {
  kind: FaultKind;
  method: string | undefined;
  remaining: number;
}

/** Decides, per request, which fault (if any) strikes. Also holds one-shot faults armed by tests. */
export class FaultInjector {
  private armed: Armed[] = [];

  constructor(
    public settings: FaultSettings = { ...NO_FAULTS },
    private readonly random: () => number = Math.random,
  ) {}

  update(patch: Partial<FaultSettings>): FaultSettings {
    this.settings = {
      ...this.settings,
      ...patch,
      methods: (patch.methods ?? this.settings.methods).map((m) => m.toLowerCase()),
    };
    return this.settings;
  }

  /** Makes the next `count` requests (of `method`, if given) fail in the given way. */
  arm(kind: FaultKind, options: { method?: string; count?: number } = {}): void {
    this.armed.push({ kind, method: options.method?.toLowerCase(), remaining: options.count ?? 1 });
  }

  clear(): void {
    this.settings = { ...NO_FAULTS, methods: [] };
    this.armed = [];
  }

  pending(): { kind: FaultKind; method: string | undefined; remaining: number }[] {
    return this.armed.map((a) => ({ ...a }));
  }

  /** `inner`: the methods a `batch` carries — a fault aimed at one of them strikes the whole batch request. */
  pick(method: string, inner: readonly string[] = []): FaultKind | undefined {
    const aimed = (target: string) => target === method || inner.includes(target);
    const index = this.armed.findIndex((a) => a.method === undefined || aimed(a.method));
    if (index >= 0) {
      const armed = this.armed[index]!;
      armed.remaining -= 1;
      if (armed.remaining <= 0) this.armed.splice(index, 1);
      return armed.kind;
    }
    const s = this.settings;
    if (s.errorRate === 0 && s.slowRate === 0 && s.dropRate === 0) return undefined;
    if (s.methods.length > 0 && !s.methods.some(aimed)) return undefined;
    if (s.errorRate > 0 && this.random() < s.errorRate) return 'error';
    if (s.dropRate > 0 && this.random() < s.dropRate) return 'drop';
    if (s.slowRate > 0 && this.random() < s.slowRate) return 'slow';
    return undefined;
  }
}
