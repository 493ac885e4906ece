import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { DEFAULT_SHOP_TIME_ZONE, setShopTimeZone, shopDateTime, shopDay, shopMinute } from '../../src/domain/shop-time.js';

describe('the shop clock (the shop’s time zone, whatever the server runs in)', () => {
  afterEach(() => setShopTimeZone(DEFAULT_SHOP_TIME_ZONE));

  it('reads a UTC moment as Moscow time unless told otherwise', () => {
    expect(shopDateTime('2026-12-01T11:05:09Z')).toBe('2026-12-01T14:05:09');
    expect(shopDateTime(new Date('2026-12-01T11:05:09Z'))).toBe('2026-12-01T14:05:09');
    expect(shopMinute('2026-12-01T11:05:09Z')).toBe('2026-12-01 14:05');
  });

  it('gives the day it already is at the shop when it is still yesterday in UTC', () => {
    expect(shopDay('2026-12-04T22:30:00Z')).toBe('2026-12-05');
    expect(shopDay('2026-12-04T20:59:59Z')).toBe('2026-12-04');
    expect(shopDay('2026-12-31T21:00:00Z')).toBe('2027-01-01');
  });

  it('takes any offset the moment was given with', () => {
    expect(shopDay('2026-12-05T01:00:00+09:00')).toBe('2026-12-04');
    expect(shopDateTime('2026-12-05T01:00:00+09:00')).toBe('2026-12-04T19:00:00');
  });

  it('follows SHOP_TIMEZONE: a shop in Novosibirsk has its own day', () => {
    setShopTimeZone(loadConfig({ SHOP_TIMEZONE: 'Asia/Novosibirsk' }).shopTimeZone);
    // 01:30 on the 5th in Novosibirsk (UTC+7) is still the 4th in Moscow.
    expect(shopDay('2026-12-04T18:30:00Z')).toBe('2026-12-05');
    expect(shopMinute('2026-12-04T18:30:00Z')).toBe('2026-12-05 01:30');
  });

  it('refuses a time zone it does not know, naming the variable', () => {
    expect(() => loadConfig({ SHOP_TIMEZONE: 'Europe/Atlantis' })).toThrow(
      'invalid configuration: SHOP_TIMEZONE: unknown time zone "Europe/Atlantis"; use an IANA name such as Europe/Moscow or Asia/Novosibirsk',
    );
    expect(loadConfig({}).shopTimeZone).toBe('Europe/Moscow');
  });
});
