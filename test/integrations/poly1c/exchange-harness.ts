import { expect } from 'vitest';
import { OneCExchangeClient } from '../../../emulators/poly1c/client.js';
import type { OneCExchangeOptions } from '../../../emulators/poly1c/client.js';
import { poly1c } from '../../../src/integrations/poly1c/index.js';
import type { CardDetailsAnswer } from '../../../src/platform/panel.js';
import { startTestApi } from '../../support/api-server.js';
import type { TestApi } from '../../support/api-server.js';
import type { TestDialect } from '../../support/databases.js';
import { expectEventually } from '../../support/eventually.js';

/**
 * A real printsync with 1С:Полиграфия switched on, and the emulated 1C (emulators/poly1c) running
 * the site exchange against it over HTTP, as 1C does.
 */

export const LOGIN = 'obmen-1c';
export const PASSWORD = 'Пароль-1С-секрет';

export interface ExchangeHarness {
  api: TestApi;
  /** `http://…/1c_exchange`. */
  exchangeUrl: string;
  oneC(options?: Partial<OneCExchangeOptions>): OneCExchangeClient;
  configure(settings?: Record<string, unknown>): Promise<void>;
  person(organizationId?: number): Promise<number>;
  organization(): Promise<number>;
  order(extra?: Record<string, unknown>): Promise<{ id: number; number: string; version: number }>;
  /** Waits until the order is marked for the next `query` (the job of its change ran). */
  due(orderId: number): Promise<void>;
  card(orderId: number): Promise<CardDetailsAnswer>;
  getOrder(orderId: number): Promise<Record<string, unknown> & { status: string; version: number; payment: { status: string }; externalIds: Record<string, Record<string, string>>; statusHistory: Array<{ to: string; changedBy: string; origin: { kind: string; name: string } | null }> }>;
  close(): Promise<void>;
}

export async function startExchangeHarness(options: { dialect?: TestDialect } = {}): Promise<ExchangeHarness> {
  const api = await startTestApi(options.dialect ?? 'sqlite', { integrations: [poly1c], startWorker: true });
  const exchangeUrl = `${api.baseUrl}/1c_exchange`;
  const ok = <T>(response: { status: number; body: T }, status = 200): T => {
    expect(response.status, JSON.stringify(response.body)).toBe(status);
    return response.body;
  };
  const harness: ExchangeHarness = {
    api,
    exchangeUrl,
    oneC: (overrides = {}) => new OneCExchangeClient({ url: exchangeUrl, login: LOGIN, password: PASSWORD, ...overrides }),
    async configure(settings = {}) {
      const current = ok(await api.request<{ version: number }>('GET', '/api/v1/integrations/poly1c/settings'));
      ok(
        await api.request('PUT', '/api/v1/integrations/poly1c/settings', {
          version: current.version,
          enabled: true,
          settings: { exchangeLogin: LOGIN, exchangePassword: PASSWORD, schemaVersion: '2.08', encoding: 'utf-8', ...settings },
        }),
      );
    },
    async person(organizationId) {
      return ok(
        await api.request<{ id: number }>('POST', '/api/v1/persons', {
          ...(organizationId !== undefined && { organizationId }),
          lastName: 'Иванова',
          firstName: 'Ольга',
          middleName: 'Петровна',
          phones: ['+7 916 123-45-67'],
          emails: ['olga@example.ru'],
        }),
        201,
      ).id;
    },
    async organization() {
      return ok(await api.request<{ id: number }>('POST', '/api/v1/organizations', { title: 'ООО «Типография Восток»', inn: '7707083893', kpp: '773601001' }), 201).id;
    },
    async order(extra = {}) {
      const personId = (extra.personId as number | undefined) ?? (await harness.person());
      return ok(
        await api.request<{ id: number; number: string; version: number }>('POST', '/api/v1/orders', {
          site: 'print.example.ru',
          source: 'site',
          personId,
          items: [
            { name: 'Визитки', quantity: 500, total: 1_250_50, parameters: { Формат: '90x50', Бумага: 'Мелованная 350 г/м²', Ламинация: true } },
            { name: 'Листовки', quantity: 1000, total: 3_000_00, parameters: {} },
          ],
          delivery: { method: 'Курьер', address: 'Москва, ул. Полиграфистов, 1', recipient: 'Иванова Ольга', price: 300_00 },
          payment: { status: 'not_paid', method: 'Банковская карта' },
          comment: 'Позвонить перед доставкой',
          ...extra,
        }),
        201,
      );
    },
    async due(orderId) {
      await expectEventually(async () => {
        const card = await harness.card(orderId);
        expect(card.rows.map((row) => row.label)).toContain('Ожидает выгрузки в 1С');
      }, { timeoutMs: 10_000, intervalMs: 25 });
    },
    card: async (orderId) => ok(await api.request<CardDetailsAnswer>('GET', `/api/v1/integrations/poly1c/orders/${orderId}/exchange`)),
    getOrder: async (orderId) => ok(await api.request('GET', `/api/v1/orders/${orderId}`)) as never,
    close: () => api.close(),
  };
  return harness;
}
