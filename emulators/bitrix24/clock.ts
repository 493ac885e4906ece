/** Dates as the portal writes them: ISO 8601 in the portal's own offset, never `Z`. */
export class PortalClock {
  constructor(readonly offsetMinutes: number) {}

  iso(ms: number): string {
    const shifted = new Date(ms + this.offsetMinutes * 60_000);
    const base = shifted.toISOString().slice(0, 19);
    return base + this.offsetSuffix();
  }

  /** Date-only fields come back as local midnight of that day. */
  isoDate(ms: number): string {
    return this.iso(this.localMidnight(ms));
  }

  localMidnight(ms: number): number {
    const offsetMs = this.offsetMinutes * 60_000;
    const local = ms + offsetMs;
    return local - (((local % 86_400_000) + 86_400_000) % 86_400_000) - offsetMs;
  }

  /**
   * Reads a date the way strtotime would for the formats clients send: ISO 8601 (with or
   * without offset), `YYYY-MM-DD`, and the portal's `DD.MM.YYYY[ HH:MM[:SS]]`. A value without
   * an offset is portal-local time. Returns undefined when unreadable.
   */
  parse(value: unknown): number | undefined {
    if (typeof value === 'number' && Number.isFinite(value)) return value * 1000;
    if (typeof value !== 'string') return undefined;
    const text = value.trim();
    if (text === '') return undefined;
    const ru = /^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(text);
    if (ru) {
      const [, d, m, y, hh = '0', mm = '0', ss = '0'] = ru;
      return Date.UTC(+y!, +m! - 1, +d!, +hh, +mm, +ss) - this.offsetMinutes * 60_000;
    }
    const iso = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(text);
    if (!iso) return undefined;
    const [, y, m, d, hh = '0', mm = '0', ss = '0', zone] = iso;
    const asUtc = Date.UTC(+y!, +m! - 1, +d!, +hh, +mm, +ss);
    if (Number.isNaN(asUtc)) return undefined;
    if (zone === undefined) return asUtc - this.offsetMinutes * 60_000;
    if (zone.toUpperCase() === 'Z') return asUtc;
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2));
    return asUtc - sign * minutes * 60_000;
  }

  private offsetSuffix(): string {
    const sign = this.offsetMinutes < 0 ? '-' : '+';
    const abs = Math.abs(this.offsetMinutes);
    return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  }
}

/** Now, at the one-second precision the portal's database keeps (so `>DATE_MODIFY` filters behave). */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000) * 1000;
}
