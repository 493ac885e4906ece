import { describe, expect, it } from 'vitest';
import { defineJob, JobCatalog, UnknownJobError } from '../../src/jobs/index.js';

describe('job catalog', () => {
  const exportOrder = defineJob<{ orderId: number }>({ name: 'bitrix24.exportOrder', maxAttempts: 8, handler: async () => {} });

  it('builds typed requests and carries the retry budget', () => {
    expect(exportOrder.request({ orderId: 42 }, { key: 'order:42' })).toEqual({ name: 'bitrix24.exportOrder', payload: { orderId: 42 }, key: 'order:42' });
    expect(exportOrder.retry.maxAttempts).toBe(8);
    expect(exportOrder.leaseMs).toBe(60_000);
  });

  it('fails clearly on unknown, duplicate or malformed names', () => {
    const catalog = new JobCatalog([exportOrder]);
    expect(catalog.require('bitrix24.exportOrder')).toBe(exportOrder);
    expect(() => catalog.require('asystem.sendOrder')).toThrow(UnknownJobError);
    expect(() => catalog.require('asystem.sendOrder')).toThrow(/unknown job "asystem.sendOrder"; defined jobs: bitrix24.exportOrder/);
    expect(() => catalog.add(exportOrder)).toThrow(/defined twice/);
    expect(() => defineJob({ name: 'Bad Name', handler: async () => {} })).toThrow(/dotted lowerCamel/);
    expect(() => defineJob({ name: 'a.b', leaseMs: 10, handler: async () => {} })).toThrow(/leaseMs/);
  });
});
