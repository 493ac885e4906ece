import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBitrix24Emulator } from '../../emulators/bitrix24/server.js';
import type { Bitrix24Emulator } from '../../emulators/bitrix24/server.js';
import { appIntegrations } from '../../src/extensions.js';
import { launchBrowser } from '../support/browser.js';
import { startTestApi } from '../support/api-server.js';
import type { TestApi } from '../support/api-server.js';
import { buildPanel, logIn, openPanelPage, screenshot } from './support.js';

/**
 * The real integrations in the panel: «Выгрузка заказов» lists the four systems of this build,
 * and an administrator connects Битрикс24 to a (emulated) portal the way the seed describes.
 */
describe('admin panel: the real integrations', () => {
  let api: TestApi;
  let b24: Bitrix24Emulator;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    buildPanel();
    api = await startTestApi('sqlite', { integrations: appIntegrations() });
    b24 = await startBitrix24Emulator({ rate: false });
    await api.services.stores.users.create({ login: 'owner', password: 'correct-horse', displayName: 'Олег Владимиров', role: 'admin' });
    browser = await launchBrowser();
    page = await openPanelPage(browser);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await b24?.stop();
    await api?.close();
  });

  it('logs in and shows the four systems under «ERP и CRM системы»', async () => {
    await logIn(page, api.baseUrl, { login: 'owner', password: 'correct-horse', displayName: 'Олег Владимиров' });
    await page.getByRole('link', { name: 'Выгрузка заказов' }).click();
    await page.getByRole('heading', { name: 'ERP и CRM системы' }).waitFor();
    for (const name of ['bitrix24', 'asystem', 'axiom', 'poly1c']) await page.getByTestId(`toggle-${name}`).waitFor();
    const titles = await page.locator('[data-testid^="integration-"] .accordion-head strong').allTextContents();
    expect(titles).toEqual(['Битрикс24', 'ASystem', 'Axiom', '1С:Полиграфия']);
  });

  it('switches Битрикс24 on, fills it from the portal, saves, and «Проверить подключение» says it works', async () => {
    await page.getByTestId('toggle-bitrix24').click();
    const form = page.getByTestId('settings-bitrix24');
    const webhook = new URL(b24.webhookUrl);
    const [, userId, code] = /^\/rest\/(\d+)\/([^/]+)\/$/.exec(webhook.pathname)!;
    await form.getByLabel('URL портала:').fill(webhook.origin);
    await form.getByLabel('ID сотрудника, создавшего вебхуки:').fill(userId!);
    await form.getByLabel('Код входящего вебхука (batch):').fill(`${code}x`);
    await form.getByLabel('Токен исходящего вебхука:').fill(b24.applicationToken);
    // Both secrets are typed into password fields, the optional token too.
    expect(await form.getByLabel('Токен исходящего вебхука:').getAttribute('type')).toBe('password');
    expect(await form.getByLabel('Код входящего вебхука (batch):').getAttribute('type')).toBe('password');
    await form.getByLabel('Типы отправляемых заказов:').selectOption({ label: 'Только заказы частных лиц' });
    await form.getByLabel('Передача новых клиентов в Битрикс в качестве лидов').check();

    // A mistyped code: the portal refuses it, the field says so, nothing is stored.
    await page.getByTestId('save-bitrix24').click();
    await expect.poll(() => form.getByTestId('error-webhookCode').textContent()).toContain('Битрикс24 не принял вебхук');
    expect(await api.services.stores.settings.latest('bitrix24')).toBeNull();
    await screenshot(page, 'real-01-bitrix24-wrong-code');

    await form.getByLabel('Код входящего вебхука (batch):').fill(code!);
    await page.getByTestId('save-bitrix24').click();
    await expect.poll(() => page.getByTestId('notice-bitrix24').textContent()).toContain('Сохранено');
    const stored = await api.services.stores.settings.latest('bitrix24');
    expect(stored).toMatchObject({ enabled: true, settings: { portalUrl: webhook.origin, userId: Number(userId), webhookCode: code, orderTypes: 'persons', leadsEnabled: true } });

    await page.getByTestId('test-bitrix24').click();
    await expect.poll(() => page.getByTestId('notice-bitrix24').textContent()).toContain('Подключение работает');
    expect(await page.getByTestId('notice-bitrix24').textContent()).toContain('Иван Петров');
    // The code is shown masked, never in the page.
    expect(await page.content()).not.toContain(code);
    await screenshot(page, 'real-02-bitrix24-connected');
  });

  it('opens the ERP forms with their own fields', async () => {
    for (const name of ['asystem', 'axiom', 'poly1c']) await page.getByTestId(`toggle-${name}`).click();
    await page.getByTestId('settings-asystem').getByLabel('Api Host:').fill('192.168.1.10');
    await page.getByTestId('settings-asystem').getByLabel('Api Key:').waitFor();
    for (const label of ['Api Domain:', 'Api Key:', 'Api URL:', 'Api Version:']) await page.getByTestId('settings-axiom').getByLabel(label).waitFor();
    // Only the exchange's fields, all optional: switched on and saved as it is.
    await page.getByTestId('settings-poly1c').getByLabel('Логин для обмена с 1С:').waitFor();
    await page.getByTestId('settings-poly1c').getByLabel('Пароль для обмена с 1С:').waitFor();
    await page.getByTestId('save-poly1c').click();
    await expect.poll(() => page.getByTestId('notice-poly1c').textContent()).toContain('Сохранено');
    expect(await api.services.stores.settings.latest('poly1c')).toMatchObject({ enabled: true });
    await screenshot(page, 'real-03-erp-forms');
  });
});
