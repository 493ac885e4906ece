import { describe, expect, it } from 'vitest';
import { moscowDateTime, moscowDay, moscowMinute } from '../../src/domain/shop-time.js';

describe('the shop clock (Moscow time, whatever the server runs in)', () => {
  it('reads a UTC moment as Moscow time', () => {
    expect(moscowDateTime('2026-12-01T11:05:09Z')).toBe('2026-12-01T14:05:09');
    expect(moscowDateTime(new Date('2026-12-01T11:05:09Z'))).toBe('2026-12-01T14:05:09');
    expect(moscowMinute('2026-12-01T11:05:09Z')).toBe('2026-12-01 14:05');
  });

  it('gives the day it already is in Moscow when it is still yesterday in UTC', () => {
    expect(moscowDay('2026-12-04T22:30:00Z')).toBe('2026-12-05');
    expect(moscowDay('2026-12-04T20:59:59Z')).toBe('2026-12-04');
    expect(moscowDay('2026-12-31T21:00:00Z')).toBe('2027-01-01');
  });

  it('takes any offset the moment was given with', () => {
    expect(moscowDay('2026-12-05T01:00:00+09:00')).toBe('2026-12-04');
    expect(moscowDateTime('2026-12-05T01:00:00+09:00')).toBe('2026-12-04T19:00:00');
  });
});
