/**
 * Injected faults, shared by the emulators. A fault strikes one request:
 * `error`: a 500 and nothing is done; `slow`: the request runs at once and its answer waits
 * `slowDelayMs`; `lag`: the request waits `slowDelayMs` before it runs (a congested server — what
 * other clients read meanwhile does not show it yet; only armed, for tests of races); `drop`: the
 * request runs and commits, then the connection is cut before any answer.
 *
 * Each emulator aims faults at its own kind of target — Bitrix24 at REST methods (`methods`,
 * `method`), the ERPs at API paths (`paths`, `path`) — so the names of the target list (`ListKey`)
 * and of an armed fault's target (`AimKey`) are type parameters.
 */
export type FaultKind = 'error' | 'slow' | 'lag' | 'drop';

export const FAULT_KINDS: readonly FaultKind[] = ['error', 'slow', 'lag', 'drop'];

export interface FaultRates {
  /** Probability (0..1) of answering 500 without running the request. */
  errorRate: number;
  /** Probability of answering late (the request runs, the answer waits `slowDelayMs`). */
  slowRate: number;
  slowDelayMs: number;
  /** Probability that the request runs and commits, then the connection is cut before any answer. */
  dropRate: number;
}

/** The rates plus the lower-case targets they apply to (an empty list: every target). */
export type FaultSettings<ListKey extends string> = FaultRates & { [K in ListKey]: string[] };

export type ArmedFault<AimKey extends string> = { kind: FaultKind; remaining: number } & { [K in AimKey]: string | undefined };

export type ArmOptions<AimKey extends string> = { count?: number } & { [K in AimKey]?: string };

const NO_RATES: FaultRates = { errorRate: 0, slowRate: 0, slowDelayMs: 2000, dropRate: 0 };

export function noFaults<ListKey extends string>(listKey: ListKey): FaultSettings<ListKey> {
  return { ...NO_RATES, [listKey]: [] } as FaultSettings<ListKey>;
}

/**
 * `--faults` syntax: comma-separated `key=value`, e.g. `error=0.1,slow=0.2,slowMs=1500,drop=0.05,
 * <listKey>=a|b` (`methods=crm.deal.add|crm.deal.update`, `paths=/orders|/templates`).
 */
export function parseFaultSpec<ListKey extends string>(spec: string, listKey: ListKey): FaultSettings<ListKey> {
  const settings: FaultRates & Record<string, unknown> = noFaults(listKey);
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [rawKey, rawValue = ''] = part.split('=');
    const key = (rawKey ?? '').trim().toLowerCase();
    const value = rawValue.trim();
    if (key === listKey.toLowerCase()) {
      settings[listKey] = value.split('|').map((m) => m.trim().toLowerCase()).filter(Boolean);
      continue;
    }
    const number = Number(value);
    if (!Number.isFinite(number) || number < 0) throw new Error(`--faults: bad value in "${part}"`);
    if (key === 'error' || key === '500') settings.errorRate = probability(number, part);
    else if (key === 'slow') settings.slowRate = probability(number, part);
    else if (key === 'slowms' || key === 'slow-ms') settings.slowDelayMs = number;
    else if (key === 'drop') settings.dropRate = probability(number, part);
    else throw new Error(`--faults: unknown key in "${part}" (error, slow, slowMs, drop, ${listKey})`);
  }
  return settings as FaultSettings<ListKey>;
}

function probability(value: number, part: string): number {
  if (value > 1) throw new Error(`--faults: probability above 1 in "${part}"`);
  return value;
}

/** Decides, per request, which fault (if any) strikes. Also holds one-shot faults armed by tests. */
export class FaultInjector<ListKey extends string, AimKey extends string> {
  private armed: ArmedFault<AimKey>[] = [];

  constructor(
    private readonly keys: { list: ListKey; aim: AimKey },
    public settings: FaultSettings<ListKey> = noFaults(keys.list),
    private readonly random: () => number = Math.random,
  ) {}

  update(patch: Partial<FaultSettings<ListKey>>): FaultSettings<ListKey> {
    const targets = (patch[this.keys.list] ?? this.settings[this.keys.list]) as string[];
    this.settings = { ...this.settings, ...patch, [this.keys.list]: targets.map((t) => t.toLowerCase()) };
    return this.settings;
  }

  /** Makes the next `count` requests (aimed at the given target, if any) fail in the given way. */
  arm(kind: FaultKind, options: ArmOptions<AimKey> = {} as ArmOptions<AimKey>): void {
    if (!FAULT_KINDS.includes(kind)) throw new Error(`unknown fault kind "${String(kind)}" (${FAULT_KINDS.join(', ')})`);
    const target = options[this.keys.aim] as string | undefined;
    this.armed.push({ kind, remaining: options.count ?? 1, [this.keys.aim]: target?.toLowerCase() } as ArmedFault<AimKey>);
  }

  clear(): void {
    this.settings = noFaults(this.keys.list);
    this.armed = [];
  }

  pending(): ArmedFault<AimKey>[] {
    return this.armed.map((a) => ({ ...a }));
  }

  /** `aimed(target)`: whether a lower-case target names this request. */
  pick(aimed: (target: string) => boolean): FaultKind | undefined {
    const index = this.armed.findIndex((a) => {
      const target = a[this.keys.aim] as string | undefined;
      return target === undefined || aimed(target);
    });
    if (index >= 0) {
      const armed = this.armed[index]!;
      armed.remaining -= 1;
      if (armed.remaining <= 0) this.armed.splice(index, 1);
      return armed.kind;
    }
    const s = this.settings;
    if (s.errorRate === 0 && s.slowRate === 0 && s.dropRate === 0) return undefined;
    const targets = s[this.keys.list] as string[];
    if (targets.length > 0 && !targets.some(aimed)) return undefined;
    if (s.errorRate > 0 && this.random() < s.errorRate) return 'error';
    if (s.dropRate > 0 && this.random() < s.dropRate) return 'drop';
    if (s.slowRate > 0 && this.random() < s.slowRate) return 'slow';
    return undefined;
  }
}
