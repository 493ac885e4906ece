import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser.js';
import { ASYSTEM, startErpHarness } from '../integrations/erp/harness.js';
import type { ErpHarness } from '../integrations/erp/harness.js';
import { fakeEngine, widgetCatalog, widgetSite } from '../support/widget-fixtures.js';
import { buildPanel, logIn, openPanelPage, screenshot } from './support.js';

// The ERP's prices are reused this long; the engine-error test waits past it.
process.env.ERP_QUOTE_LIFETIME_MS = '300';

interface ShopEvent {
  kind: string;
  id: string;
  total?: number;
  files?: number;
}

/**
 * The storefront widget (CALC-2) in headless Chromium on a plain shop page served from another
 * origin than printsync, priced by the ASystem emulator: options change the price (the same as
 * the staff API's), each of the category's seven options visibly changes the widget, continue and
 * add to cart hand the page a quote id (files attached), a page of an origin the site does not
 * allow is refused, and an engine failure shows the shopper's message. Keyboard only where it
 * matters.
 */
describe('calculator widget on a shop page', () => {
  let h: ErpHarness;
  let shop: Server;
  let shopPort: number;
  let browser: Browser;
  let page: Page;
  let categoryId: number;
  let cards: number;
  let flyers: number;
  let key: string;

  const shopUrl = (params: Record<string, string | number> = {}, host = '127.0.0.1') =>
    `http://${host}:${shopPort}/?${new URLSearchParams(Object.entries({ key, category: categoryId, ...params }).map(([k, v]): [string, string] => [k, String(v)]))}`;

  const setOptions = async (widget: Record<string, unknown>) => {
    const current = await h.api.request<{ version: number }>('GET', `/api/v1/categories/${categoryId}`);
    const patched = await h.api.request('PATCH', `/api/v1/categories/${categoryId}`, { widget, version: current.body.version });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
  };

  const ALL_OFF = { continueCaption: false, continueCaptionText: null, addToCart: false, fileUpload: false, unitPrice: false, stylesOnPages: false, stylesInEditor: false, customCss: null, grouping: false };

  /** The widget's shown total once priced. */
  const priced = async (p: Page = page): Promise<string> => {
    const total = p.locator('[data-role="total"]');
    await expect.poll(async () => (await total.count()) > 0 && /\d/.test((await total.textContent()) ?? ''), { timeout: 15_000 }).toBe(true);
    return (await total.textContent())!;
  };

  const open = async (params: Record<string, string | number> = {}) => {
    await page.goto(shopUrl({ product: cards, ...params }));
    return priced();
  };

  const rubles = (minor: number) => new Intl.NumberFormat('ru-RU', { style: 'currency', currency: 'RUB' }).format(minor / 100);

  beforeAll(async () => {
    buildPanel();
    h = await startErpHarness(ASYSTEM, { startWorker: false });
    await h.connect();
    await h.syncTemplates();
    cards = await h.product('t-12', { 'p-paper': 'Бумага для визиток' });
    categoryId = (await h.api.request<{ categoryId: number }>('GET', `/api/v1/products/${cards}`)).body.categoryId;
    await h.api.request('PATCH', `/api/v1/categories/${categoryId}`, { name: 'Визитки и листовки' });
    await h.api.request('PATCH', `/api/v1/products/${cards}`, { name: 'Визитки 90x50' });
    const second = await h.api.request<{ id: number }>('POST', '/api/v1/products', { name: 'Листовки А5', categoryId, tiers: { mode: 'presets', presets: [{ quantity: 100, price: 100_00 }] } });
    flyers = second.body.id;
    expect((await h.api.request('PUT', `${h.base}/products/${flyers}/template`, { templateId: 't-15', labels: {} })).status).toBe(200);

    // The shop: a plain page on its own origin, with CSS that would wreck an unisolated widget.
    shop = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://shop');
      const q = url.searchParams;
      const attribute = (name: string, value: string | null) => (value ? ` data-${name}="${value}"` : '');
      response.setHeader('content-type', 'text/html; charset=utf-8');
      response.end(`<!doctype html><html lang="ru"><meta charset="utf-8"><title>Типография — магазин</title>
<style>button{background:red!important;font-size:40px!important} .total{display:none!important} label{visibility:hidden}</style>
<h1>Визитки</h1>
<div id="calc"></div>
<script>
window.shopEvents = [];
function onCalcContinue(id, detail) { shopEvents.push({ kind: 'callback:continue', id, total: detail.quote.total, files: detail.files.length }); }
function onCalcCart(id, detail) { shopEvents.push({ kind: 'callback:add-to-cart', id, total: detail.quote.total }); }
document.addEventListener('printsync:continue', (e) => shopEvents.push({ kind: 'event:continue', id: e.detail.quoteId }));
document.addEventListener('printsync:add-to-cart', (e) => shopEvents.push({ kind: 'event:add-to-cart', id: e.detail.quoteId }));
</script>
<script src="${h.api.baseUrl}/widget/calculator.js" async data-container="calc"${attribute('key', q.get('key'))}${attribute('category', q.get('category'))}${attribute('product', q.get('product'))}${attribute('context', q.get('context'))} data-on-continue="onCalcContinue" data-on-add-to-cart="onCalcCart"></script>
</html>`);
    });
    await new Promise<void>((resolve) => shop.listen(0, '127.0.0.1', resolve));
    shopPort = (shop.address() as AddressInfo).port;
    // Allowed: the shop at 127.0.0.1; the same page at «localhost» is another origin.
    key = (await widgetSite(h.api, [`http://127.0.0.1:${shopPort}`])).key;

    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 900, height: 900 }, locale: 'ru-RU' });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => shop?.close(resolve));
    await h?.close();
  });

  it('renders the parameters the engine offers, and the price follows the options — the same as the staff API', async () => {
    await setOptions(ALL_OFF);
    const first = await open();
    const staff = await h.api.request<{ total: number }>('POST', `/api/v1/products/${cards}/quote`, { quantity: 100, parameters: {} });
    expect(first).toBe(rubles(staff.body.total));
    expect(await page.locator('h3').textContent()).toBe('Визитки 90x50');
    // The label the shop gave the parameter; the shop's CSS does not reach inside.
    await expect.poll(() => page.getByLabel('Бумага для визиток').count()).toBe(1);
    expect(await page.locator('[data-role="total"]').isVisible()).toBe(true);

    await page.locator('[data-parameter="p-lamination"]').selectOption({ label: 'Матовая 1+1' });
    await page.locator('[data-role="quantity"]').fill('1000');
    await page.locator('[data-role="quantity"]').dispatchEvent('change');
    await expect.poll(() => page.locator('[data-role="total"]').textContent(), { timeout: 15_000 }).toBe(rubles(1_900_00));

    // The same choice through the public API and the staff API: one quote.
    const choice = { quantity: 1000, parameters: { 'p-lamination': 'matte' } };
    const viaStaff = await h.api.request<{ total: number; unitPrice: number }>('POST', `/api/v1/products/${cards}/quote`, choice);
    const viaPublic = await h.api.request<{ total: number; unitPrice: number }>('POST', `/api/v1/widget/products/${cards}/quote?key=${key}`, choice, { authorization: '' });
    expect(viaPublic.body.total).toBe(viaStaff.body.total);
    expect(viaPublic.body.unitPrice).toBe(viaStaff.body.unitPrice);
    expect(viaStaff.body.total).toBe(1_900_00);
    await screenshot(page, 'widget-priced');
  });

  it('changes visibly with each of the seven options of the category', async () => {
    await setOptions(ALL_OFF);
    await open();
    const count = (selector: string) => page.locator(selector).count();
    const totalColor = () => page.locator('[data-role="total"]').evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(el).color);
    // Everything off: «Продолжить», no cart, no files, no unit price, no product switch, own styles.
    expect(await page.locator('[data-role="continue"]').textContent()).toBe('Продолжить');
    expect(await count('[data-role="add-to-cart"]')).toBe(0);
    expect(await count('[data-role="files"]')).toBe(0);
    expect(await count('[data-role="unit-price"]')).toBe(0);
    expect(await count('[data-role="product"]')).toBe(0);
    const ownColor = await totalColor();
    const css = '.total { color: rgb(200, 0, 0); }';

    // «Использовать опциональную подпись у кнопки продолжения заказа»
    await setOptions({ ...ALL_OFF, continueCaption: true, continueCaptionText: 'Заказать макет' });
    await open();
    expect(await page.locator('[data-role="continue"]').textContent()).toBe('Заказать макет');
    // «Отображать кнопку добавления в корзину»
    await setOptions({ ...ALL_OFF, addToCart: true });
    await open();
    expect(await page.getByRole('button', { name: 'В корзину' }).isVisible()).toBe(true);
    // «Отображать блок загрузки файлов в калькуляторе»
    await setOptions({ ...ALL_OFF, fileUpload: true });
    await open();
    expect(await page.getByLabel('Файлы макета').count()).toBe(1);
    // «Отображать стоимость за единицу товара»
    await setOptions({ ...ALL_OFF, unitPrice: true });
    await open();
    await expect.poll(() => page.locator('[data-role="unit-price"]').textContent()).toMatch(/^За единицу: 6,10\s₽$/);
    // «Загружать с калькулятором кастомный файл стилей на страницах» — and not in the editor.
    await setOptions({ ...ALL_OFF, stylesOnPages: true, customCss: css });
    await open();
    expect(await totalColor()).toBe('rgb(200, 0, 0)');
    await open({ context: 'editor' });
    expect(await totalColor()).toBe(ownColor);
    // «… в редакторе» — and not on pages.
    await setOptions({ ...ALL_OFF, stylesInEditor: true, customCss: css });
    await open({ context: 'editor' });
    expect(await totalColor()).toBe('rgb(200, 0, 0)');
    await open();
    expect(await totalColor()).toBe(ownColor);
    // «Использовать группировку товаров в калькуляторе»: switch to the other product of the category.
    await setOptions({ ...ALL_OFF, grouping: true });
    await open();
    const switcher = page.getByLabel('Товар', { exact: true });
    expect(await switcher.locator('option').allTextContents()).toEqual(['Визитки 90x50', 'Листовки А5']);
    await switcher.selectOption({ label: 'Листовки А5' });
    await expect.poll(() => page.locator('h3').textContent()).toBe('Листовки А5');
    await priced();
    await screenshot(page, 'widget-grouping');
  });

  it('hands the page a quote id on continue and add to cart (files attached), by keyboard', async () => {
    await setOptions({ ...ALL_OFF, addToCart: true, fileUpload: true, unitPrice: true });
    const shown = await open();
    await page.locator('[data-role="files"]').setInputFiles({ name: 'макет.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4 визитка') });
    // Keyboard: focus the continue button and press Enter.
    await page.locator('[data-role="continue"]').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate<number>('window.shopEvents.length'), { timeout: 15_000 }).toBe(2);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Space');
    await expect.poll(() => page.evaluate<number>('window.shopEvents.length'), { timeout: 15_000 }).toBe(4);
    const events = await page.evaluate<ShopEvent[]>('window.shopEvents');
    expect(events.map((e) => e.kind)).toEqual(['event:continue', 'callback:continue', 'event:add-to-cart', 'callback:add-to-cart']);
    const [continued, , carted] = events;
    expect(continued!.id).toMatch(/^q_[a-z2-7]{24}$/);
    expect(events[1]).toMatchObject({ id: continued!.id, files: 1 });
    expect(carted!.id).not.toBe(continued!.id);

    // printsync kept the quote with the file: the price the shopper saw.
    const kept = await h.api.request<{ total: number; productId: number; files: Array<{ name: string; size: number }> }>('GET', `/api/v1/quotes/${continued!.id}`);
    expect(kept.status).toBe(200);
    expect(rubles(kept.body.total)).toBe(shown);
    expect(kept.body.productId).toBe(cards);
    expect(kept.body.files).toEqual([expect.objectContaining({ name: 'макет.pdf', size: Buffer.byteLength('%PDF-1.4 визитка') })]);

    // An order from it keeps it.
    const person = await h.api.request<{ id: number }>('POST', '/api/v1/persons', { lastName: 'Покупателев', phones: ['+79005554433'] });
    const order = await h.api.request<{ items: Array<{ quoteId: string; total: number }> }>('POST', '/api/v1/orders', { personId: person.body.id, source: 'site', items: [{ quoteId: continued!.id }] });
    expect(order.status, JSON.stringify(order.body)).toBe(201);
    expect(order.body.items[0]).toMatchObject({ quoteId: continued!.id, total: kept.body.total });
  });

  it('changes an option by keyboard alone', async () => {
    await setOptions(ALL_OFF);
    const before = await open();
    const paper = page.locator('[data-parameter="p-paper"]');
    await paper.focus();
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.locator('[data-role="total"]').textContent(), { timeout: 15_000 }).not.toBe(before);
    await priced();
  });

  it('narrows the options an engine with dependent options still offers, keeping the focus', async () => {
    // A price-matrix-like engine (test/support/widget-fixtures.ts): designer paper is one-sided only.
    h.api.services.quotes.register(fakeEngine('poly1c'));
    const matrix = await widgetCatalog(h.api, 'poly1c');
    await page.goto(shopUrl({ category: matrix.categoryId, product: matrix.productIds[0]! }));
    await priced();
    const sides = page.locator('[data-parameter="sides"] option');
    expect(await sides.allTextContents()).toEqual(['4+0', '4+4']);
    await page.locator('[data-parameter="sides"]').selectOption({ label: '4+4' });
    await page.locator('[data-parameter="paper"]').selectOption({ label: 'Дизайнерская' });
    await expect.poll(() => sides.allTextContents(), { timeout: 15_000 }).toEqual(['4+0']);
    expect(await page.evaluate<string | null>('document.getElementById("calc").shadowRoot.activeElement?.getAttribute("data-parameter") ?? null')).toBe('paper');
    await expect.poll(() => page.locator('[data-role="total"]').textContent(), { timeout: 15_000 }).toBe(rubles(100 * 25_00 + 300_00));
  });

  it('is refused on a page of an origin the site does not allow', async () => {
    await setOptions(ALL_OFF);
    await page.goto(shopUrl({ product: cards }, 'localhost'));
    const error = page.locator('[role="alert"]');
    await expect.poll(() => error.textContent(), { timeout: 15_000 }).toBe('Калькулятор не разрешён на этом сайте');
    expect(await page.locator('[data-role="total"]').count()).toBe(0);
    // And with no key at all.
    await page.goto(shopUrl({ product: cards, key: 'pk_wrong' }));
    await expect.poll(() => page.locator('[role="alert"]').textContent(), { timeout: 15_000 }).toBe('Калькулятор не подключён для этого сайта');
  });

  it("the category page: the seven options with the seed's labels, the snippet to copy, the sites", async () => {
    await setOptions(ALL_OFF);
    await h.api.services.stores.users.create({ login: 'owner', password: 'correct-horse', displayName: 'Олег Владимиров', role: 'admin' });
    const panel = await openPanelPage(browser);
    try {
      await logIn(panel, h.api.baseUrl, { login: 'owner', password: 'correct-horse', displayName: 'Олег Владимиров' });
      await panel.goto(`${h.api.baseUrl}/print/products?category=${categoryId}`);
      const card = panel.getByTestId('category-widget').locator('..');
      const labels = [
        'Использовать опциональную подпись у кнопки продолжения заказа',
        'Отображать кнопку добавления в корзину',
        'Отображать блок загрузки файлов в калькуляторе',
        'Отображать стоимость за единицу товара',
        'Загружать с калькулятором кастомный файл стилей на страницах',
        'Загружать с калькулятором кастомный файл стилей в редакторе',
        'Использовать группировку товаров в калькуляторе',
      ];
      await panel.getByText(labels[0]!, { exact: true }).waitFor();
      expect(await card.locator('.toggle-label').allTextContents()).toEqual(labels);
      const snippet = await panel.getByTestId('widget-snippet').inputValue();
      expect(snippet).toContain(`${h.api.baseUrl}/widget/calculator.js`);
      expect(snippet).toContain(`data-key="${key}"`);
      expect(snippet).toContain(`data-category="${categoryId}"`);

      // Turn on the caption, type it, save: the shop's widget says it at the next load.
      await panel.getByTestId('widget-continueCaption').click();
      await panel.getByTestId('widget-caption').fill('Оформить визитки');
      await panel.getByTestId('widget-addToCart').click();
      await panel.getByTestId('widget-save').click();
      await expect.poll(async () => (await h.api.request<{ widget: { continueCaptionText: string; addToCart: boolean } }>('GET', `/api/v1/categories/${categoryId}`)).body.widget).toMatchObject({
        continueCaption: true,
        continueCaptionText: 'Оформить визитки',
        addToCart: true,
      });
      await screenshot(panel, 'widget-category-options');
      await open();
      expect(await page.locator('[data-role="continue"]').textContent()).toBe('Оформить визитки');

      // A second site from the panel.
      await panel.getByTestId('widget-site-name').fill('Второй магазин');
      await panel.getByTestId('widget-site-origins').fill('https://second.example');
      await panel.getByTestId('widget-site-add').click();
      await expect.poll(() => panel.getByTestId('widget-sites').textContent()).toContain('https://second.example');
    } finally {
      await panel.context().close();
    }
  });

  it("shows the shopper's message when the engine fails, and prices again once it is back", async () => {
    await setOptions(ALL_OFF);
    await open();
    await new Promise((resolve) => setTimeout(resolve, 350));
    h.erp.faults.update({ errorRate: 1, paths: ['/calculate', '/templates'] });
    try {
      await page.locator('[data-parameter="p-lamination"]').selectOption({ label: 'Глянцевая 1+1' });
      await expect.poll(() => page.locator('[data-role="error"]').textContent(), { timeout: 20_000 }).toBe('Калькулятор временно недоступен');
      expect(await page.locator('[data-role="total"]').textContent()).toBe('—');
      await screenshot(page, 'widget-engine-down');
    } finally {
      h.erp.faults.clear();
    }
    await page.locator('[data-role="quantity"]').fill('200');
    await page.locator('[data-role="quantity"]').dispatchEvent('change');
    await priced();
    expect(await page.locator('[data-role="error"]').textContent()).toBe('');
  });
});
