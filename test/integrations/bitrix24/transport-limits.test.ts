import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBitrix24Emulator } from '../../../emulators/bitrix24/server.js';
import type { Bitrix24Emulator } from '../../../emulators/bitrix24/server.js';
import { Bitrix24Error, Bitrix24Transport } from '../../../src/integrations/bitrix24/transport/client.js';
import { PortalPacing } from '../../../src/integrations/bitrix24/transport/pacing.js';
import { parseOutboundPolicy, setOutboundPolicy } from '../../../src/platform/outbound-policy.js';
import { SharedRateBucket } from '../../../src/store/rate-bucket.js';
import { portalCall, webhookFields } from '../../support/bitrix24-portal.js';
import { openTestDatabase, TEST_DIALECTS } from '../../support/databases.js';
import type { Harness } from './harness.js';
import { startHarness } from './harness.js';

/**
 * The Bitrix24 transport against the emulator: batches with `$result` references and
 * per-command errors, the portal's rate limit (kept by a bucket in the database, so two
 * processes — here two database handles — stay under it together), the operating-time budget,
 * and which failures are repeated.
 */
describe('Bitrix24 transport: batch', () => {
  let b24: Bitrix24Emulator;
  let transport: Bitrix24Transport;

  beforeAll(async () => {
    setOutboundPolicy(parseOutboundPolicy('1'));
    b24 = await startBitrix24Emulator({ rate: false });
    transport = new Bitrix24Transport(webhookFields(b24.webhookUrl), { readRetryDelayMs: 10 });
  });
  afterAll(async () => b24?.stop());
  afterEach(() => b24.faults.clear());

  it('runs 50 commands in one request; a later one uses an earlier one’s id; a failing one does not stop the rest', async () => {
    const commands = [
      { name: 'contact', method: 'crm.contact.add', params: { fields: { NAME: 'Ольга', PHONE: [{ VALUE: '+79001112233', VALUE_TYPE: 'MOBILE' }] } } },
      { name: 'deal', method: 'crm.deal.add', params: { fields: { TITLE: 'Заказ №1 & «кавычки» = 100%', CONTACT_ID: '$result[contact]' } } },
      { name: 'broken', method: 'crm.deal.get', params: { id: 999_999 } },
      ...Array.from({ length: 47 }, (_, i) => ({ name: `c${i}`, method: 'crm.timeline.comment.add', params: { fields: { ENTITY_TYPE: 'deal', ENTITY_ID: '$result[deal]', COMMENT: `№${i} 🙂` } } })),
    ];
    const answer = await transport.batch(commands);
    expect(answer.errors.size).toBe(1);
    expect(answer.errors.get('broken')).toBeInstanceOf(Bitrix24Error);
    const dealId = answer.results.get('deal');
    const deal = (await transport.call<{ TITLE: string; CONTACT_ID: string }>('crm.deal.get', { id: dealId })).result;
    expect(deal.TITLE).toBe('Заказ №1 & «кавычки» = 100%');
    expect(deal.CONTACT_ID).toBe(String(answer.results.get('contact')));
    const comments = await transport.call<unknown[]>('crm.timeline.comment.list', { filter: { ENTITY_TYPE: 'deal', ENTITY_ID: dealId } });
    expect(comments.total ?? comments.result.length).toBe(47);
    await expect(transport.batch(Array.from({ length: 51 }, (_, i) => ({ name: `x${i}`, method: 'scope', params: {} })))).rejects.toThrow(/at most 50/);
  });

  it('repeats a read after a 500, never a write (the export looks the write up by ORIGIN_ID instead)', async () => {
    b24.faults.arm('error', { method: 'crm.deal.list', count: 1 });
    await expect(transport.call('crm.deal.list', { select: ['ID'] })).resolves.toHaveProperty('result');
    b24.faults.arm('error', { method: 'crm.deal.add', count: 1 });
    const before = (await transport.call<unknown[]>('crm.deal.list', { select: ['ID'] })).total;
    await expect(transport.call('crm.deal.add', { fields: { TITLE: 'once' } })).rejects.toMatchObject({ kind: 'server' });
    expect((await transport.call<unknown[]>('crm.deal.list', { select: ['ID'] })).total).toBe(before);
  });
});

describe.each(TEST_DIALECTS)('Bitrix24 transport: the portal’s limits, bucket on %s', (dialect) => {
  let b24: Bitrix24Emulator;
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  let second: Awaited<ReturnType<typeof openTestDatabase>>['handle'] | null = null;

  beforeAll(async () => {
    setOutboundPolicy(parseOutboundPolicy('1'));
    b24 = await startBitrix24Emulator({ rate: { drainPerSecond: 10, burst: 8 }, operating: false });
    database = await openTestDatabase(dialect);
  });
  afterAll(async () => {
    await second?.close();
    await database?.close();
    await b24?.stop();
  });

  it('two processes sharing one bucket stay under the portal’s rate together: no request is refused', async () => {
    const { openDatabase } = await import('../../../src/db/connection.js');
    second = openDatabase(database.url);
    b24.limits.rate.reset();
    const limit = { perSecond: 10, burst: 8 };
    const transports = [database.handle.db, second.db].map(
      (db) => new Bitrix24Transport(webhookFields(b24.webhookUrl), { pacing: new PortalPacing(new SharedRateBucket(db, 'portal', limit)), rateRetries: 0 }),
    );
    const started = Date.now();
    // 40 calls, 20 from each "process", all at once: without the shared bucket most would be refused.
    const results = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => transports[i % 2]!.call('scope')));
    expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
    // The bucket spaced them out: the 32 beyond the burst took at least 32 / 10 s (minus the margin it keeps).
    expect(Date.now() - started).toBeGreaterThan(2_500);
  });

  it('a portal that refuses for its rate anyway (another program on this address) fills the bucket; the request is sent again and succeeds', async () => {
    b24.limits.rate.reset();
    // This bucket believes the portal allows far more than it does.
    const bucket = new SharedRateBucket(database.handle.db, 'optimist', { perSecond: 1_000, burst: 1_000 });
    const transport = new Bitrix24Transport(webhookFields(b24.webhookUrl), { pacing: new PortalPacing(bucket), rateRetries: 20 });
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => transport.call('scope')));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    // A refusal fills the bucket: whoever reserves next (any process) waits for it to drain.
    const slow = new SharedRateBucket(database.handle.db, 'slow', { perSecond: 1, burst: 5 });
    expect(await slow.reserve()).toBe(0);
    await slow.markFull();
    expect(await slow.reserve()).toBeGreaterThan(500);
  });
});

describe('Bitrix24 transport: operating-time budget', () => {
  let b24: Bitrix24Emulator;

  beforeAll(async () => {
    setOutboundPolicy(parseOutboundPolicy('1'));
    b24 = await startBitrix24Emulator({ rate: false, operating: { limitSeconds: 0.000001, windowSeconds: 60 } });
  });
  afterAll(async () => b24?.stop());

  it('a method refused with OPERATION_TIME_LIMIT is not called again before its budget frees; other methods go on', async () => {
    const pacing = new PortalPacing(null);
    const transport = new Bitrix24Transport(webhookFields(b24.webhookUrl), { pacing });
    await transport.call('crm.deal.list', { select: ['ID'] });
    const refused = await transport.call('crm.deal.list', { select: ['ID'] }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ kind: 'limit', code: 'OPERATION_TIME_LIMIT' });
    expect((refused as Bitrix24Error).retryable).toBe(true);
    expect((refused as Bitrix24Error).retryAfterMs).toBeGreaterThan(0);
    // Now it is not even sent: the error comes from our side, saying when to come back.
    const requestsBefore = b24.state.store.all('deal').length;
    const held = await transport.call('crm.deal.list', { select: ['ID'] }).catch((error: unknown) => error);
    expect(held).toMatchObject({ kind: 'limit', code: 'OPERATION_TIME_LIMIT' });
    expect(String((held as Error).message)).toMatch(/продолжим через \d+ с/);
    expect(pacing.blocked().has('crm.deal.list')).toBe(true);
    expect(b24.state.store.all('deal').length).toBe(requestsBefore);
    await expect(transport.call('crm.contact.list', { select: ['ID'] })).resolves.toHaveProperty('result');
  });
});

describe('Bitrix24 settings checks share the portal’s budget with the export', () => {
  let h: Harness;

  beforeAll(async () => {
    // A small portal budget: a dozen new orders spend it at once.
    h = await startHarness({ emulator: { rate: { drainPerSecond: 2, burst: 6 } }, settings: { requestsPerSecond: 2, requestBurst: 6 } });
    await h.connect();
  });
  afterAll(async () => h?.close());

  it('«Проверить подключение» while orders are being exported waits for its turn instead of being refused for the rate', async () => {
    const person = await h.person({ firstName: 'Ольга', phones: ['+79001112233'] });
    for (let i = 0; i < 12; i++) await h.order({ personId: person });
    // The exports have taken the portal's burst: an unpaced request now would get QUERY_LIMIT_EXCEEDED.
    const tested = await h.api.request<{ ok: boolean; message: string }>('POST', '/api/v1/integrations/bitrix24/test-connection', {});
    expect(tested.body, tested.body.message).toMatchObject({ ok: true });
    expect(h.b24.limits.rate.counts.refused).toBe(0);
  });
});

describe('a settings form claiming limits the portal does not have', () => {
  let h: Harness;

  beforeAll(async () => {
    // A standard portal (2 per second, 50 at once), saved as such.
    h = await startHarness({ emulator: { rate: { drainPerSecond: 2, burst: 50 } } });
    await h.connect();
  });
  afterAll(async () => h?.close());

  it('«Проверить подключение» with «Энтерпрайз» limits on a spent portal does not hold the export back for minutes', async () => {
    // Another program on this address has spent the portal's budget: the check is refused at first.
    await Promise.allSettled(Array.from({ length: 60 }, () => portalCall(h.b24, 'scope')));
    const draft = { ...webhookFields(h.b24.webhookUrl), requestsPerSecond: 5, requestBurst: 250 };
    const tested = await h.api.request<{ ok: boolean; message: string }>('POST', '/api/v1/integrations/bitrix24/test-connection', { settings: draft });
    expect(tested.body, tested.body.message).toMatchObject({ ok: true });
    // The export, pacing itself by the saved limits, gets its next slot within a second or two:
    // the refused check filled the shared bucket as the standard plan, not as 250 at once.
    const exportBucket = new SharedRateBucket(h.api.services.database.db, `bitrix24:${draft.portalUrl}`, { perSecond: 2, burst: 50 });
    expect(await exportBucket.reserve()).toBeLessThan(3_000);
  });
});
