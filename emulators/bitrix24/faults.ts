import { FaultInjector as SharedFaultInjector, noFaults, parseFaultSpec as parseSharedFaultSpec, type FaultSettings as SharedFaultSettings } from '../common/faults.js';

export type { FaultKind } from '../common/faults.js';

/** The portal's faults aim at REST methods: `methods` in the settings, `method` on an armed fault. */
export type FaultSettings = SharedFaultSettings<'methods'>;
export class FaultInjector extends SharedFaultInjector<'methods', 'method'> {
  constructor(settings: FaultSettings = noFaults('methods'), random: () => number = Math.random) {
    super({ list: 'methods', aim: 'method' }, settings, random);
  }

  /** `inner`: the methods a `batch` carries — a fault aimed at one of them strikes the whole batch request. */
  pickFor(method: string, inner: readonly string[] = []): ReturnType<SharedFaultInjector<'methods', 'method'>['pick']> {
    return this.pick((target) => target === method || inner.includes(target));
  }
}

export const NO_FAULTS: FaultSettings = noFaults('methods');

/** `--faults error=0.1,slow=0.2,slowMs=1500,drop=0.05,methods=crm.deal.add|crm.deal.update`. */
export function parseFaultSpec(spec: string): FaultSettings {
  return parseSharedFaultSpec(spec, 'methods');
}
