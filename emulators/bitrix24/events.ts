import qs from 'qs';

export interface EventHandler {
  /** `event_handler_id` in the payload. */
  id: number;
  url: string;
  /** Upper-case event codes this handler is subscribed to; empty means all. */
  events: string[];
}

export interface EventKnobs {
  /** Probability (0..1) that an event is never sent (the real queue loses them too). */
  dropRate: number;
  /** Delay before sending, in milliseconds. */
  delayMs: number;
  /** Probability that an event is sent twice. */
  duplicateRate: number;
  /** Hold events for `reorderWindowMs` and send each held group in reverse order. */
  reorder: boolean;
  reorderWindowMs: number;
}

export const DEFAULT_EVENT_KNOBS: EventKnobs = {
  dropRate: 0,
  delayMs: 0,
  duplicateRate: 0,
  reorder: false,
  reorderWindowMs: 50,
};

export interface EventAuth {
  domain: string;
  client_endpoint: string;
  server_endpoint: string;
  member_id: string;
  application_token: string;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'dropped';

export interface DeliveryRecord {
  seq: number;
  event: string;
  fields: Record<string, string>;
  handlerId: number;
  url: string;
  duplicate: boolean;
  status: DeliveryStatus;
  httpStatus?: number;
  error?: string;
  createdAt: string;
  sentAt?: string;
}

const LOG_LIMIT = 5000;
const SEND_TIMEOUT_MS = 10_000;

/**
 * Outgoing webhooks: after each change, a form-encoded POST to every subscribed handler. Like
 * the real queue it is fire and forget: a failed delivery is logged and never retried.
 */
export class EventDispatcher {
  private handlers: EventHandler[] = [];
  private nextHandlerId = 1;
  private seq = 0;
  private readonly log: DeliveryRecord[] = [];
  private held: DeliveryRecord[] = [];
  private holdTimer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(
    private readonly auth: EventAuth,
    public knobs: EventKnobs = { ...DEFAULT_EVENT_KNOBS },
    private readonly random: () => number = Math.random,
  ) {}

  addHandler(url: string, events: string[] = []): EventHandler {
    const handler = { id: this.nextHandlerId++, url, events: events.map((e) => e.toUpperCase()) };
    this.handlers.push(handler);
    return handler;
  }

  removeHandler(id: number): boolean {
    const before = this.handlers.length;
    this.handlers = this.handlers.filter((h) => h.id !== id);
    return this.handlers.length !== before;
  }

  listHandlers(): EventHandler[] {
    return this.handlers.map((h) => ({ ...h, events: [...h.events] }));
  }

  setKnobs(patch: Partial<EventKnobs>): EventKnobs {
    this.knobs = { ...this.knobs, ...patch };
    return this.knobs;
  }

  deliveries(): DeliveryRecord[] {
    return this.log.map((r) => ({ ...r, fields: { ...r.fields } }));
  }

  clearLog(): void {
    this.log.length = 0;
  }

  /** Number of events still waiting or on the wire. */
  pendingCount(): number {
    return this.log.filter((r) => r.status === 'pending').length;
  }

  emit(event: string, fields: Record<string, string | number>): void {
    if (this.stopped) return;
    const code = event.toUpperCase();
    const stringFields = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, String(v)]));
    for (const handler of this.handlers) {
      if (handler.events.length > 0 && !handler.events.includes(code)) continue;
      const copies = this.random() < this.knobs.duplicateRate ? 2 : 1;
      for (let i = 0; i < copies; i++) {
        const record = this.record(code, stringFields, handler, i > 0);
        if (i === 0 && this.knobs.dropRate > 0 && this.random() < this.knobs.dropRate) {
          record.status = 'dropped';
          break;
        }
        this.schedule(record);
      }
    }
  }

  private record(event: string, fields: Record<string, string>, handler: EventHandler, duplicate: boolean): DeliveryRecord {
    const record: DeliveryRecord = {
      seq: ++this.seq,
      event,
      fields,
      handlerId: handler.id,
      url: handler.url,
      duplicate,
      status: 'pending',
      createdAt: new Date().toISOString(),
    };
    this.log.push(record);
    if (this.log.length > LOG_LIMIT) this.log.splice(0, this.log.length - LOG_LIMIT);
    return record;
  }

  private schedule(record: DeliveryRecord): void {
    if (this.knobs.reorder) {
      this.held.push(record);
      this.holdTimer ??= this.later(() => {
        this.holdTimer = undefined;
        const group = this.held.reverse();
        this.held = [];
        // One after another, so the reversed order is the order the handler sees.
        void group.reduce<Promise<void>>((previous, r) => previous.then(() => this.send(r)), Promise.resolve());
      }, Math.max(this.knobs.delayMs, this.knobs.reorderWindowMs));
      return;
    }
    if (this.knobs.delayMs > 0) this.later(() => void this.send(record), this.knobs.delayMs);
    else void this.send(record);
  }

  private later(fn: () => void, delayMs: number): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, delayMs);
    this.timers.add(timer);
    return timer;
  }

  private send(record: DeliveryRecord): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const body = qs.stringify({
      event: record.event,
      event_handler_id: String(record.handlerId),
      data: { FIELDS: record.fields },
      ts: String(Math.floor(Date.now() / 1000)),
      auth: this.auth,
    });
    record.sentAt = new Date().toISOString();
    const delivery = fetch(record.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'user-agent': 'Bitrix24 Webhook Engine',
      },
      body,
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
    })
      .then(async (response) => {
        record.httpStatus = response.status;
        record.status = response.ok ? 'delivered' : 'failed';
        await response.body?.cancel();
      })
      .catch((error: unknown) => {
        record.status = 'failed';
        record.error = error instanceof Error ? error.message : String(error);
      })
      .finally(() => this.inFlight.delete(delivery));
    this.inFlight.add(delivery);
    return delivery;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.inFlight]);
  }
}
