import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { z } from 'zod';
import { defineJob } from '../../src/jobs/catalog.js';
import { defineIntegration } from '../../src/platform/integration.js';
import { PermanentJobError } from '../../src/jobs/errors.js';
import { defineSettings } from '../../src/settings/definition.js';

export const SCREENSHOTS = join(process.cwd(), 'test-results', 'panel');

/** Makes sure the built panel and the screenshot folder are there. */
export function buildPanel(): void {
  // test/global-setup.ts has built web/dist once for the whole run; check rather than rebuild,
  // since a rebuild here would empty web/dist under a browser test running in another worker.
  if (!existsSync('web/dist/index.html')) throw new Error('web/dist is missing: run the suite through vitest (its global setup builds it)');
  mkdirSync(SCREENSHOTS, { recursive: true });
}

/**
 * The whole page at the current width. The viewport is stretched to the page's height for the
 * shot (a full-page capture would draw the sticky sidebar where the last scroll left it).
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  const viewport = page.viewportSize() ?? { width: 1280, height: 860 };
  const height = await page.evaluate('document.documentElement.scrollHeight') as number;
  if (height > viewport.height) await page.setViewportSize({ width: viewport.width, height });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
  if (height > viewport.height) await page.setViewportSize(viewport);
}

/** A job that can never succeed: what a dead letter looks like. */
export const alwaysFailingJob = defineJob({
  name: 'testcrm.exportOrder',
  payload: z.object({ orderId: z.number() }),
  maxAttempts: 1,
  handler: async () => {
    throw new PermanentJobError('portal answered 403: the webhook has no "crm" scope');
  },
});

/** «Отправить в Тестовую CRM» on an order card: what the card's button puts in the queue. */
export const sendOrderJob = defineJob({
  name: 'testcrm.sendOrder',
  payload: z.object({ orderId: z.number().int() }),
  handler: async () => {},
});

/** The funnel stages the live list of the «stage» field offers, per type of orders sent. */
export const TEST_STAGES: Record<string, Array<{ value: string; label: string }>> = {
  all: [
    { value: 'NEW', label: 'Новая сделка' },
    { value: 'PREPARATION', label: 'Подготовка макета' },
    { value: 'WON', label: 'Сделка успешна' },
  ],
  persons: [
    { value: 'C1:NEW', label: 'Новый заказ частного лица' },
    { value: 'C1:PRINT', label: 'Печать (частные лица)' },
  ],
  organizations: [{ value: 'C2:NEW', label: 'Новый заказ организации' }],
};

/**
 * A settings form like an integration's: URL, a secret, a choice, a toggle, a number, and a
 * field whose options the integration reads live from its system (by the chosen order types).
 * The messages are the integration's own (Russian), as a real integration declares them.
 */
export const testCrmSettings = defineSettings({
  schema: z.strictObject({
    portalUrl: z.url({ error: 'Введите адрес портала вида https://company.bitrix24.ru' }).meta({ title: 'URL портала:' }),
    userId: z.number().int().positive().meta({ title: 'ID сотрудника, создавшего вебхуки:' }),
    webhookCode: z.string().min(8, 'Код вебхука — не короче 8 символов').meta({ title: 'Код входящего вебхука (batch):' }),
    orderTypes: z.enum(['all', 'persons', 'organizations']).meta({
      title: 'Типы отправляемых заказов:',
      'x-labels': { all: 'Все заказы клиентов', persons: 'Только частные лица', organizations: 'Только организации' },
    }),
    leads: z.boolean().meta({ title: 'Передавать новых клиентов в Битрикс в качестве лидов' }),
    stage: z
      .string()
      .optional()
      .meta({ title: 'Стадия новых сделок:', 'x-options': { route: 'stages', params: { orderTypes: 'orderTypes' } } }),
    // A mapping table whose second column is a live list too.
    statusMap: z
      .array(
        z.object({
          status: z.string().min(1).meta({ title: 'Статус заказа' }),
          stage: z.string().min(1).meta({ title: 'Стадия сделки', 'x-options': { route: 'stages', params: { orderTypes: 'orderTypes' } } }),
        }),
      )
      .optional()
      .meta({ title: 'Соответствие статусов:' }),
  }),
  secretFields: ['webhookCode'],
  defaults: { orderTypes: 'all', leads: false },
  testConnection: async (settings) => ({ ok: true, message: `портал ${settings.portalUrl} отвечает` }),
});

/**
 * The test integration uses every extension point of the panel: sections on the order, person
 * and organization cards (ids with links, an editable id shown as a list column, buttons that
 * call its routes), a subsection of its settings form, and a field with live options.
 */
export const testIntegration = defineIntegration({
  name: 'testcrm',
  title: { ru: 'Тестовая CRM', en: 'Test CRM' },
  settings: testCrmSettings,
  setup: (context) => ({
    jobs: [alwaysFailingJob, sendOrderJob],
    resend: [{ entityType: 'order', job: sendOrderJob, payload: (orderId) => ({ orderId }) }],
    panel: {
      cards: [
        {
          entityType: 'order',
          externalIds: [{ kind: 'deal', label: { ru: 'ID сделки:', en: 'Deal ID:' }, link: '{settings.portalUrl}/crm/deal/details/{id}/' }],
          actions: [{ id: 'send', label: { ru: 'Отправить в Тестовую CRM', en: 'Send to Test CRM' }, route: 'orders/{id}/send' }],
        },
        {
          entityType: 'person',
          externalIds: [
            { kind: 'contact', label: { ru: 'ID контакта в CRM:', en: 'CRM contact ID:' }, editable: true, column: true, link: '{settings.portalUrl}/crm/contact/details/{id}/' },
          ],
          actions: [
            {
              id: 'create',
              label: { ru: 'Создать контакт в CRM', en: 'Create a CRM contact' },
              route: 'persons/{id}/create',
              confirm: { ru: 'Создать контакт этого клиента в Тестовой CRM?', en: 'Create a contact for this client in Test CRM?' },
              whenUnlinked: 'contact',
            },
          ],
        },
        {
          entityType: 'organization',
          externalIds: [{ kind: 'company', label: { ru: 'ID компании в CRM:', en: 'CRM company ID:' }, editable: true, column: true }],
        },
      ],
      settingsSections: [
        {
          id: 'stages',
          title: { ru: 'Стадии сделок', en: 'Deal stages' },
          description: { ru: 'Стадии читаются из воронки портала для выбранных типов заказов.', en: "The stages are read from the portal's funnel for the chosen order types." },
          fields: ['stage', 'statusMap'],
        },
      ],
    },
    routes: {
      api: {
        register(router) {
          router.get('/stages', { schema: { querystring: z.object({ orderTypes: z.string().optional() }) } }, async (request) => {
            // Like a real list: it needs the saved settings (the portal's address and webhook).
            await context.settings.require();
            return { items: TEST_STAGES[request.query.orderTypes ?? 'all'] ?? [] };
          });
          router.post('/orders/:id/send', { schema: { params: z.object({ id: z.coerce.number().int() }) } }, async (request) => {
            await context.enqueue(sendOrderJob, { orderId: request.params.id }, { key: `order:${request.params.id}` });
            return { message: 'Заказ поставлен в очередь на отправку' };
          });
          router.post('/persons/:id/create', { schema: { params: z.object({ id: z.coerce.number().int() }) } }, async (request) => {
            // The contact the CRM made: linked as the person's id there (a real integration uses `context.step`).
            const { id } = request.params;
            await context.transaction((trx) =>
              context.stores.links.set(trx, { entityType: 'person', entityId: id, system: 'testcrm', kind: 'contact', externalId: `C-${id}` }, new Date().toISOString()),
            );
            return {};
          });
        },
      },
    },
  }),
});

/** A fresh browser context as a shop's staff in Moscow sees the panel: Russian, 1280 px wide. */
export async function openPanelPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'ru-RU', timezoneId: 'Europe/Moscow' });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  return page;
}

/** Logs in through the login page and waits until the panel greets the staff member by name. */
export async function logIn(page: Page, baseUrl: string, staff: { login: string; password: string; displayName: string }): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.getByLabel('Логин').fill(staff.login);
  await page.getByLabel('Пароль').fill(staff.password);
  await page.getByRole('button', { name: 'Войти' }).click();
  await page.getByTestId('current-user').getByText(staff.displayName).waitFor();
}
