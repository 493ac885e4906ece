import { afterEach, describe, expect, it } from 'vitest';
import { startBitrix24Emulator, type Bitrix24Emulator } from '../../../emulators/bitrix24/server.js';
import { expectEventually } from '../../support/eventually.js';
import { admin, call, result } from './helpers.js';

let emu: Bitrix24Emulator | undefined;
afterEach(async () => {
  await emu?.stop();
  emu = undefined;
});

describe('rate limit', () => {
  it('lets a burst of 50 through, refuses the 51st with 503 QUERY_LIMIT_EXCEEDED, then drains', async () => {
    // A slow drain keeps the count exact however long the burst takes on a busy machine.
    emu = await startBitrix24Emulator({ rate: { drainPerSecond: 0.01, burst: 50 } });
    const statuses = await Promise.all(Array.from({ length: 60 }, () => call(emu!, 'crm.settings.mode.get').then((r) => r.status)));
    expect(statuses.filter((s) => s === 200)).toHaveLength(50);
    expect(statuses.filter((s) => s === 503)).toHaveLength(10);
    const refused = await call(emu, 'crm.settings.mode.get');
    expect(refused).toMatchObject({ status: 503, body: { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' } });
    emu.limits.rate.settings = { ...emu.limits.rate.settings, drainPerSecond: 20 };
    await expectEventually(async () => expect((await call(emu!, 'crm.settings.mode.get')).status).toBe(200), { timeoutMs: 2_000 });
  });

  it('counts a whole batch as one request', async () => {
    emu = await startBitrix24Emulator({ rate: { drainPerSecond: 0.001, burst: 2 } });
    const cmd = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`c${i}`, 'crm.settings.mode.get']));
    expect((await call(emu, 'batch', { cmd })).status).toBe(200);
    expect((await call(emu, 'batch', { cmd })).status).toBe(200);
    expect((await call(emu, 'batch', { cmd })).status).toBe(503);
  });
});

describe('operating-time limit', () => {
  it('blocks only the exhausted method with 429 until its window passes', async () => {
    emu = await startBitrix24Emulator({ rate: false, operating: { limitSeconds: 0, windowSeconds: 2 } });
    const first = await call(emu, 'crm.deal.list');
    expect(first.status).toBe(200);
    const time = first.body.time as Record<string, number>;
    expect(time.operating).toBeGreaterThan(0);
    expect(time.operating_reset_at).toBeGreaterThanOrEqual(Math.floor(time.start ?? 0));
    expect(await call(emu, 'crm.deal.list')).toMatchObject({ status: 429, body: { error: 'OPERATION_TIME_LIMIT' } });
    expect((await call(emu, 'crm.contact.list')).status).toBe(200);
    const batch = await result<{ result_error: Record<string, { error: string }> }>(emu, 'batch', { cmd: { d: 'crm.deal.list' } });
    expect(batch.result_error.d?.error).toBe('OPERATION_TIME_LIMIT');
    await expectEventually(async () => expect((await call(emu!, 'crm.deal.list')).status).toBe(200), { timeoutMs: 5_000, intervalMs: 100 });
  });

  it('can be tuned at run time through the admin API', async () => {
    emu = await startBitrix24Emulator({ rate: false });
    await call(emu, 'crm.lead.list');
    expect((await call(emu, 'crm.lead.list')).status).toBe(200);
    await admin(emu, 'POST', '/limits', { operating: { limitSeconds: 0, windowSeconds: 60 } });
    expect((await call(emu, 'crm.lead.list')).status).toBe(429);
    await admin(emu, 'POST', '/limits', { operating: { enabled: false } });
    expect((await call(emu, 'crm.lead.list')).status).toBe(200);
  });
});

describe('faults', () => {
  it('answers 500 INTERNAL_SERVER_ERROR without running the method', async () => {
    emu = await startBitrix24Emulator({ rate: false, faults: 'error=1,methods=crm.deal.add' });
    expect(await call(emu, 'crm.deal.add', { fields: { TITLE: 'never' } })).toMatchObject({ status: 500, body: { error: 'INTERNAL_SERVER_ERROR' } });
    expect(await result(emu, 'crm.deal.list')).toEqual([]);
  });

  it('commits, then drops the connection: the client sees a network error, the write is there', async () => {
    emu = await startBitrix24Emulator({ rate: false });
    await admin(emu, 'POST', '/faults/arm', { kind: 'drop', method: 'crm.deal.add' });
    await expect(call(emu, 'crm.deal.add', { fields: { TITLE: 'ghost' } })).rejects.toThrow();
    const deals = await result<{ TITLE: string }[]>(emu, 'crm.deal.list', { select: ['TITLE'] });
    expect(deals.map((d) => d.TITLE)).toEqual(['ghost']);
  });

  it('answers late when slow, and can be switched off at run time', async () => {
    emu = await startBitrix24Emulator({ rate: false });
    await admin(emu, 'POST', '/faults', { slowRate: 1, slowDelayMs: 600 });
    const started = Date.now();
    const slow = await call(emu, 'user.current');
    expect(slow.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(590);
    expect((slow.body.time as { processing: number }).processing).toBeGreaterThanOrEqual(0.59);
    await admin(emu, 'DELETE', '/faults');
    const quick = Date.now();
    await call(emu, 'user.current');
    expect(Date.now() - quick).toBeLessThan(500);
  });
});
