import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAsystemEmulator } from '../../emulators/asystem/server.js';
import type { AsystemEmulator } from '../../emulators/asystem/server.js';
import { asystem } from '../../src/integrations/asystem/index.js';
import { launchBrowser } from '../support/browser.js';
import { startTestApi } from '../support/api-server.js';
import type { TestApi } from '../support/api-server.js';
import { buildPanel, logIn, openPanelPage, screenshot } from './support.js';

/**
 * ASystem in the panel, against its emulator over HTTP: the settings button that fills the
 * manager's and counterparty's ids, the template block on the product card (sync, choose,
 * site labels, the JSON, a template removed in ASystem), the calculator priced by ASystem, and
 * the order card's «Отправить в ASystem». The panel draws all of it from the server's descriptions.
 */
describe('admin panel: ASystem templates, calculator and order card', () => {
  let api: TestApi;
  let erp: AsystemEmulator;
  let browser: Browser;
  let page: Page;
  let categoryId: number;
  let productId: number;

  beforeAll(async () => {
    buildPanel();
    erp = await startAsystemEmulator();
    api = await startTestApi('sqlite', { integrations: [asystem], startWorker: true });
    await api.services.stores.users.create({ login: 'owner', password: 'correct-horse', displayName: 'Олег Владимиров', role: 'admin' });
    const category = await api.request<{ id: number }>('POST', '/api/v1/categories', { name: 'Визитки', calculatorEngine: 'asystem', calculatorPrimary: true });
    categoryId = category.body.id;
    const product = await api.request<{ id: number }>('POST', '/api/v1/products', {
      name: 'Визитки 90x50',
      categoryId,
      tiers: { mode: 'presets', presets: [{ quantity: 100, price: 0 }] },
    });
    productId = product.body.id;
    browser = await launchBrowser();
    page = await openPanelPage(browser);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await api?.close();
    await erp?.stop();
  });

  it('fills the ids from ASystem into the unsaved form with «Получить идентификаторы из ASystem», then saves them', async () => {
    await logIn(page, api.baseUrl, { login: 'owner', password: 'correct-horse', displayName: 'Олег Владимиров' });
    await page.getByRole('link', { name: 'Выгрузка заказов' }).click();
    await page.getByTestId('toggle-asystem').click();
    const form = page.getByTestId('settings-asystem');
    await form.getByLabel('API Host:').fill(erp.url);
    await form.getByLabel('API Key:').fill(erp.apiKey);
    const button = form.getByRole('button', { name: 'Получить идентификаторы из ASystem' });
    // Next to «Проверить подключение».
    expect(await form.locator('.form-actions button').allTextContents()).toEqual(['Сохранить', 'Проверить подключение', 'Получить идентификаторы из ASystem']);
    await button.click();
    await expect.poll(() => form.getByLabel('Идентификатор менеджера:').inputValue()).toBe('17');
    expect(await form.getByLabel('Идентификатор контрагента:').inputValue()).toBe('2045');
    expect(await page.getByTestId('notice-asystem').textContent()).toContain('Сохраните настройки');
    // Filled, not saved: the admin saves.
    expect(await api.services.stores.settings.latest('asystem')).toBeNull();
    expect(erp.received({ path: '/integration/identity' }).length).toBeGreaterThan(0);
    await screenshot(page, 'erp-01-identity-filled');

    await page.getByTestId('save-asystem').click();
    await expect.poll(() => page.getByTestId('notice-asystem').textContent()).toContain('Сохранено');
    expect(await api.services.stores.settings.latest('asystem')).toMatchObject({ enabled: true, settings: { apiHost: erp.url, managerId: '17', counterpartyId: '2045' } });
  });

  it('says why the button could not fill anything, in the error style', async () => {
    const form = page.getByTestId('settings-asystem');
    await form.getByLabel('API Key:').fill('wrong-key');
    await form.getByRole('button', { name: 'Получить идентификаторы из ASystem' }).click();
    await expect.poll(() => page.getByTestId('notice-asystem').textContent()).toContain('Не получилось');
    expect(await page.getByTestId('notice-asystem').locator('xpath=..').getAttribute('class')).toContain('alert-warning');
    // The ids already in the form stay.
    expect(await form.getByLabel('Идентификатор менеджера:').inputValue()).toBe('17');
  });

  it('syncs the templates on the product card, binds «Визитная карточка» and keeps a site label', async () => {
    await page.goto(`${api.baseUrl}/print/products?category=${categoryId}&product=${productId}`);
    const block = page.getByTestId('template-block-asystem');
    await block.getByRole('heading', { name: /Выбор шаблона ASystem/ }).waitFor();
    // The help text says the ERP's API is assumed.
    expect(await block.locator('.template-help').textContent()).toContain('по предполагаемому контракту');
    const sync = block.getByRole('button', { name: '(синхронизировать шаблоны с сервером ASystem)' });
    await sync.click();
    await expect.poll(() => block.getByTestId('template-notice-asystem').textContent()).toMatch(/Шаблонов в ASystem: 5/);
    const select = block.getByLabel('Шаблон:');
    await expect.poll(() => select.locator('option').allTextContents()).toEqual(expect.arrayContaining(['Не выбран', 'Визитная карточка', 'Евролистовка (флаер) 4+0']));
    await select.selectOption({ label: 'Визитная карточка' });
    await block.getByTestId('template-save-asystem').click();
    await expect.poll(() => block.getByTestId('template-notice-asystem').textContent()).toContain('Товар связан с шаблоном ASystem');
    // The calculator below prices the product by its new template at once.
    await expect.poll(async () => (await page.getByTestId('calc-total').textContent())?.replace(/\s/g, ' ')).toBe('610,00 руб.');

    // The parameter tables of the saved template: order, details and operations, each with its seed title.
    const order = block.getByTestId('template-table-asystem-order');
    await order.getByRole('heading', { name: 'Параметры заказа шаблона ASystem' }).waitFor();
    expect(await order.locator('th').allTextContents()).toEqual(['Название параметра в ASystem', 'Название параметра на сайте']);
    await block.getByTestId('template-table-asystem-detail').getByRole('heading', { name: 'Параметры деталей шаблона ASystem' }).waitFor();
    const operations = block.getByTestId('template-table-asystem-operation');
    await operations.getByRole('heading', { name: 'Параметры операций шаблона ASystem' }).waitFor();
    await operations.getByRole('cell', { name: 'Упаковка – Изделий в упаковке' }).waitFor();

    await block.getByLabel('Название параметра на сайте: Бумага').fill('Бумага для визиток');
    await block.getByTestId('template-save-asystem').click();
    await expect.poll(async () => (await api.request<{ parameters: Array<{ sourceName: string; siteLabel: string }> }>('GET', `/api/v1/integrations/asystem/products/${productId}/template`)).body.parameters.find((p) => p.sourceName === 'Бумага')?.siteLabel).toBe('Бумага для визиток');
    await screenshot(page, 'erp-02-template-bound');

    await page.reload();
    await expect.poll(() => page.getByTestId('template-block-asystem').getByLabel('Название параметра на сайте: Бумага').inputValue()).toBe('Бумага для визиток');
    expect(await page.getByTestId('template-block-asystem').getByLabel('Шаблон:').inputValue()).toBe('t-12');
  });

  it('shows the template\'s internal JSON', async () => {
    const block = page.getByTestId('template-block-asystem');
    await block.getByTestId('template-json-toggle-asystem').click();
    const json = block.getByTestId('template-json-asystem');
    await expect.poll(() => json.textContent()).toContain('"Визитная карточка"');
    const shown = JSON.parse((await json.textContent())!) as { id: string; raw: unknown; missingSince: unknown };
    expect(shown).toMatchObject({ id: 't-12', missingSince: null });
    expect(shown.raw).toBeTruthy();
    await screenshot(page, 'erp-03-template-json');
    await block.getByTestId('template-json-toggle-asystem').click();
    expect(await json.count()).toBe(0);
  });

  it('prices the product through ASystem in «Калькулятор», and the price follows the options', async () => {
    const calculator = page.getByTestId('calculator-preview');
    // 100 cards with the defaults: 300 print + 300 setup + 10 packing (emulators/erp/README.md).
    const total = async () => (await calculator.getByTestId('calc-total').textContent())?.replace(/\s/g, ' ');
    await expect.poll(total).toBe('610,00 руб.');
    // The site label names the parameter.
    await calculator.getByLabel('Бумага для визиток:').waitFor();
    await page.getByTestId('calc-quantity').fill('1000');
    await expect.poll(total).toBe('1 400,00 руб.');
    // Two-sided: 1000 × 1.00 × 1.5 + 300 + 100.
    await calculator.getByLabel('Красочность:').selectOption({ label: '4+4 (двусторонняя)' });
    await expect.poll(total).toBe('1 900,00 руб.');
    await screenshot(page, 'erp-04-calculator');
  });

  it('draws «Отправить в ASystem», the ERP order ids and «Заказы в ASystem» on the order card', async () => {
    const person = await api.request<{ id: number }>('POST', '/api/v1/persons', { lastName: 'Петров', firstName: 'Олег', phones: ['+7 903 111-22-33'] });
    const created = await api.request<{ id: number; number: string }>('POST', '/api/v1/orders', {
      number: 'PS-3001',
      personId: person.body.id,
      site: 'print.example.ru',
      items: [{ name: 'Визитки 90x50', productId, quantity: 100, unitPrice: 610 }],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await page.goto(`${api.baseUrl}/orders/${created.body.id}`);
    const section = page.getByTestId('sync-asystem');
    await section.getByText('ID заказа в ASystem').waitFor();
    await section.getByTestId('details-asystem-erpOrders-empty').getByText('Заказ ещё не отправлен в ASystem').waitFor();
    await section.getByTestId('action-asystem-send').click();
    await expect.poll(() => section.getByTestId('ext-notice-asystem').textContent()).toContain('Заказ PS-3001 поставлен в очередь на отправку в ASystem');
    // The worker sends it; the card read again shows the ERP's order.
    await expect.poll(() => erp.orders.byExternalId('PS-3001'), { timeout: 15_000 }).toBeTruthy();
    await page.reload();
    const erpOrder = erp.orders.byExternalId('PS-3001')!;
    // With the ids the settings button filled in.
    expect(erpOrder).toMatchObject({ managerId: '17', counterpartyId: '2045', templateId: 't-12' });
    await expect.poll(() => page.getByTestId('external-id-shown-asystem-order').textContent()).toBe(String(erpOrder.id));
    // The ERP order's number, id and status, with when it was sent.
    const row = page.getByTestId('details-asystem-erpOrders-row').first();
    await expect.poll(() => row.textContent()).toContain(`${erpOrder.number}, ID ${erpOrder.id}`);
    expect(await row.textContent()).toMatch(/· \d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}$/);
    await screenshot(page, 'erp-05-order-card');
  });

  it('flags the product\'s template once ASystem removed it and the templates are synced again', async () => {
    erp.templates.remove('t-12');
    await page.goto(`${api.baseUrl}/print/products?category=${categoryId}&product=${productId}`);
    const block = page.getByTestId('template-block-asystem');
    await block.getByLabel('Название параметра на сайте: Бумага').waitFor();
    expect(await block.getByTestId('template-missing-asystem').count()).toBe(0);
    await block.getByRole('button', { name: '(синхронизировать шаблоны с сервером ASystem)' }).click();
    await expect.poll(() => block.getByTestId('template-notice-asystem').textContent()).toContain('больше нет в ASystem: t-12');
    const warning = block.getByTestId('template-missing-asystem');
    await expect.poll(() => warning.textContent()).toContain('Шаблон «Визитная карточка» удалён в ASystem');
    // Flagged, not dropped: still chosen, its label says so, its site labels kept.
    expect(await block.getByLabel('Шаблон:').inputValue()).toBe('t-12');
    expect(await block.getByLabel('Шаблон:').locator('option:checked').textContent()).toBe('Визитная карточка (удалён в ASystem)');
    expect(await block.getByLabel('Название параметра на сайте: Бумага').inputValue()).toBe('Бумага для визиток');
    await screenshot(page, 'erp-06-template-removed');
  });
});
