import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser.js';
import { startTestApi } from '../support/api-server.js';
import type { TestApi } from '../support/api-server.js';
import { buildPanel, logIn, openPanelPage, screenshot, sendOrderJob, testIntegration } from './support.js';

/**
 * What an integration adds to the panel's shared pages, drawn from its descriptions alone: a
 * section on order and client cards (ids with links, editable ids, its buttons), a column of the
 * client lists, a subsection of its settings with a list read live from its system, and its
 * alert when its system refused its credentials (on «ERP и CRM системы» and the health page).
 */
describe('admin panel: integration extension points', () => {
  let api: TestApi;
  let browser: Browser;
  let page: Page;
  let orderId: number;
  let personId: number;

  /** Cards wider than their box: something cut off or behind a sideways scroll. (A string: no DOM types here.) */
  const overflowing = () =>
    page.evaluate(
      "[...document.querySelectorAll('.card')].filter((card) => card.scrollWidth > card.clientWidth + 1).map((card) => card.querySelector('h2')?.textContent ?? card.className)",
    ) as Promise<string[]>;

  const atWidths = async (name: string, ready: () => Promise<unknown>) => {
    for (const width of [1280, 800]) {
      await page.setViewportSize({ width, height: 900 });
      await ready();
      // Polled: a chart redraws for the new width a moment after the resize.
      await expect.poll(overflowing).toEqual([]);
      await screenshot(page, `${name}-${width}`);
    }
    await page.setViewportSize({ width: 1280, height: 860 });
  };

  beforeAll(async () => {
    buildPanel();
    api = await startTestApi('sqlite', { integrations: [testIntegration] });
    await api.services.stores.users.create({ login: 'admin', password: 'correct-horse', displayName: 'Олег Владимиров', role: 'admin' });
    const person = await api.request<{ id: number }>('POST', '/api/v1/persons', { lastName: 'Соколова', firstName: 'Ирина', phones: ['+7 912 555-44-33'] });
    personId = person.body.id;
    const order = await api.request<{ id: number }>('POST', '/api/v1/orders', {
      number: 'PS-3001',
      personId,
      items: [{ name: 'Визитки 90x50', quantity: 100, unitPrice: 590 }],
    });
    orderId = order.body.id;
    browser = await launchBrowser();
    page = await openPanelPage(browser);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  it('logs in; an integration never configured adds nothing to the cards', async () => {
    await logIn(page, api.baseUrl, { login: 'admin', password: 'correct-horse', displayName: 'Олег Владимиров' });
    await page.goto(`${api.baseUrl}/orders/${orderId}`);
    await page.getByTestId('ext-none').waitFor();
    expect(await page.getByTestId('sync-testcrm').count()).toBe(0);
  });

  it('draws the settings subsection with a list read live from the integration, refilled when the field it depends on changes', async () => {
    await page.getByRole('link', { name: 'Выгрузка заказов' }).click();
    await page.getByTestId('toggle-testcrm').click();
    const form = page.getByTestId('settings-testcrm');
    const section = form.getByTestId('settings-section-testcrm-stages');
    await section.getByRole('heading', { name: 'Стадии сделок' }).waitFor();
    await section.getByText('Стадии читаются из воронки портала').waitFor();
    // The field is in the subsection, after the main fields, not among them.
    expect(await section.getByLabel('Стадия новых сделок:').count()).toBe(1);
    const mainFields = form.locator('.schema-form > [data-field]');
    const names = await Promise.all(Array.from({ length: await mainFields.count() }, (_, i) => mainFields.nth(i).getAttribute('data-field')));
    expect(names).toEqual([
      'portalUrl',
      'userId',
      'webhookCode',
      'orderTypes',
      'leads',
    ]);
    // Not saved yet: the list cannot be read, the field says why and stays usable.
    await expect.poll(() => section.getByTestId('options-error-stage').textContent()).toContain('Интеграция ещё не настроена');
    expect(await section.getByTestId('options-stage').isDisabled()).toBe(false);
    await screenshot(page, 'ext-01-settings-unsaved');

    await form.getByLabel('URL портала:').fill('https://crm.example.ru');
    await form.getByLabel('ID сотрудника, создавшего вебхуки:').fill('7');
    await form.getByLabel('Код входящего вебхука (batch):').fill('a1b2c3d4e5f6g7h8');
    await page.getByTestId('save-testcrm').click();
    await expect.poll(() => page.getByTestId('notice-testcrm').textContent()).toContain('Сохранено');

    // Saved: the list loads, with the stages for «Все заказы клиентов».
    const options = () => section.getByTestId('options-stage').locator('option').allTextContents();
    await expect.poll(options).toEqual(['—', 'Новая сделка', 'Подготовка макета', 'Сделка успешна']);
    expect(await section.getByTestId('options-error-stage').count()).toBe(0);
    await section.getByTestId('options-stage').selectOption({ label: 'Подготовка макета' });

    // Another order type: the stages of that funnel; the chosen value stays until another is chosen.
    await form.getByLabel('Типы отправляемых заказов:').selectOption('persons');
    await expect.poll(options).toEqual(['—', 'PREPARATION', 'Новый заказ частного лица', 'Печать (частные лица)']);
    await section.getByTestId('options-stage').selectOption({ label: 'Печать (частные лица)' });

    // A column of a mapping table offers the same live list in every row.
    await section.getByRole('button', { name: 'Добавить' }).click();
    await section.locator('[data-field="statusMap[0].status"] input').fill('Printing');
    const rowStage = section.getByTestId('options-statusMap[0].stage');
    await expect.poll(() => rowStage.locator('option').allTextContents()).toEqual(['—', 'Новый заказ частного лица', 'Печать (частные лица)']);
    await rowStage.selectOption({ label: 'Новый заказ частного лица' });
    await page.getByTestId('save-testcrm').click();
    await expect.poll(async () => (await api.services.stores.settings.latest('testcrm'))?.settings).toMatchObject({
      orderTypes: 'persons',
      stage: 'C1:PRINT',
      statusMap: [{ status: 'Printing', stage: 'C1:NEW' }],
    });
    await atWidths('ext-02-settings-section', () => section.getByTestId('options-stage').waitFor());
  });

  it("shows the integration's section on an order card: the id with its link, the button that queues a job, the history's marker", async () => {
    await api.services.stores.links.set(
      api.services.database.db,
      { entityType: 'order', entityId: orderId, system: 'testcrm', kind: 'deal', externalId: 'D-77' },
      new Date().toISOString(),
    );
    await api.services.stores.orders.as({ kind: 'integration', name: 'testcrm', title: 'Тестовая CRM' }).changeStatus(orderId, { status: 'Printing' });
    await page.goto(`${api.baseUrl}/orders/${orderId}`);
    const section = page.getByTestId('sync-testcrm');
    // Never sent from here, yet linked there: «Связан», not «Не отправлялся» beside the deal's id.
    await expect.poll(() => section.getByTestId('sync-state-testcrm').textContent()).toBe('Связан');
    await api.services.stores.syncLog.record({ entityType: 'order', entityId: orderId, system: 'testcrm', operation: 'deal.add', outcome: 'error', error: 'портал ответил 500' });
    await page.reload();
    await section.getByText('Тестовая CRM').waitFor();
    expect(await section.getByTestId('external-id-shown-testcrm-deal').textContent()).toBe('D-77');
    const link = section.getByTestId('external-id-link-testcrm-deal');
    expect(await link.getAttribute('href')).toBe('https://crm.example.ru/crm/deal/details/D-77/');
    expect(await link.getAttribute('target')).toBe('_blank');
    // The history says who moved the order: the integration, marked as one.
    const history = page.getByRole('row').filter({ hasText: 'В печать' });
    await history.getByText('Тестовая CRM').waitFor();
    expect(await history.getByTestId('origin-integration').count()).toBe(1);

    // Where the order stands with the system: the last attempt failed.
    expect(await section.getByTestId('sync-state-testcrm').textContent()).toBe('Ошибка');
    await section.getByText('портал ответил 500').waitFor();

    await section.getByTestId('action-testcrm-send').click();
    await expect.poll(() => section.getByTestId('ext-notice-testcrm').textContent()).toBe('Заказ поставлен в очередь на отправку');
    const jobs = await api.services.queue.list({ name: sendOrderJob.name });
    expect(jobs).toEqual([expect.objectContaining({ name: 'testcrm.sendOrder', payload: { orderId } })]);
    await atWidths('ext-03-order-card', () => section.getByTestId('ext-notice-testcrm').waitFor());

    // «Отправить повторно» while that job still waits: nothing is added, and the card says so.
    await section.getByTestId('resend-testcrm').click();
    await expect.poll(() => section.getByTestId('ext-notice-testcrm').textContent()).toContain('Уже в очереди');
    expect(await api.services.queue.list({ name: sendOrderJob.name })).toHaveLength(1);
  });

  it('edits an id on a person card, runs a button that asks first and shows only while unlinked, and lists the id as a column', async () => {
    await page.goto(`${api.baseUrl}/clients/persons/${personId}`);
    const section = page.getByTestId('sync-testcrm');
    await section.getByLabel('ID контакта в CRM:').waitFor();
    // «Создать контакт в CRM» asks before it calls the integration.
    await section.getByTestId('action-testcrm-create').click();
    await section.getByText('Создать контакт этого клиента в Тестовой CRM?').waitFor();
    await screenshot(page, 'ext-04-person-confirm');
    await section.getByTestId('action-testcrm-create-confirm').click();
    // It answered nothing to show: «Готово»; the card shows the contact it linked, and the button is gone.
    await expect.poll(() => section.getByTestId('ext-notice-testcrm').textContent()).toBe('Готово');
    await expect.poll(() => section.getByTestId('external-id-shown-testcrm-contact').textContent()).toBe(`C-${personId}`);
    expect(await section.getByTestId('action-testcrm-create').count()).toBe(0);
    expect(await section.getByTestId('external-id-testcrm-contact').inputValue()).toBe(`C-${personId}`);

    // Typing a profile change, then saving the id: the typed name is kept, the id is saved.
    await page.getByLabel('Имя:').fill('Ирина-Мария');
    await section.getByTestId('external-id-testcrm-contact').fill('5001');
    await section.getByTestId('external-id-testcrm-contact').press('Enter');
    await expect.poll(() => section.getByTestId('external-id-shown-testcrm-contact').textContent()).toBe('5001');
    expect(await page.getByLabel('Имя:').inputValue()).toBe('Ирина-Мария');
    await page.getByTestId('save-person').click();
    await expect.poll(async () => (await api.request<{ firstName: string; externalIds: unknown }>('GET', `/api/v1/persons/${personId}`)).body).toMatchObject({
      firstName: 'Ирина-Мария',
      externalIds: { testcrm: { contact: '5001' } },
    });
    expect(await section.getByTestId('external-id-link-testcrm-contact').getAttribute('href')).toBe('https://crm.example.ru/crm/contact/details/5001/');
    await atWidths('ext-05-person-card', () => section.getByTestId('external-id-shown-testcrm-contact').waitFor());

    await page.goto(`${api.baseUrl}/clients/persons`);
    const heading = page.getByTestId('column-testcrm-contact');
    expect(await heading.textContent()).toBe('ID контакта в CRM');
    await page.getByTestId('persons-table').getByRole('row').filter({ hasText: 'Соколова' }).getByText('5001').waitFor();
    await screenshot(page, 'ext-06-persons-list-1280');
  });

  it('shows an id column and an editable id for organizations', async () => {
    const org = await api.request<{ id: number }>('POST', '/api/v1/organizations', { title: 'ООО «Полиграф-Сервис»', externalIds: { testcrm: { company: '901' } } });
    await page.goto(`${api.baseUrl}/clients/organizations`);
    expect(await page.getByTestId('column-testcrm-company').textContent()).toBe('ID компании в CRM');
    await page.getByTestId('organizations-table').getByText('901').waitFor();
    await page.goto(`${api.baseUrl}/clients/organizations/${org.body.id}`);
    expect(await page.getByTestId('external-id-testcrm-company').inputValue()).toBe('901');
    // No link declared: the id is shown as text.
    expect(await page.getByTestId('external-id-link-testcrm-company').count()).toBe(0);
    expect(await page.getByTestId('external-id-shown-testcrm-company').textContent()).toBe('901');
  });

  it('shows a parked integration on «ERP и CRM системы» and the health page; «Возобновить» un-parks it', async () => {
    await api.services.stores.alerts.raise({ integration: 'testcrm', kind: 'credentials', message: 'портал ответил 401', jobName: null });
    await page.goto(`${api.baseUrl}/settings/export`);
    const alert = page.getByTestId('alert-testcrm');
    await expect
      .poll(() => alert.textContent())
      .toContain('Работа приостановлена: портал ответил 401. Исправьте настройки и сохраните их — отправка продолжится.');
    await atWidths('ext-07-parked-integrations', () => alert.waitFor());

    await page.getByRole('link', { name: 'Состояние синхронизации' }).click();
    const parked = page.getByTestId('parked-testcrm');
    await parked.getByText('Тестовая CRM').waitFor();
    expect(await parked.textContent()).toContain('портал ответил 401');
    await atWidths('ext-08-parked-health', () => parked.waitFor());

    await page.getByRole('link', { name: 'Выгрузка заказов' }).click();
    await page.getByTestId('resume-testcrm').click();
    await page.getByTestId('message-testcrm').getByText('Работа возобновлена').waitFor();
    await expect.poll(() => alert.count()).toBe(0);
    expect(await api.services.stores.alerts.find('testcrm')).toBeNull();
    await page.getByRole('link', { name: 'Состояние синхронизации' }).click();
    await page.getByTestId('health-systems').waitFor();
    await page.getByRole('heading', { name: 'Состояние синхронизации' }).waitFor();
    expect(await page.getByTestId('parked-integrations').count()).toBe(0);
  });

  it('says the same in English', async () => {
    await page.getByTestId('locale').selectOption('en');
    await page.goto(`${api.baseUrl}/orders/${orderId}`);
    await page.getByTestId('sync-testcrm').getByText('Test CRM', { exact: true }).waitFor();
    await page.getByTestId('action-testcrm-send').getByText('Send to Test CRM').waitFor();
    await page.getByRole('heading', { name: 'External systems' }).waitFor();
    await page.getByTestId('locale').selectOption('ru');
  });
});
