import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
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

/**
 * A settings form like an integration's: URL, a secret, a choice, a toggle and a number. The
 * messages are the integration's own (Russian), as a real integration declares them.
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
  }),
  secretFields: ['webhookCode'],
  defaults: { orderTypes: 'all', leads: false },
  testConnection: async (settings) => ({ ok: true, message: `портал ${settings.portalUrl} отвечает` }),
});

export const testIntegration = defineIntegration({
  name: 'testcrm',
  title: { ru: 'Тестовая CRM', en: 'Test CRM' },
  settings: testCrmSettings,
  setup: () => ({ jobs: [alwaysFailingJob] }),
});
