import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob, JobCatalog, UnknownJobError } from '../../src/jobs/index.js';

describe('job catalog', () => {
  const exportOrder = defineJob({ name: 'bitrix24.exportOrder', payload: z.object({ orderId: z.number().int() }), maxAttempts: 8, handler: async () => {} });

  it('builds typed requests and carries the retry budget', () => {
    expect(exportOrder.request({ orderId: 42 }, { key: 'order:42' })).toEqual({ name: 'bitrix24.exportOrder', payload: { orderId: 42 }, key: 'order:42' });
    expect(exportOrder.retry.maxAttempts).toBe(8);
    expect(exportOrder.leaseMs).toBe(60_000);
    expect(exportOrder.maxRunMs).toBe(300_000);
  });

  it('fails clearly on unknown, duplicate or malformed names', () => {
    const catalog = new JobCatalog([exportOrder]);
    expect(catalog.require('bitrix24.exportOrder')).toBe(exportOrder);
    expect(() => catalog.require('asystem.sendOrder')).toThrow(UnknownJobError);
    expect(() => catalog.require('asystem.sendOrder')).toThrow(/unknown job "asystem.sendOrder"; defined jobs: bitrix24.exportOrder/);
    expect(() => catalog.add(exportOrder)).toThrow(/defined twice/);
    expect(() => defineJob({ name: 'Bad Name', payload: z.object({}), handler: async () => {} })).toThrow(/dotted lowerCamel/);
    expect(() => defineJob({ name: 'a.b', payload: z.object({}), leaseMs: 10, handler: async () => {} })).toThrow(/leaseMs/);
    expect(() => defineJob({ name: 'a.b', payload: z.object({}), maxRunMs: 0, handler: async () => {} })).toThrow(/maxRunMs/);
    // A job without a payload schema is a mistake of its author, caught when the module loads.
    expect(() => defineJob({ name: 'a.b', handler: async () => {} } as never)).toThrow(/payload must be a zod schema/);
  });
});
