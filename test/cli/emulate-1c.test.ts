import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExchangeHarness } from '../integrations/poly1c/exchange-harness.js';
import { LOGIN, PASSWORD, startExchangeHarness } from '../integrations/poly1c/exchange-harness.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'printsync.js');

/** `printsync emulate 1c-exchange`: the emulated 1C as a command, against a real printsync. */
describe('printsync emulate 1c-exchange', () => {
  let h: ExchangeHarness;

  beforeAll(async () => {
    h = await startExchangeHarness();
    await h.configure();
  });
  afterAll(() => h.close());

  // Asynchronous: the printsync it talks to runs in this very process.
  const run = async (args: string[]) => {
    const child = spawn(process.execPath, [BIN, 'emulate', '1c-exchange', '--url', h.exchangeUrl, '--once', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, stderr).toBe(0);
    return JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
  };

  it('takes the orders due, confirms them and sends a status back', async () => {
    const order = await h.order();
    await h.due(order.id);
    const line = await run(['--login', LOGIN, '--password', PASSWORD, '--status', 'Выполнен', '--paid', '--encoding', 'windows-1251']);
    expect(line).toMatchObject({ checkauth: 'success printsync_1c', acknowledged: true, statuses: 'success' });
    expect(line.orders).toEqual([expect.objectContaining({ site: order.number, number: expect.stringMatching(/^ПЛ-\d{6}$/) })]);
    const after = await h.getOrder(order.id);
    expect(after.status).toBe('Printed');
    expect(after.payment.status).toBe('paid');
  });

  it('says why a wrong password fails', async () => {
    const line = await run(['--login', LOGIN, '--password', 'wrong']);
    expect(line).toMatchObject({ checkauth: 'failure Неверный логин или пароль для обмена с сайтом', orders: [], acknowledged: false });
  });
});
