import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser.js';
import { expectEventually } from '../support/eventually.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'printsync.js');

/** Starts `printsync …`; `waitFor` resolves with the first output line (stdout or stderr) that matches. */
function startCli(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (text) => {
      lines.push(text);
      for (const waiter of waiters.filter((w) => w.pattern.test(text))) waiter.resolve(text);
    });
  }
  const waitFor = (pattern: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const seen = lines.find((line) => pattern.test(line));
      if (seen !== undefined) return resolve(seen);
      waiters.push({ pattern, resolve });
      child.on('exit', (code) => reject(new Error(`printsync ${args.join(' ')} exited with ${code} before printing ${pattern}:\n${lines.join('\n')}`)));
    });
  return { child, waitFor };
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.on('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

describe('printsync CLI', () => {
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'printsync-cli-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(async () => {
    await Promise.all(children.splice(0).map(stop));
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('tokens create prints only the token, which `serve` accepts; serve stops cleanly on SIGTERM', async () => {
    const db = `sqlite:${join(tempDir(), 'p.db')}`;
    const created = spawnSync(process.execPath, [BIN, 'tokens', 'create', '--name', 'storefront', '--db', db], { encoding: 'utf8' });
    expect(created.status).toBe(0);
    expect(created.stdout).toMatch(/^pst_[\w-]{43}\n$/);
    const token = created.stdout.trim();

    const serve = startCli(['serve', '--port', '0'], { DATABASE_URL: db, LOG_LEVEL: 'info' });
    children.push(serve.child);
    const url = /"url":"([^"]+)"/.exec(await serve.waitFor(/printsync serving on/))![1]!;
    const ok = await fetch(`${url}/api/v1/orders`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    const refused = await fetch(`${url}/api/v1/orders`, { headers: { authorization: 'Bearer pst_not-a-token' } });
    expect(refused.status).toBe(401);
    expect(await stop(serve.child)).toBe(0);
  });

  it('serve builds a missing admin panel before it listens: right after `npm install`, / shows the login page', async () => {
    const dir = tempDir();
    const panel = join(dir, 'panel');
    const serve = startCli(['serve', '--port', '0'], { DATABASE_URL: `sqlite:${join(dir, 'p.db')}`, LOG_LEVEL: 'info', PANEL_DIR: panel });
    children.push(serve.child);
    const url = /"url":"([^"]+)"/.exec(await serve.waitFor(/printsync serving on/))![1]!;
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<div id="root">');
    // The login form is the bundle's: its labels travel in the script the page loads.
    const script = /<script[^>]+src="([^"]+)"/.exec(html)![1]!;
    const bundle = await (await fetch(new URL(script, url))).text();
    expect(bundle).toContain('Войти');
    expect(await stop(serve.child)).toBe(0);
  }, 60_000);

  it('housekeeping deletes what outlived its retention and says what, per kind', () => {
    const file = join(tempDir(), 'p.db');
    expect(spawnSync(process.execPath, [BIN, 'migrate', '--db', `sqlite:${file}`], { encoding: 'utf8' }).status).toBe(0);
    const sqlite = new BetterSqlite3(file);
    const insert = sqlite.prepare("insert into domain_events (type, entity_type, entity_id, payload, occurred_at) values ('order.updated', 'order', 1, '{}', ?)");
    insert.run(new Date(Date.now() - 91 * 86_400_000).toISOString());
    insert.run(new Date().toISOString());
    sqlite.close();
    const run = spawnSync(process.execPath, [BIN, 'housekeeping', '--db', `sqlite:${file}`], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('domain events: 1 deleted (kept 90 days)\n');
    expect(run.stdout).toContain('finished jobs: 0 deleted (kept 14 days)\n');
    const after = new BetterSqlite3(file, { readonly: true });
    expect(after.prepare('select count(*) as n from domain_events').get()).toEqual({ n: 1 });
    after.close();
  });

  it('refuses a malformed DATABASE_URL with a message naming it', () => {
    const result = spawnSync(process.execPath, [BIN, 'migrate'], { env: { ...process.env, DATABASE_URL: 'mysql://x' }, encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('DATABASE_URL');
  });

  it('demo fills a fresh database and serves it: orders through the API, the docs page, the sample shop with the widget', async () => {
    const db = `sqlite:${join(tempDir(), 'demo.db')}`;
    const demo = startCli(['demo', '--db', db, '--port', '0'], { LOG_LEVEL: 'warn' });
    children.push(demo.child);
    const token = (await demo.waitFor(/API token/)).trim().split(/\s+/).at(-1)!;
    expect(token).toMatch(/^pst_/);
    const base = /(http:\/\/127\.0\.0\.1:\d+)/.exec(await demo.waitFor(/REST API/))![1]!;
    const orders = (await (await fetch(`${base}/api/v1/orders?limit=200`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      items: Array<{ status: string; items: unknown[]; createdAt: string }>;
    };
    expect(orders.items.length).toBeGreaterThanOrEqual(30);
    // Spread over the last weeks, so date filters and the sync chart have something to show.
    expect(new Set(orders.items.map((o) => o.createdAt.slice(0, 10))).size).toBeGreaterThan(7);
    expect(new Set(orders.items.map((o) => o.status)).size).toBeGreaterThan(5);
    const products = (await (await fetch(`${base}/api/v1/products?limit=200`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      items: Array<{ name: string }>;
    };
    expect(products.items.map((p) => p.name).join(' ')).toMatch(/Визитки/);
    expect((await fetch(`${base}/docs/`)).status).toBe(200);
    // The administrator it prints can log in to the panel.
    const [login, , password] = (await demo.waitFor(/Admin login/)).trim().split(/\s+/).slice(2);
    const session = await fetch(`${base}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login, password }),
    });
    expect(session.status).toBe(200);
    // The bundled Bitrix24 emulator answers its webhook like a portal.
    const webhook = (await demo.waitFor(/inbound webhook/)).trim().split(/\s+/).at(-1)!;
    const user = (await (await fetch(`${webhook}user.current.json`)).json()) as { result: { ID: string } };
    expect(user.result.ID).toMatch(/^\d+$/);
    // The Bitrix24 form is filled with that webhook, switched on, and its connection test passes.
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const form = (await (await fetch(`${base}/api/v1/integrations/bitrix24/settings`, { headers: auth })).json()) as {
      enabled: boolean;
      settings: { portalUrl: string };
    };
    expect(form).toMatchObject({ enabled: true, settings: { portalUrl: new URL(webhook).origin } });
    const tested = await fetch(`${base}/api/v1/integrations/bitrix24/test-connection`, { method: 'POST', headers: auth, body: '{}' });
    expect(await tested.json()).toMatchObject({ ok: true });
    // …and the demo orders arrive there as deals, one each.
    const queued = Number(/(\d+) demo orders are on their way/.exec(await demo.waitFor(/on their way/))![1]);
    expect(queued).toBeGreaterThanOrEqual(30);
    await expectEventually(
      async () => {
        const deals = (await (await fetch(`${webhook}crm.deal.list.json`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ select: ['ID'] }) })).json()) as { total: number };
        expect(deals.total).toBe(queued);
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    // The way back: a manager moves a demo deal on the emulator's page, and the order follows.
    const adminUrl = (await demo.waitFor(/acting as a manager/)).trim().split(/\s+/).at(-1)!;
    const linked = async () =>
      ((await (await fetch(`${base}/api/v1/orders?limit=200`, { headers: auth })).json()) as { items: Array<{ id: number; status: string; externalIds: Record<string, Record<string, string>> }> }).items.filter(
        (o) => o.externalIds.bitrix24?.deal,
      );
    let order: { id: number; status: string; externalIds: Record<string, Record<string, string>> } | undefined;
    await expectEventually(
      async () => {
        order = (await linked()).find((o) => o.status !== 'Cancelled');
        expect(order).toBeDefined();
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    const moved = await fetch(`${adminUrl}api/deals/${order!.externalIds.bitrix24!.deal}/stage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ stageId: 'LOSE' }),
    });
    expect(moved.status).toBe(200);
    await expectEventually(
      async () => {
        const now = (await (await fetch(`${base}/api/v1/orders/${order!.id}`, { headers: auth })).json()) as { status: string };
        expect(now.status).toBe('Cancelled');
      },
      { timeoutMs: 15_000, intervalMs: 250 },
    );
    // The seeded histories lie in the past, never after now (the newest orders' steps are closer together).
    for (const { id } of (await linked()).slice(0, 10)) {
      const history = (await (await fetch(`${base}/api/v1/orders/${id}`, { headers: auth })).json()) as { statusHistory: Array<{ changedAt: string }> };
      expect(history.statusHistory.filter((step) => Date.parse(step.changedAt) > Date.now())).toEqual([]);
    }
    // A new order's print files are reported ready a few seconds after it is placed (the stand-in renderer).
    await demo.waitFor(/stand-in renderer/);
    const placed = (await (
      await fetch(`${base}/api/v1/orders`, { method: 'POST', headers: auth, body: JSON.stringify({ source: 'api', personId: 1, items: [{ name: 'Визитки', quantity: 100, unitPrice: 500 }] }) })
    ).json()) as { id: number; render: { status: string } };
    expect(placed.render.status).toBe('pending');
    await expectEventually(
      async () => {
        const now = (await (await fetch(`${base}/api/v1/orders/${placed.id}`, { headers: auth })).json()) as { render: { status: string; archiveUrl: string | null } };
        expect(now.render).toMatchObject({ status: 'ready', archiveUrl: expect.stringMatching(/^https:\/\/files\.example\.ru\/demo\//) });
      },
      { timeoutMs: 20_000, intervalMs: 500 },
    );
    // The bundled ASystem and Axiom emulators price their demo products.
    await demo.waitFor(/priced by them/);
    for (const [search, engine] of [['Визитная карточка ASystem', 'asystem'], ['Евролистовка Axiom', 'axiom']] as const) {
      const found = (await (await fetch(`${base}/api/v1/products?search=${encodeURIComponent(search)}`, { headers: auth })).json()) as { items: Array<{ id: number }> };
      const parameters = engine === 'axiom' ? { 'Вид оплаты': 'cash' } : {};
      const quote = await fetch(`${base}/api/v1/products/${found.items[0]!.id}/quote`, { method: 'POST', headers: auth, body: JSON.stringify({ quantity: 1000, parameters }) });
      expect(await quote.json()).toMatchObject({ engine, source: { engine, cached: false } });
    }
    // The sample shop: its own origin, a snippet per product pointing at printsync's widget…
    const shopUrl = (await demo.waitFor(/shop page/)).trim().split(/\s+/).at(-1)!;
    expect(new URL(shopUrl).origin).not.toBe(base);
    const shopPage = await (await fetch(shopUrl)).text();
    expect(shopPage).toContain('<html lang="ru">');
    const snippets = [...shopPage.matchAll(/<div id="(printsync-calc-[\d-]+)"><\/div>\s*<script src="([^"]+)" async data-container="([^"]+)" data-key="(pk_\w+)"/g)];
    expect(snippets.length).toBeGreaterThanOrEqual(3);
    for (const [, container, src, named] of snippets) expect([src, named]).toEqual([`${base}/widget/calculator.js`, container]);
    expect(shopPage).toContain('Визитная карточка ASystem');
    // …and in a browser the widget prices the ASystem product there and hands the page a quote id.
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.goto(shopUrl);
      const section = page.locator('section', { hasText: 'Визитная карточка ASystem' });
      await expect.poll(async () => (await section.locator('[data-role="total"]').textContent({ timeout: 15_000 })) ?? '', { timeout: 15_000 }).toMatch(/\d/);
      await section.locator('[data-role="add-to-cart"]').click();
      await expect.poll(async () => page.locator('#handover-quote').textContent(), { timeout: 10_000 }).toMatch(/^q_[a-z2-7]{24}$/);
      expect(await page.locator('#handover').isVisible()).toBe(true);
    } finally {
      await browser.close();
    }
    // The emulated 1C runs the site exchange: the demo orders come back with «Номер по 1С».
    await demo.waitFor(/login \/ password/);
    await expectEventually(
      async () => {
        const all = (await (await fetch(`${base}/api/v1/orders?limit=200`, { headers: auth })).json()) as { items: Array<{ externalIds: Record<string, Record<string, string>> }> };
        expect(all.items.filter((o) => o.externalIds.poly1c?.number).length).toBeGreaterThanOrEqual(30);
      },
      { timeoutMs: 40_000, intervalMs: 500 },
    );
  }, 120_000);
});
