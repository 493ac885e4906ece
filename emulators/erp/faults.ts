import { FaultInjector, noFaults, parseFaultSpec, type FaultSettings } from '../common/faults.js';

/** The ERPs' faults aim at API paths: `paths` in the settings, `path` on an armed fault. */
export type ErpFaultSettings = FaultSettings<'paths'>;

export class ErpFaults extends FaultInjector<'paths', 'path'> {
  constructor(settings: ErpFaultSettings = noFaults('paths'), random: () => number = Math.random) {
    super({ list: 'paths', aim: 'path' }, settings, random);
  }

  /**
   * A target (`/orders`, `/templates/t-12`) strikes its path and every path below it; with a
   * method in front (`post /orders`) only requests of that method — a drop of the order's
   * creation, not of the lookup before it.
   */
  pickFor(apiPath: string, method = 'GET'): ReturnType<FaultInjector<'paths', 'path'>['pick']> {
    const path = apiPath.toLowerCase();
    return this.pick((target) => {
      const [, wantedMethod, rawPath = ''] = /^(?:(get|post|put|patch|delete)\s+)?(.*)$/i.exec(target.trim()) ?? [];
      if (wantedMethod && wantedMethod.toUpperCase() !== method.toUpperCase()) return false;
      const prefix = rawPath.startsWith('/') ? rawPath.replace(/\/$/, '') : `/${rawPath.replace(/\/$/, '')}`;
      return path === prefix || path.startsWith(`${prefix}/`);
    });
  }
}

/** `--faults error=0.1,slow=0.2,slowMs=1500,drop=0.05,paths=/orders|/templates`. */
export function parseErpFaultSpec(spec: string): ErpFaultSettings {
  return parseFaultSpec(spec, 'paths');
}

export function erpFaults(faults: Partial<ErpFaultSettings> | string | undefined): ErpFaults {
  if (typeof faults === 'string') return new ErpFaults(parseErpFaultSpec(faults));
  const injector = new ErpFaults();
  if (faults) injector.update(faults);
  return injector;
}
