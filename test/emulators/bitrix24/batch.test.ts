import qs from 'qs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startBitrix24Emulator, type Bitrix24Emulator } from '../../../emulators/bitrix24/server.js';
import { call, result } from './helpers.js';

let emu: Bitrix24Emulator;
type Rec = Record<string, unknown>;

interface BatchResult {
  result: Rec;
  result_error: Rec;
  result_total: Rec;
  result_next: Rec;
  result_time: Rec;
}

beforeAll(async () => {
  emu = await startBitrix24Emulator({ rate: false });
});
beforeEach(() => emu.reset());
afterAll(() => emu.stop());

describe('batch', () => {
  it('runs commands in order, with $result references replaced by raw values', async () => {
    const batch = await result<BatchResult>(emu, 'batch', {
      halt: 0,
      cmd: {
        contact: 'crm.contact.add?fields[NAME]=Анна&fields[PHONE][0][VALUE]=%2B79001234567&fields[PHONE][0][VALUE_TYPE]=MOBILE',
        deal: 'crm.deal.add?fields[TITLE]=Order 12&fields[CONTACT_ID]=$result[contact]',
        list: 'crm.contact.list?filter[ID]=$result[contact]&select[]=ID&select[]=NAME',
        named: 'crm.deal.update?id=$result[deal]&fields[COMMENTS]=Contact $result[list][0][NAME] #$result[list][0][ID]',
        get: 'crm.deal.get?id=$result[deal]',
      },
    });
    expect(batch.result_error).toEqual([]);
    const contactId = batch.result.contact as number;
    expect(batch.result.deal).toEqual(expect.any(Number));
    expect(batch.result.list).toEqual([{ ID: String(contactId), NAME: 'Анна' }]);
    expect(batch.result.get).toMatchObject({ CONTACT_ID: String(contactId), COMMENTS: `Contact Анна #${contactId}` });
    expect(batch.result_total).toEqual({ list: 1 });
    expect(batch.result_next).toEqual([]);
    expect(Object.keys(batch.result_time)).toEqual(['contact', 'deal', 'list', 'named', 'get']);
    expect(batch.result_time.get).toEqual({
      start: expect.any(Number), finish: expect.any(Number), duration: expect.any(Number), processing: expect.any(Number),
      date_start: expect.any(String), date_finish: expect.any(String),
    });
  });

  it('substitutes a whole list where the value is exactly the reference', async () => {
    const batch = await result<BatchResult>(emu, 'batch', {
      cmd: {
        a: 'crm.contact.add?fields[NAME]=A',
        b: 'crm.contact.add?fields[NAME]=B',
        source: 'crm.deal.add?fields[TITLE]=Source&fields[CONTACT_IDS][]=$result[a]&fields[CONTACT_IDS][]=$result[b]',
        target: 'crm.deal.add?fields[TITLE]=Target',
        items: 'crm.deal.contact.items.get?id=$result[source]',
        copy: 'crm.deal.contact.items.set?id=$result[target]&items=$result[items]',
        check: 'crm.deal.contact.items.get?id=$result[target]',
      },
    });
    expect(batch.result_error).toEqual([]);
    expect((batch.result.check as Rec[]).map((i) => i.CONTACT_ID)).toEqual([batch.result.a, batch.result.b]);
  });

  it('leaves a reference to a missing command unresolved inside a longer string', async () => {
    const batch = await result<BatchResult>(emu, 'batch', { cmd: { deal: 'crm.deal.add?fields[TITLE]=Ref $result[nope][ID] end' } });
    expect(await result(emu, 'crm.deal.get', { id: batch.result.deal })).toMatchObject({ TITLE: 'Ref $result[nope][ID] end' });
  });

  it('accepts $next and $total, and reports them in result_next / result_total', async () => {
    const cmd: Record<string, string> = {};
    for (let i = 0; i < 49; i++) cmd[`c${i}`] = `crm.contact.add?fields[NAME]=N${i}`;
    cmd.page = 'crm.contact.list?select[]=ID';
    await result(emu, 'batch', { cmd });
    await result(emu, 'crm.contact.add', { fields: { NAME: 'N49' } });
    await result(emu, 'crm.contact.add', { fields: { NAME: 'N50' } });
    const batch = await result<BatchResult>(emu, 'batch', {
      cmd: { first: 'crm.contact.list?select[]=ID', second: 'crm.contact.list?select[]=ID&start=$next[first]', count: 'crm.deal.add?fields[TITLE]=Total $total[first]' },
    });
    expect(batch.result_next).toEqual({ first: 50 });
    expect(batch.result_total).toEqual({ first: 51, second: 51 });
    expect(batch.result.second).toHaveLength(1);
    expect(await result(emu, 'crm.deal.get', { id: batch.result.count })).toMatchObject({ TITLE: 'Total 51' });
  });

  it('collects every failure with halt=0 and stops at the first with halt=1', async () => {
    const cmd = { ok1: 'crm.deal.add?fields[TITLE]=A', bad: 'crm.deal.get?id=9999', ok2: 'crm.deal.add?fields[TITLE]=B' };
    const all = await result<BatchResult>(emu, 'batch', { halt: 0, cmd });
    expect(all.result_error).toEqual({ bad: { error: '', error_description: 'Not found' } });
    expect(Object.keys(all.result)).toEqual(['ok1', 'ok2']);
    const halted = await result<BatchResult>(emu, 'batch', { halt: 1, cmd });
    expect(Object.keys(halted.result)).toEqual(['ok1']);
    expect(Object.keys(halted.result_error)).toEqual(['bad']);
    expect(Object.keys(halted.result_time)).toEqual(['ok1', 'bad']);
  });

  it('takes cmd as a list and reads HALT/CMD in any case', async () => {
    const batch = await result<BatchResult>(emu, 'batch', { HALT: true, CMD: ['crm.deal.add?fields[TITLE]=L0', 'crm.deal.add?fields[TITLE]=L1'] });
    expect(Object.keys(batch.result)).toEqual(['0', '1']);
  });

  it('answers a list of commands with PHP lists where the keys run 0..n-1, and maps where they do not', async () => {
    const clean = await call(emu, 'batch', { cmd: ['crm.deal.add?fields[TITLE]=A', 'crm.deal.add?fields[TITLE]=B'] });
    const cleanBatch = clean.body.result as Rec;
    expect(Array.isArray(cleanBatch.result)).toBe(true);
    expect(cleanBatch.result).toEqual([expect.any(Number), expect.any(Number)]);
    expect(Array.isArray(cleanBatch.result_time)).toBe(true);
    const broken = await call(emu, 'batch', { halt: 0, cmd: ['crm.deal.get?id=999999', 'crm.deal.add?fields[TITLE]=C', 'crm.deal.get?id=999998'] });
    expect(broken.text).toContain('"result":{"1":');
    expect(broken.text).toContain('"result_error":{"0":{"error":"","error_description":"Not found"},"2":');
    const firstFails = await call(emu, 'batch', { halt: 1, cmd: ['crm.deal.get?id=999999', 'crm.deal.add?fields[TITLE]=D'] });
    expect(firstFails.text).toContain('"result":[],"result_error":[{"error":"","error_description":"Not found"}]');
  });

  it('refuses commands past the 50th and nested batches, answering 200 for the batch itself', async () => {
    const cmd: Record<string, string> = {};
    for (let i = 0; i < 52; i++) cmd[`c${i}`] = 'crm.settings.mode.get';
    const { status, body } = await call(emu, 'batch', { cmd });
    expect(status).toBe(200);
    const batch = body.result as BatchResult;
    expect(Object.keys(batch.result)).toHaveLength(50);
    expect(batch.result_error).toEqual({
      c50: { error: 'ERROR_BATCH_LENGTH_EXCEEDED', error_description: 'Max batch length exceeded' },
      c51: { error: 'ERROR_BATCH_LENGTH_EXCEEDED', error_description: 'Max batch length exceeded' },
    });
    const nested = await result<BatchResult>(emu, 'batch', { cmd: { inner: 'batch?cmd[x]=user.current' } });
    expect(nested.result_error).toEqual({ inner: { error: 'ERROR_BATCH_METHOD_NOT_ALLOWED', error_description: 'Method is not allowed for batch usage' } });
  });

  it('decodes commands built like the SDK does (qs with encoded brackets), sent as a form too', async () => {
    const command = `crm.deal.add?${qs.stringify({ fields: { TITLE: 'Encoded & safe', OPPORTUNITY: 10 } })}`;
    expect(command).toContain('fields%5BTITLE%5D');
    const response = await fetch(`${emu.webhookUrl}batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: qs.stringify({ halt: 0, cmd: { add: command } }),
    });
    const batch = ((await response.json()) as { result: BatchResult }).result;
    expect(await result(emu, 'crm.deal.get', { id: batch.result.add })).toMatchObject({ TITLE: 'Encoded & safe', OPPORTUNITY: '10.00' });
  });

  it('refuses a sub-command outside the webhook scope in result_error only', async () => {
    const userOnly = emu.addWebhook({ scopes: ['user'] });
    const batch = await result<BatchResult>(userOnly, 'batch', { cmd: { me: 'user.current', deals: 'crm.deal.list' } });
    expect(batch.result.me).toMatchObject({ ID: '1' });
    expect(batch.result_error).toMatchObject({ deals: { error: 'insufficient_scope' } });
  });
});
