import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { poly1c } from '../../src/integrations/poly1c/index.js';
import { SHIRTS } from '../integrations/poly1c/fixtures.js';
import { launchBrowser } from '../support/browser.js';
import { startTestApi } from '../support/api-server.js';
import type { TestApi } from '../support/api-server.js';
import { buildPanel, logIn, openPanelPage, screenshot } from './support.js';

/**
 * «Выбор шаблона 1С:Полиграфия» on the product card (P1C-2): upload a CSV file, the facts the
 * card shows, «Покажи внутренний JSON», a refused file with its line, «Сбросить привязку» — drawn
 * from the server's `productTemplateFile` description.
 */
describe('admin panel: a 1С:Полиграфия template file on the product card', () => {
  let api: TestApi;
  let browser: Browser;
  let page: Page;
  let categoryId: number;
  let productId: number;

  beforeAll(async () => {
    buildPanel();
    api = await startTestApi('sqlite', { integrations: [poly1c] });
    await api.services.stores.users.create({ login: 'owner', password: 'correct-horse', displayName: 'Олег Владимиров', role: 'admin' });
    const current = await api.request<{ version: number; settings: Record<string, unknown> }>('GET', '/api/v1/integrations/poly1c/settings');
    await api.request('PUT', '/api/v1/integrations/poly1c/settings', { version: current.body.version, enabled: true, settings: current.body.settings });
    const category = await api.request<{ id: number }>('POST', '/api/v1/categories', { name: 'Футболки', calculatorEngine: 'poly1c', calculatorPrimary: true });
    categoryId = category.body.id;
    const product = await api.request<{ id: number }>('POST', '/api/v1/products', { name: 'Футболка', categoryId, tiers: { mode: 'presets', presets: [{ quantity: 10, price: 0 }] } });
    productId = product.body.id;
    browser = await launchBrowser();
    page = await openPanelPage(browser);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  it('uploads the file, shows what was read and its JSON, refuses a bad file with its line, resets the binding', async () => {
    await logIn(page, api.baseUrl, { login: 'owner', password: 'correct-horse', displayName: 'Олег Владимиров' });
    await page.goto(`${api.baseUrl}/print/products?category=${categoryId}&product=${productId}`);
    const block = page.getByTestId('template-file-block-poly1c');
    await expect.poll(() => block.textContent()).toContain('Выбор шаблона 1С:Полиграфия');
    expect(await page.getByTestId('template-file-none-poly1c').textContent()).toBe('Нет прикрепленного шаблона');
    expect(await page.getByTestId('template-file-reset-poly1c').isDisabled()).toBe(true);

    await page.getByTestId('template-file-input-poly1c').setInputFiles({ name: 'футболки.csv', mimeType: 'text/csv', buffer: Buffer.from(SHIRTS, 'utf8') });
    await expect.poll(() => page.getByTestId('template-file-name-poly1c').textContent().catch(() => null)).toBe('футболки.csv');
    const facts = await page.getByTestId('template-file-facts-poly1c').innerText();
    expect(facts).toContain('Название файла:');
    expect(facts).toContain('Продукция:');
    expect(await page.getByTestId('template-file-product-poly1c').textContent()).toBe('Футболки');
    expect(facts).toContain('Количество доступных вариантов выбора:');
    expect(await page.getByTestId('template-file-variants-poly1c').textContent()).toBe('11');
    expect(await page.getByTestId('template-file-upload-poly1c').textContent()).toBe('Загрузить файл шаблона (.csv)');
    expect(await page.getByTestId('template-file-restrictions-poly1c').innerText()).toContain('Предзаданное значение параметра 1С:Полиграфия');
    expect(await page.getByText('Брать стоимость шаблона из настроек тиражности продукта').count()).toBe(1);

    await page.getByTestId('template-file-json-toggle-poly1c').click();
    await expect.poll(() => page.getByTestId('template-file-json-poly1c').textContent().catch(() => '')).toContain('"Детская"');
    const json = JSON.parse((await page.getByTestId('template-file-json-poly1c').textContent())!) as { template: { params: Record<string, string[]>; variants: number } };
    expect(json.template.variants).toBe(11);
    expect(json.template.params['Цвет']).toEqual(['Белый', 'Чёрный', 'Красный']);
    await screenshot(page, 'poly1c-01-uploaded');

    await page.getByTestId('template-file-input-poly1c').setInputFiles({ name: 'плохой.csv', mimeType: 'text/csv', buffer: Buffer.from('Тип;Тираж;Цена\nМужская;10;сто\n', 'utf8') });
    await expect.poll(() => page.getByTestId('template-file-error-poly1c').textContent().catch(() => '')).toContain('строка 2: цена «сто» в колонке «Цена» не число');
    expect(await page.getByTestId('template-file-name-poly1c').textContent()).toBe('футболки.csv');

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByTestId('template-file-reset-poly1c').click();
    await expect.poll(() => page.getByTestId('template-file-none-poly1c').textContent().catch(() => null)).toBe('Нет прикрепленного шаблона');
    expect(await page.getByTestId('template-file-notice-poly1c').textContent()).toBe('Привязка шаблона сброшена');
    const view = await api.request<{ template: unknown }>('GET', `/api/v1/integrations/poly1c/products/${productId}/template-file`);
    expect(view.body.template).toBeNull();
    await screenshot(page, 'poly1c-02-reset');
  });
});
