import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErpHarness } from './harness.js';
import { AXIOM, ERP_KINDS, startErpHarness } from './harness.js';
import { closedPort } from '../../support/ports.js';

interface ErrorBody {
  details: Array<{ path: string; message: string }>;
}

/** AS-1, AX-1 against the emulators: a wrong key, an unreachable host, a wrong API version are refused on their field; nothing is saved. */
describe.each(ERP_KINDS)('$product settings against its emulator', (kind) => {
  let h: ErpHarness;
  const save = (settings: Record<string, unknown>) => h.api.request<ErrorBody>('PUT', `${h.base}/settings`, { version: 0, enabled: true, settings: { ...kind.settings(h.erp), ...settings } });
  const addressField = kind.name === 'asystem' ? 'apiHost' : 'apiUrl';

  beforeAll(async () => {
    h = await startErpHarness(kind, { startWorker: false });
  });
  afterAll(() => h.close());

  it('refuses a wrong key on «API Key», without echoing it', async () => {
    const answer = await save({ apiKey: 'wrong-key-0123456789abcdef' });
    expect(answer.status).toBe(400);
    expect(answer.body.details).toEqual([{ path: 'body.settings.apiKey', message: expect.stringContaining(`${kind.product} не принял`) }]);
    expect(JSON.stringify(answer.body)).not.toContain('wrong-key-0123456789abcdef');
  });

  it('refuses an address where nothing answers on the address field', async () => {
    const port = await closedPort();
    const answer = await save({ [addressField]: `http://127.0.0.1:${port}` });
    expect(answer.status).toBe(400);
    expect(answer.body.details[0]).toMatchObject({ path: `body.settings.${addressField}`, message: expect.stringContaining('недоступен') });
  });

  it('saves what the emulator accepts', async () => {
    const answer = await save({});
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  });
});

describe('Axiom with a wrong API version', () => {
  let h: ErpHarness;
  beforeAll(async () => {
    h = await startErpHarness(AXIOM, { startWorker: false });
  });
  afterAll(() => h.close());

  it('is refused on «API URL», naming both fields to check', async () => {
    const answer = await h.api.request<ErrorBody>('PUT', `${h.base}/settings`, { version: 0, enabled: true, settings: { ...AXIOM.settings(h.erp), apiVersion: 'v2' } });
    expect(answer.status).toBe(400);
    expect(answer.body.details).toEqual([{ path: 'body.settings.apiUrl', message: expect.stringContaining('проверьте Api URL и Api Version') }]);
  });
});
