import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'node:https';
import { afterEach, describe, expect, it } from 'vitest';
import { emulatorCli, exited } from '../../support/emulator-cli.js';
import { startBitrix24Emulator } from '../../../emulators/bitrix24/server.js';
import { expectEventually } from '../../support/eventually.js';
import { result } from './helpers.js';

const cli = emulatorCli();

afterEach(() => cli.killAll());

describe('printsync emulate bitrix24', () => {
  it('prints one JSON line, serves the portal, and stops on SIGTERM', async () => {
    const { child, line } = await cli.start('bitrix24', ['--webhook-code', 'clitestcode', '--rate', '0']);
    expect(Object.keys(line).sort()).toEqual(['adminUrl', 'applicationToken', 'webhookUrl']);
    expect(line.webhookUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/rest\/1\/clitestcode\/$/);
    expect(await result(line.webhookUrl!, 'crm.settings.mode.get')).toBe(1);
    expect((await fetch(line.adminUrl!)).status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
  });

  it('serves HTTPS with --tls and prints the certificate file to trust', async () => {
    const { child, line } = await cli.start('bitrix24', ['--tls']);
    expect(line.webhookUrl).toMatch(/^https:\/\//);
    const ca = await readFile(line.caFile!, 'utf8');
    const agent = new Agent({ ca });
    const body = await new Promise<string>((resolve, reject) => {
      const req = request(`${line.webhookUrl!}user.current`, { agent }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.end();
    });
    expect(JSON.parse(body)).toMatchObject({ result: { ID: '1' } });
    agent.destroy();
    child.kill('SIGINT');
    expect(await exited(child)).toBe(0);
  });

  it('refuses a bad flag with a clear message', async () => {
    await expect(cli.start('bitrix24', ['--auth-status', '418'])).rejects.toThrow(/--auth-status/);
  });
});

describe('--state', () => {
  it('keeps the portal data in a JSON file across restarts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'b24-state-'));
    const stateFile = join(dir, 'portal.json');
    try {
      const first = await startBitrix24Emulator({ stateFile, rate: false, webhookCode: 'samecode' });
      const id = await result<number>(first, 'crm.deal.add', { fields: { TITLE: 'Persisted' } });
      await first.stop();
      const second = await startBitrix24Emulator({ stateFile, rate: false, webhookCode: 'samecode' });
      try {
        expect(await result(second, 'crm.deal.get', { id })).toMatchObject({ TITLE: 'Persisted' });
        expect(await result(second, 'crm.deal.add', { fields: { TITLE: 'Next' } })).toBe(id + 1);
        await expectEventually(async () => expect(await readFile(stateFile, 'utf8')).toContain('"Next"'));
      } finally {
        await second.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
