import type { IntegrationContext } from '../../../platform/context.js';
import type { SettingsVersion } from '../../../store/settings.js';
import type { Bitrix24Settings } from '../settings.js';
import { Bitrix24Transport } from '../transport/client.js';
import { PortalPacing } from '../transport/pacing.js';

/**
 * The connection to the configured portal, shared by every job of this process: one pacing (the
 * database-backed leaky bucket and the operating-time budget) per portal address, a transport
 * rebuilt when the settings change, and what printsync has learned about the portal (whether its
 * deal user fields exist).
 */
export class PortalConnection {
  readonly #pacings = new Map<string, PortalPacing>();
  #transport: { version: number; transport: Bitrix24Transport } | null = null;
  /** Portal address → whether printsync's deal user fields are known to exist there. */
  readonly userFieldsReady = new Set<string>();

  /**
   * Exports that touch the same order or client run one after the other in this process: jobs
   * with the same key may run side by side (a change made while its order's job runs gets a job
   * of its own), and two runs that both found no contact yet would each make one.
   */
  readonly locks = new KeyedLocks();

  constructor(private readonly context: IntegrationContext<Bitrix24Settings>) {}

  async settings(): Promise<SettingsVersion<Bitrix24Settings>> {
    return this.context.settings.require();
  }

  transport(saved: SettingsVersion<Bitrix24Settings>): Bitrix24Transport {
    if (this.#transport?.version === saved.version) return this.#transport.transport;
    const { settings } = saved;
    const key = `${settings.portalUrl}|${settings.requestsPerSecond}|${settings.requestBurst}`;
    let pacing = this.#pacings.get(key);
    if (!pacing) {
      pacing = new PortalPacing(this.context.rateBucket(settings.portalUrl, { perSecond: settings.requestsPerSecond, burst: settings.requestBurst }));
      this.#pacings.set(key, pacing);
    }
    const transport = new Bitrix24Transport(settings, { pacing, timeoutMs: 30_000 });
    this.#transport = { version: saved.version, transport };
    return transport;
  }
}

/** Named locks taken all at once (so two holders never wait on each other), released together. */
export class KeyedLocks {
  readonly #held = new Set<string>();
  #waiters: Array<() => void> = [];

  async run<T>(keys: readonly string[], work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    while (keys.some((key) => this.#held.has(key))) {
      signal?.throwIfAborted();
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    for (const key of keys) this.#held.add(key);
    try {
      return await work();
    } finally {
      this.release(keys);
    }
  }

  /** Takes those of `keys` nobody holds, without waiting, up to `limit`; the caller releases them. */
  tryTake(keys: readonly string[], limit = Number.POSITIVE_INFINITY): string[] {
    const taken: string[] = [];
    for (const key of keys) {
      if (taken.length >= limit) break;
      if (this.#held.has(key)) continue;
      this.#held.add(key);
      taken.push(key);
    }
    return taken;
  }

  release(keys: readonly string[]): void {
    if (keys.length === 0) return;
    for (const key of keys) this.#held.delete(key);
    for (const wake of this.#waiters.splice(0)) wake();
  }
}
