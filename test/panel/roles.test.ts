import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser.js';
import { startTestApi } from '../support/api-server.js';
import type { TestApi } from '../support/api-server.js';
import { expectEventually } from '../support/eventually.js';
import { alwaysFailingJob, buildPanel, logIn, openPanelPage, screenshot, testIntegration } from './support.js';

/**
 * The panel as a manager sees it: orders and clients to work, integration settings, dead jobs
 * and the catalog to look at but not change. Every admin-only control is hidden or disabled, so
 * no click ends in the server's 403 (the page records every 403 it gets to prove it).
 */
describe('admin panel for a manager', () => {
  let api: TestApi;
  let browser: Browser;
  let page: Page;
  let deadJobId: string;
  const refused: string[] = [];

  beforeAll(async () => {
    buildPanel();
    api = await startTestApi('sqlite', { integrations: [testIntegration] });
    await api.services.stores.users.create({ login: 'olga', password: 'correct-horse', displayName: 'Ольга Смирнова', role: 'manager' });

    // What an administrator set up before: a switched-on integration, a catalog, an order, a dead job.
    const saved = await api.request('PUT', '/api/v1/integrations/testcrm/settings', {
      version: 0,
      enabled: true,
      settings: { portalUrl: 'https://pxl.bitrix24.ru', userId: 11, webhookCode: 'a1b2c3d4e5f6g7h8', orderTypes: 'all', leads: false },
    });
    expect(saved.status).toBe(200);
    const category = await api.request<{ id: number }>('POST', '/api/v1/categories', { name: 'Визитки' });
    await api.request('POST', '/api/v1/products', {
      name: 'Визитки 90x50',
      categoryId: category.body.id,
      tiers: { mode: 'presets', presets: [{ quantity: 100, price: 59_000 }] },
    });
    const person = await api.request<{ id: number }>('POST', '/api/v1/persons', { lastName: 'Иванова', firstName: 'Анна' });
    const order = await api.request<{ id: number }>('POST', '/api/v1/orders', {
      number: 'PS-2001',
      personId: person.body.id,
      items: [{ name: 'Визитки 90x50', quantity: 100, unitPrice: 590 }],
    });
    await api.services.database.db.transaction().execute((trx) => api.services.queue.enqueue(trx, alwaysFailingJob.request({ orderId: order.body.id })));
    await api.services.queue.start({ pollIntervalMs: 20 });
    deadJobId = await expectEventually(async () => {
      const [dead] = await api.services.queue.list({ state: 'dead' });
      expect(dead).toBeDefined();
      return dead!.id;
    });
    await api.services.queue.stop();

    browser = await launchBrowser();
    page = await openPanelPage(browser);
    page.on('response', (response) => {
      if (response.status() === 403) refused.push(`${response.request().method()} ${response.url()}`);
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  it('logs in as a manager and works the orders list', async () => {
    await logIn(page, api.baseUrl, { login: 'olga', password: 'correct-horse', displayName: 'Ольга Смирнова' });
    expect(await page.getByTestId('current-role').textContent()).toBe('Менеджер');
    await page.getByTestId('orders-table').getByRole('row').filter({ hasText: 'PS-2001' }).waitFor();
    await page.getByRole('link', { name: 'PS-2001' }).click();
    await page.getByTestId('next-status').selectOption('Printing');
    await page.getByTestId('change-status').click();
    await expect.poll(() => page.getByTestId('order-status').textContent()).toBe('В печать');
  });

  it('sees the integration settings read-only, with a note saying who may change them', async () => {
    await page.getByRole('link', { name: 'Выгрузка заказов' }).click();
    const form = page.getByTestId('settings-testcrm');
    await form.getByLabel('URL портала:').waitFor();
    expect(await form.getByLabel('URL портала:').inputValue()).toBe('https://pxl.bitrix24.ru');
    expect(await form.getByLabel('URL портала:').isDisabled()).toBe(true);
    expect(await form.getByLabel('Типы отправляемых заказов:').isDisabled()).toBe(true);
    expect(await page.getByTestId('toggle-testcrm').getByRole('switch').isDisabled()).toBe(true);
    expect(await page.getByTestId('save-testcrm').count()).toBe(0);
    expect(await page.getByTestId('test-testcrm').count()).toBe(0);
    expect(await page.getByTestId('admin-only-testcrm').textContent()).toBe('Изменять настройки может только администратор');
    await form.getByText('Сохранено (значение скрыто)').waitFor();
    await screenshot(page, 'roles-01-integrations-manager');
  });

  it('sees the dead job on the health page without a replay button', async () => {
    await page.getByRole('link', { name: 'Состояние синхронизации' }).click();
    await page.getByTestId(`dead-job-${deadJobId}`).getByText('no "crm" scope').waitFor();
    expect(await page.getByTestId(`replay-${deadJobId}`).count()).toBe(0);
    expect(await page.getByTestId('replay-admin-only').textContent()).toContain('только администратор');
    await screenshot(page, 'roles-02-health-manager');
  });

  it('reads the catalog but cannot edit it', async () => {
    await page.getByRole('link', { name: 'Продукты' }).click();
    await page.getByRole('button', { name: /Визитки 90x50/ }).click();
    await page.getByLabel('Артикул:').waitFor();
    expect(await page.getByLabel('Артикул:').isDisabled()).toBe(true);
    expect(await page.getByLabel('Название:').first().isDisabled()).toBe(true);
    expect(await page.getByTestId('tiers-presets').locator('input').first().isDisabled()).toBe(true);
    expect(await page.getByTestId('save-product').isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Сохранить' }).count()).toBe(0);
    expect(await page.getByTestId('category-engine').isDisabled()).toBe(true);
    expect(await page.getByPlaceholder('Новая категория').count()).toBe(0);
    expect(await page.getByPlaceholder('Новый продукт').count()).toBe(0);
    await page.getByTestId('catalog-admin-only').getByText('Изменять каталог может только администратор').waitFor();
    await screenshot(page, 'roles-03-catalog-manager');
  });

  it('met no 403 on the way', () => {
    expect(refused).toEqual([]);
  });
});
