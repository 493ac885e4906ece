import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBitrix24Emulator } from '../../emulators/bitrix24/server.js';
import type { Bitrix24Emulator } from '../../emulators/bitrix24/server.js';
import { appIntegrations } from '../../src/extensions.js';
import { launchBrowser } from '../support/browser.js';
import { startTestApi } from '../support/api-server.js';
import type { TestApi } from '../support/api-server.js';
import { connectBitrix24, portalCall } from '../support/bitrix24-portal.js';
import { buildPanel, logIn, openPanelPage, screenshot } from './support.js';

/**
 * Битрикс24 in the panel as a shop's admin uses it, against a real printsync (SQLite, its worker
 * running) connected to the Bitrix24 emulator: the stage ↔ status mapping with the stages read
 * from the portal (B24-1..5), «Отправить в Битрикс24» on a client card (B24-9), and an order's
 * deal, last sync and error with «Отправить повторно» (issue 11, «Visibility»).
 */
describe('admin panel: Битрикс24', () => {
  let api: TestApi;
  let b24: Bitrix24Emulator;
  let browser: Browser;
  let page: Page;

  /** The options a live list offers, once it has loaded (the first option is «—»). */
  const optionsOf = (select: Locator) => select.locator('option').allTextContents();
  const savedSettings = async () => (await api.services.stores.settings.latest('bitrix24'))?.settings as Record<string, unknown> | undefined;

  beforeAll(async () => {
    buildPanel();
    b24 = await startBitrix24Emulator({ rate: false });
    api = await startTestApi('sqlite', { integrations: appIntegrations(), startWorker: true });
    await api.services.stores.users.create({ login: 'owner', password: 'correct-horse', displayName: 'Олег Владимиров', role: 'admin' });
    await connectBitrix24(api, b24);
    browser = await launchBrowser();
    page = await openPanelPage(browser);
    await logIn(page, api.baseUrl, { login: 'owner', password: 'correct-horse', displayName: 'Олег Владимиров' });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await api?.close();
    await b24?.stop();
  });

  it('shows the default stage ↔ status mapping with the stages read from the portal; a changed row is saved', async () => {
    await page.goto(`${api.baseUrl}/settings/export`);
    // Switched on: its form is open.
    expect(await page.getByTestId('toggle-bitrix24').isChecked()).toBe(true);
    const form = page.getByTestId('settings-bitrix24');
    const section = form.getByTestId('settings-section-bitrix24-statusMap');
    await section.getByRole('heading', { name: 'Соответствие стадий сделки и статусов заказа' }).waitFor();

    // Stage → status: NEW → «Новый», WON → «Выполнен», LOSE → «Отменён», each stage named as the portal names it.
    const stageOf = (table: string, row: number) => section.getByTestId(`options-${table}[${row}].stageId`);
    const statusOf = (table: string, row: number) => section.locator(`[data-field="${table}[${row}].status"] select`);
    const chosen = async (select: Locator) => select.evaluate((el) => (el as unknown as { selectedOptions: Array<{ textContent: string }> }).selectedOptions[0]?.textContent ?? '');
    const rows = async (table: string) => {
      const count = await section.locator(`[data-field^="${table}["][data-field$="].stageId"]`).count();
      const result: Array<[string, string]> = [];
      // In the table's column order: stage → status, or status → stage.
      for (let i = 0; i < count; i += 1) {
        const [stage, status] = [await chosen(stageOf(table, i)), await chosen(statusOf(table, i))];
        result.push(table === 'stageToStatus' ? [stage, status] : [status, stage]);
      }
      return result;
    };
    await expect.poll(() => rows('stageToStatus')).toEqual([
      ['Новая (NEW)', 'Новый'],
      ['Сделка успешна (WON)', 'Выполнен'],
      ['Сделка провалена (LOSE)', 'Отменён'],
    ]);
    // Status → stage, the other way.
    await expect.poll(() => rows('statusToStage')).toEqual([
      ['Новый', 'Новая (NEW)'],
      ['Выполнен', 'Сделка успешна (WON)'],
      ['Отменён', 'Сделка провалена (LOSE)'],
    ]);
    // The list is the general funnel of the portal, in its order.
    expect(await optionsOf(stageOf('stageToStatus', 0))).toEqual([
      '—',
      'Новая (NEW)',
      'Подготовка документов (PREPARATION)',
      'Счёт на предоплату (PREPAYMENT_INVOICE)',
      'В работе (EXECUTING)',
      'Финальный счёт (FINAL_INVOICE)',
      'Сделка успешна (WON)',
      'Сделка провалена (LOSE)',
      'Анализ причины провала (APOLOGY)',
    ]);
    // «Перевести заказ в оплаченный» on every stage → status row, off by default.
    const paid = section.locator('[data-field="stageToStatus[1].markPaid"] input[type="checkbox"]');
    expect(await paid.isChecked()).toBe(false);
    expect(await section.getByText('Перевести заказ в оплаченный').first().isVisible()).toBe(true);

    // «Направление сделки» and the responsible employee are lists read from the portal too.
    const funnel = form.getByTestId('options-categoryId');
    await expect.poll(() => optionsOf(funnel)).toEqual(['—', 'Общее направление (0)', 'Печать (1)']);
    const responsible = form.getByTestId('options-responsibleId');
    await expect.poll(() => optionsOf(responsible)).toEqual(['—', 'Иван Петров (ID 1)', 'Мария Смирнова (ID 2)', 'Олег Кузнецов (ID 3)']);
    await screenshot(page, 'b24-01-status-map');

    // The admin says a prepayment invoice means the order is paid and in work, and saves.
    await stageOf('stageToStatus', 1).selectOption({ label: 'Счёт на предоплату (PREPAYMENT_INVOICE)' });
    await statusOf('stageToStatus', 1).selectOption({ label: 'Готов к работе (оплачен)' });
    await paid.check();
    await statusOf('statusToStage', 1).selectOption({ label: 'Готов к работе (оплачен)' });
    await stageOf('statusToStage', 1).selectOption({ label: 'В работе (EXECUTING)' });
    await responsible.selectOption({ label: 'Мария Смирнова (ID 2)' });
    await page.getByTestId('save-bitrix24').click();
    await expect.poll(() => page.getByTestId('notice-bitrix24').textContent()).toContain('Сохранено');
    const saved = await savedSettings();
    expect(saved).toMatchObject({
      responsibleId: 2,
      stageToStatus: [
        { stageId: 'NEW', status: 'NotProcessed', markPaid: false },
        { stageId: 'PREPAYMENT_INVOICE', status: 'ReadyToProcessing', markPaid: true },
        { stageId: 'LOSE', status: 'Cancelled', markPaid: false },
      ],
      statusToStage: [
        { status: 'NotProcessed', stageId: 'NEW' },
        { status: 'ReadyToProcessing', stageId: 'EXECUTING' },
        { status: 'Cancelled', stageId: 'LOSE' },
      ],
    });
  });

  it('refuses a stage that is not in the chosen funnel, on the row that has it', async () => {
    const form = page.getByTestId('settings-bitrix24');
    const section = form.getByTestId('settings-section-bitrix24-statusMap');
    // Another funnel: its stages are C1:…; the rows still hold the general funnel's.
    await form.getByTestId('options-categoryId').selectOption({ label: 'Печать (1)' });
    const stage = section.getByTestId('options-stageToStatus[0].stageId');
    await expect.poll(() => optionsOf(stage)).toContain('В печати (C1:UC_8KQ2ZD)');
    // The first row is moved to the new funnel; the others are left as they were.
    await stage.selectOption({ label: 'Новый заказ (C1:NEW)' });
    await page.getByTestId('save-bitrix24').click();
    await expect.poll(() => form.getByTestId('error-stageToStatus[1].stageId').textContent()).toContain('нет стадии PREPAYMENT_INVOICE');
    expect(await form.getByTestId('error-stageToStatus[2].stageId').textContent()).toContain('нет стадии LOSE');
    expect(await form.getByTestId('error-stageToStatus[0].stageId').count()).toBe(0);
    // Nothing is stored: the saved funnel is still the general one.
    expect(await savedSettings()).toMatchObject({ categoryId: null, stageToStatus: [{ stageId: 'NEW' }, { stageId: 'PREPAYMENT_INVOICE' }, { stageId: 'LOSE' }] });
    await screenshot(page, 'b24-02-stage-not-in-funnel');
  });

  it('sends a person without a Bitrix ID with «Отправить в Битрикс24»; the card then shows the contact and no button', async () => {
    // Back to the saved settings (the general funnel).
    await connectBitrix24(api, b24, { ...(await savedSettings()) });
    const person = await api.request<{ id: number }>('POST', '/api/v1/persons', {
      lastName: 'Соколова',
      firstName: 'Ирина',
      phones: ['+7 912 555-44-33'],
      emails: ['irina@example.ru'],
    });
    const personId = person.body.id;
    await page.goto(`${api.baseUrl}/clients/persons/${personId}`);
    const section = page.getByTestId('sync-bitrix24');
    await section.getByText('Битрикс24').first().waitFor();
    expect(await section.getByTestId('external-id-bitrix24-contact').inputValue()).toBe('');
    await screenshot(page, 'b24-03-person-unlinked');

    await section.getByTestId('action-bitrix24-send').click();
    await expect.poll(() => section.getByTestId('ext-notice-bitrix24').textContent()).toBe('Клиент поставлен в очередь на отправку в Битрикс24');
    // The worker sends it; the card follows the send and shows the contact's id, without a reload.
    await expect.poll(() => section.getByTestId('external-id-shown-bitrix24-contact').textContent(), { timeout: 20_000 }).toMatch(/^\d+$/);
    const contactId = (await section.getByTestId('external-id-shown-bitrix24-contact').textContent())!;
    expect(await section.getByTestId('external-id-bitrix24-contact').inputValue()).toBe(contactId);
    expect(await section.getByTestId('sync-state-bitrix24').textContent()).toBe('Отправлено');
    const stored = await api.request<{ externalIds: Record<string, Record<string, string>> }>('GET', `/api/v1/persons/${personId}`);
    expect(stored.body.externalIds.bitrix24?.contact).toBe(contactId);
    expect(await section.getByTestId('action-bitrix24-send').count()).toBe(0);
    expect(await section.getByTestId('external-id-link-bitrix24-contact').getAttribute('href')).toBe(`${b24.url}/crm/contact/details/${contactId}/`);
    // The contact is on the portal, with the phone as «Мобильный».
    const contact = await portalCall<{ NAME: string; LAST_NAME: string; PHONE: Array<{ VALUE: string; VALUE_TYPE: string }> }>(b24, 'crm.contact.get', { id: contactId });
    expect(contact).toMatchObject({ NAME: 'Ирина', LAST_NAME: 'Соколова', PHONE: [expect.objectContaining({ VALUE_TYPE: 'MOBILE' })] });
    await screenshot(page, 'b24-04-person-sent');
  });

  it('sends an organization without a Bitrix ID with «Отправить в Битрикс24»; its card then shows the company', async () => {
    const created = await api.request<{ id: number }>('POST', '/api/v1/organizations', { title: 'ООО «Полиграф-Сервис»', inn: '7707083893' });
    expect(created.status).toBe(201);
    await page.goto(`${api.baseUrl}/clients/organizations/${created.body.id}`);
    const section = page.getByTestId('sync-bitrix24');
    await section.getByTestId('action-bitrix24-send').click();
    await expect.poll(() => section.getByTestId('external-id-shown-bitrix24-company').textContent(), { timeout: 20_000 }).toMatch(/^\d+$/);
    const companyId = (await section.getByTestId('external-id-shown-bitrix24-company').textContent())!;
    expect(await section.getByTestId('action-bitrix24-send').count()).toBe(0);
    expect(await section.getByTestId('external-id-link-bitrix24-company').getAttribute('href')).toBe(`${b24.url}/crm/company/details/${companyId}/`);
    expect(await portalCall<{ TITLE: string }>(b24, 'crm.company.get', { id: companyId })).toMatchObject({ TITLE: 'ООО «Полиграф-Сервис»' });
  });

  /** The card's sync state once the order's latest attempt is in: the card reads it when it opens. */
  const cardState = async (section: Locator, until: string) => {
    await expect
      .poll(
        async () => {
          await page.reload();
          await section.getByTestId('sync-state-bitrix24').waitFor();
          return section.getByTestId('sync-state-bitrix24').textContent();
        },
        { timeout: 20_000, interval: 300 },
      )
      .toBe(until);
  };
  const order = async (number: string, extra: Record<string, unknown> = {}) => {
    const person = await api.request<{ id: number }>('POST', '/api/v1/persons', { lastName: 'Морозов', firstName: 'Павел', phones: [`+7 903 111-${number.slice(-4, -2)}-${number.slice(-2)}`] });
    const created = await api.request<{ id: number }>('POST', '/api/v1/orders', { number, personId: person.body.id, items: [{ name: 'Визитки 90x50', quantity: 200, unitPrice: 740 }], ...extra });
    expect(created.status).toBe(201);
    return created.body.id;
  };
  const dealOf = async (orderId: number) => (await api.request<{ externalIds: Record<string, Record<string, string>> }>('GET', `/api/v1/orders/${orderId}`)).body.externalIds.bitrix24?.deal ?? '';

  it("shows an order's deal with its link on the portal and the last sync; «Отправить повторно» sends the order again", async () => {
    const orderId = await order('PS-5001');
    await expect.poll(() => dealOf(orderId), { timeout: 20_000 }).toMatch(/^\d+$/);
    const dealId = await dealOf(orderId);
    await page.goto(`${api.baseUrl}/orders/${orderId}`);
    const section = page.getByTestId('sync-bitrix24');
    await cardState(section, 'Отправлено');
    await section.getByText('Битрикс24', { exact: true }).waitFor();
    expect(await section.getByTestId('external-id-shown-bitrix24-deal').textContent()).toBe(dealId);
    const link = section.getByTestId('external-id-link-bitrix24-deal');
    expect(await link.getAttribute('href')).toBe(`${b24.url}/crm/deal/details/${dealId}/`);
    expect(await link.getAttribute('target')).toBe('_blank');
    const attempted = section.locator('dt', { hasText: 'Последняя попытка:' }).locator('xpath=following-sibling::dd[1]');
    expect(await attempted.textContent()).toMatch(/\d{2}:\d{2}/);
    expect(await section.getByText('Ошибка:').count()).toBe(0);
    await screenshot(page, 'b24-05-order-sent');

    // A manager renamed the deal in Bitrix24 by mistake: «Отправить повторно» puts the order's state back.
    b24.manager.update('deal', Number(dealId), { TITLE: 'что-то другое' });
    await section.getByTestId('resend-bitrix24').click();
    await expect.poll(() => section.getByTestId('ext-notice-bitrix24').textContent()).toBe('Поставлено в очередь на отправку');
    await expect.poll(async () => (await portalCall<{ TITLE: string }>(b24, 'crm.deal.get', { id: dealId })).TITLE, { timeout: 20_000 }).toContain('PS-5001');
    await expect
      .poll(async () => (await api.request<{ systems: Array<{ system: string; attempts: number }> }>('GET', `/api/v1/orders/${orderId}/sync`)).body.systems.find((s) => s.system === 'bitrix24')?.attempts)
      .toBe(2);
    expect(await section.getByTestId('sync-state-bitrix24').textContent()).toBe('Отправлено');
    // Still the same deal: nothing duplicated.
    expect(await section.getByTestId('external-id-shown-bitrix24-deal').textContent()).toBe(dealId);
  });

  it('shows why the portal refused an order, and «Отправить повторно» tries again', async () => {
    // The portal has no yuan: it refuses the deal, and says so.
    const orderId = await order('PS-5002', { currency: 'CNY' });
    await page.goto(`${api.baseUrl}/orders/${orderId}`);
    const section = page.getByTestId('sync-bitrix24');
    await cardState(section, 'Ошибка');
    const error = section.locator('dt', { hasText: 'Ошибка:' }).locator('xpath=following-sibling::dd[1]');
    expect(await error.textContent()).toContain('Currency');
    expect(await section.getByTestId('external-id-shown-bitrix24-deal').textContent()).toBe('—');
    await screenshot(page, 'b24-06-order-refused');
    await section.getByTestId('resend-bitrix24').click();
    await expect.poll(() => section.getByTestId('ext-notice-bitrix24').textContent()).toBe('Поставлено в очередь на отправку');
    await expect
      .poll(async () => (await api.request<{ systems: Array<{ system: string; attempts: number }> }>('GET', `/api/v1/orders/${orderId}/sync`)).body.systems.find((s) => s.system === 'bitrix24')?.attempts, { timeout: 20_000 })
      .toBe(2);
  });

  /** The portal down: the attempt is logged with the portal's answer, and a resend goes at once once it is back. */
  it('shows the error of an attempt that failed while the portal was down; «Отправить повторно» sends the order once it is back', async () => {
    b24.faults.arm('error', { method: 'batch', count: 1_000 });
    const orderId = await order('PS-5003');
    await page.goto(`${api.baseUrl}/orders/${orderId}`);
    const section = page.getByTestId('sync-bitrix24');
    await cardState(section, 'Ошибка');
    const error = section.locator('dt', { hasText: 'Ошибка:' }).locator('xpath=following-sibling::dd[1]');
    expect(await error.textContent()).toContain('INTERNAL_SERVER_ERROR');
    await screenshot(page, 'b24-07-order-portal-down');

    // The portal is back: «Отправить повторно» sends the order, and the card follows it (no reload).
    b24.faults.clear();
    await section.getByTestId('resend-bitrix24').click();
    await expect.poll(() => section.getByTestId('ext-notice-bitrix24').textContent()).toBeTruthy();
    await expect.poll(() => section.getByTestId('external-id-shown-bitrix24-deal').textContent(), { timeout: 15_000 }).toMatch(/^\d+$/);
    expect(await section.getByTestId('external-id-shown-bitrix24-deal').textContent()).toBe(await dealOf(orderId));
    // (The job still retrying afterwards finds nothing to change; what the card says then is its outcome, not an error.)
    expect(await section.getByTestId('sync-state-bitrix24').textContent()).not.toBe('Ошибка');
    expect(await section.locator('dt', { hasText: 'Ошибка:' }).count()).toBe(0);
    const link = section.getByTestId('external-id-link-bitrix24-deal');
    expect(await link.getAttribute('href')).toBe(`${b24.url}/crm/deal/details/${await dealOf(orderId)}/`);
    await screenshot(page, 'b24-08-order-resent');
  });
  /** Issue 12: the way back as the panel shows it — the events address, the last change on the cards, the counts, the call button. */
  it('shows «URL обработчика» with a copy button in the settings', async () => {
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: api.baseUrl });
    await page.goto(`${api.baseUrl}/settings/export`);
    const section = page.getByTestId('settings-bitrix24').getByTestId('settings-section-bitrix24-events');
    await section.getByRole('heading', { name: 'Изменения из Битрикс24 (исходящий вебхук)' }).waitFor();
    const field = section.getByTestId('bitrix24-copy-eventsUrl');
    // No PUBLIC_URL in the test server: the panel's own address.
    expect(await field.inputValue()).toBe(`${api.baseUrl}/api/bitrix/events`);
    expect(await section.getByLabel('URL обработчика').inputValue()).toBe(`${api.baseUrl}/api/bitrix/events`);
    await section.getByTestId('bitrix24-copy-eventsUrl-button').click();
    await section.getByTestId('bitrix24-copy-eventsUrl-copied').waitFor();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(`${api.baseUrl}/api/bitrix/events`);
    await screenshot(page, 'b24-09-events-url');
  });

  it("shows on the order and client cards the last change that came from Bitrix24, and the health page counts the events", async () => {
    b24.events.addHandler(`${api.baseUrl}/api/bitrix/events`);
    const orderId = await order('PS-5004');
    await expect.poll(() => dealOf(orderId), { timeout: 20_000 }).toMatch(/^\d+$/);
    const dealId = await dealOf(orderId);
    await page.goto(`${api.baseUrl}/orders/${orderId}`);
    const details = page.getByTestId('sync-bitrix24').getByTestId('details-bitrix24-lastChange');
    await details.getByText('Последнее изменение из Битрикс24').waitFor();
    // A manager loses the deal in Bitrix24: the open card follows by itself — the order is
    // cancelled, and the card says what came — with no reload.
    b24.manager.moveDealStage(Number(dealId), 'LOSE');
    await expect.poll(() => page.getByTestId('order-status').textContent(), { timeout: 20_000 }).toBe('Отменён');
    const row = (label: string) => details.locator('dt', { hasText: label }).locator('xpath=following-sibling::dd[1]');
    await expect.poll(() => row('Итог').textContent(), { timeout: 10_000 }).toBe('применено');
    expect(await row('Что').textContent()).toContain('стадия LOSE');
    expect(await row('Событие').textContent()).toBe(`Изменение сделки (ONCRMDEALUPDATE), ID ${dealId}`);
    expect(await row('Когда').textContent()).toMatch(/\d{2}:\d{2}/);
    await screenshot(page, 'b24-10-order-last-change');

    // A client Bitrix24 sent nothing about yet says so.
    const person = await api.request<{ id: number }>('POST', '/api/v1/persons', { lastName: 'Тихонов', firstName: 'Лев', phones: ['+7 903 222-33-44'] });
    await page.goto(`${api.baseUrl}/clients/persons/${person.body.id}`);
    await page.getByTestId('details-bitrix24-lastChange-empty').getByText('Изменений из Битрикс24 ещё не приходило').waitFor();

    await page.goto(`${api.baseUrl}/sync`);
    const counts = page.getByTestId('health-inbound-bitrix24');
    await counts.waitFor();
    const count = async (key: string) => Number(await page.getByTestId(`health-inbound-bitrix24-${key}`).textContent());
    expect(await count('applied')).toBeGreaterThanOrEqual(1);
    expect(await count('received')).toBeGreaterThanOrEqual(await count('applied'));
    await page.getByTestId('health-inbound').getByText('Своё изменение (эхо)').waitFor();
    await screenshot(page, 'b24-11-health-inbound');
  });

  it('«Позвонить клиенту через Битрикс24» on the order card with telephony on: the callback starts; a client without a phone is told why', async () => {
    await page.goto(`${api.baseUrl}/orders/${await order('PS-5005')}`);
    await page.getByTestId('sync-bitrix24').waitFor();
    // Telephony off (the default): no button.
    expect(await page.getByTestId('action-bitrix24-call').count()).toBe(0);
    await connectBitrix24(api, b24, { telephonyEnabled: true });
    const before = b24.state.store.all('callback').length;
    await page.reload();
    const section = page.getByTestId('sync-bitrix24');
    await section.getByTestId('action-bitrix24-call').click();
    await expect.poll(() => section.getByTestId('ext-notice-bitrix24').textContent()).toMatch(/^Битрикс24 звонит с линии ответственного менеджера «[^»]+»: сначала менеджеру, затем клиенту Морозов Павел \(\+7903111/);
    expect(b24.state.store.all('callback')).toHaveLength(before + 1);
    await screenshot(page, 'b24-12-order-call');

    const silent = await api.request<{ id: number }>('POST', '/api/v1/persons', { lastName: 'Молчанов', firstName: 'Семён', emails: ['semen@example.ru'] });
    const created = await api.request<{ id: number }>('POST', '/api/v1/orders', { number: 'PS-5006', personId: silent.body.id, items: [{ name: 'Визитки 90x50', quantity: 200, unitPrice: 740 }] });
    await page.goto(`${api.baseUrl}/orders/${created.body.id}`);
    await page.getByTestId('action-bitrix24-call').click();
    await expect.poll(() => page.getByTestId('ext-error-bitrix24').textContent()).toContain('Позвонить нельзя: у клиента Молчанов Семён нет телефона');
    expect(b24.state.store.all('callback')).toHaveLength(before + 1);
  });
});
