import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { emulatorCli, exited } from '../../support/emulator-cli.js';
import { startAsystemEmulator } from '../../../emulators/asystem/server.js';

const cli = emulatorCli();

afterEach(() => cli.killAll());

describe('printsync emulate asystem|axiom', () => {
  it('asystem prints what goes into the settings, serves the API, and stops on SIGTERM', async () => {
    const { child, line } = await cli.start('asystem', ['--api-key', 'cli-key', '--faults', 'error=1,paths=/orders']);
    expect(Object.keys(line).sort()).toEqual(['adminUrl', 'apiHost', 'apiKey']);
    expect(line).toMatchObject({ apiKey: 'cli-key', apiHost: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) });
    const ping = await fetch(`${line.apiHost!}/api/v1/ping`, { headers: { 'x-api-key': 'cli-key' } });
    expect(await ping.json()).toMatchObject({ ok: true });
    const order = await fetch(`${line.apiHost!}/api/v1/orders`, { method: 'POST', headers: { 'x-api-key': 'cli-key' }, body: '{}' });
    expect(order.status).toBe(500);
    expect((await fetch(line.adminUrl!)).status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
  });

  it('axiom prints apiUrl, apiVersion, apiDomain and apiKey, and serves HTTPS with --tls', async () => {
    const { child, line } = await cli.start('axiom', ['--tls', '--api-domain', 'tenant-7']);
    expect(Object.keys(line).sort()).toEqual(['adminUrl', 'apiDomain', 'apiKey', 'apiUrl', 'apiVersion', 'caFile']);
    expect(line).toMatchObject({ apiVersion: 'v1', apiDomain: 'tenant-7', apiUrl: expect.stringMatching(/^https:\/\//) });
    const agent = new Agent({ ca: await readFile(line.caFile!, 'utf8') });
    const body = await new Promise<string>((resolve, reject) => {
      const req = request(`${line.apiUrl!}/api/v1/ping`, { agent, headers: { 'x-api-key': line.apiKey!, 'x-api-domain': 'tenant-7' } }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.end();
    });
    expect(JSON.parse(body)).toMatchObject({ ok: true });
    agent.destroy();
    child.kill('SIGINT');
    expect(await exited(child)).toBe(0);
  });

  it('refuses a bad --faults spec with a clear message', async () => {
    await expect(cli.start('asystem', ['--faults', 'explode=1'])).rejects.toThrow(/--faults/);
  });
});

describe('--state', () => {
  it('keeps orders and template changes in a JSON file across restarts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'erp-state-'));
    const stateFile = join(dir, 'asystem.json');
    try {
      const first = await startAsystemEmulator({ stateFile, apiKey: 'k' });
      const created = await fetch(`${first.baseUrl}/orders`, {
        method: 'POST',
        headers: { 'x-api-key': 'k' },
        body: JSON.stringify({ externalId: '1042', templateId: 't-12', quantity: 100, orderParams: {} }),
      });
      expect(created.status).toBe(201);
      first.templates.remove('t-21');
      await first.stop();
      const second = await startAsystemEmulator({ stateFile, apiKey: 'k' });
      try {
        expect(second.orders.byExternalId('1042')).toMatchObject({ number: 'А-00001' });
        expect(second.templates.get('t-21')).toBeUndefined();
        const next = await fetch(`${second.baseUrl}/orders`, {
          method: 'POST',
          headers: { 'x-api-key': 'k' },
          body: JSON.stringify({ externalId: '1043', templateId: 't-12', quantity: 100, orderParams: {} }),
        });
        expect(((await next.json()) as { number: string }).number).toBe('А-00002');
      } finally {
        await second.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
