import { expect } from 'vitest';
import { startAsystemEmulator } from '../../../emulators/asystem/server.js';
import { startAxiomEmulator } from '../../../emulators/axiom/server.js';
import type { AxiomEmulator } from '../../../emulators/axiom/server.js';
import type { ErpEmulator, ErpEmulatorOptions } from '../../../emulators/erp/server.js';
import { asystem } from '../../../src/integrations/asystem/index.js';
import { axiom } from '../../../src/integrations/axiom/index.js';
import type { IntegrationDefinition } from '../../../src/platform/integration.js';
import { startTestApi } from '../../support/api-server.js';
import type { TestApi } from '../../support/api-server.js';
import type { TestDialect } from '../../support/databases.js';
import { expectEventually } from '../../support/eventually.js';

/**
 * What the ASystem and Axiom tests share: a real printsync API with one ERP integration,
 * connected to that ERP's emulator; products bound to the ERP's templates through the API, as an
 * admin does on the product card; what the ERP received read back from the emulator.
 */

// Retried send jobs come back in milliseconds (see src/integrations/common/retry.ts).
process.env.ERP_RETRY_BASE_MS ??= '50';

export interface ErpKind {
  name: 'asystem' | 'axiom';
  product: 'ASystem' | 'Axiom';
  integration: IntegrationDefinition;
  start(options?: ErpEmulatorOptions): Promise<ErpEmulator>;
  /** The settings form as an admin fills it for this emulator. */
  settings(erp: ErpEmulator): Record<string, unknown>;
}

export const ASYSTEM: ErpKind = {
  name: 'asystem',
  product: 'ASystem',
  integration: asystem,
  start: (options) => startAsystemEmulator(options),
  settings: (erp) => ({ apiHost: erp.url, apiKey: erp.apiKey }),
};

export const AXIOM: ErpKind = {
  name: 'axiom',
  product: 'Axiom',
  integration: axiom,
  start: (options) => startAxiomEmulator(options),
  settings: (erp) => {
    const axiomErp = erp as AxiomEmulator;
    return { apiUrl: axiomErp.apiUrl, apiVersion: axiomErp.apiVersion, apiDomain: axiomErp.apiDomain, apiKey: erp.apiKey };
  },
};

export const ERP_KINDS = [ASYSTEM, AXIOM];

export interface SyncLogEntry {
  operation: string;
  outcome: string;
  externalId: string | null;
  error: string | null;
  request: unknown;
}

export interface ErpHarness {
  api: TestApi;
  erp: ErpEmulator;
  kind: ErpKind;
  /** `/api/v1/integrations/<name>`. */
  base: string;
  connect(settings?: Record<string, unknown>): Promise<void>;
  syncTemplates(): Promise<{ templates: number; updated: string[]; missing: string[]; message: string }>;
  /** A product in a category whose primary calculator is the ERP, bound to `templateId`. */
  product(templateId: string, labels?: Record<string, string>): Promise<number>;
  order(lines: Array<{ productId: number; quantity: number; parameters?: Record<string, unknown>; name?: string }>, extra?: Record<string, unknown>): Promise<{ id: number; number: string }>;
  render(orderId: number): Promise<void>;
  send(orderId: number): Promise<void>;
  syncLog(orderId: number): Promise<SyncLogEntry[]>;
  /** Waits until the order's newest sync-log entry of this ERP is `outcome`. */
  settled(orderId: number, outcome?: string, timeoutMs?: number): Promise<SyncLogEntry>;
  close(): Promise<void>;
}

export async function startErpHarness(kind: ErpKind, options: { dialect?: TestDialect; startWorker?: boolean; emulator?: ErpEmulatorOptions } = {}): Promise<ErpHarness> {
  const erp = await kind.start(options.emulator);
  const api = await startTestApi(options.dialect ?? 'sqlite', { integrations: [kind.integration], startWorker: options.startWorker ?? true }).catch(async (error: unknown) => {
    await erp.stop();
    throw error;
  });
  const base = `/api/v1/integrations/${kind.name}`;
  const ok = <T>(response: { status: number; body: T }, status = 200): T => {
    expect(response.status, JSON.stringify(response.body)).toBe(status);
    return response.body;
  };
  const harness: ErpHarness = {
    api,
    erp,
    kind,
    base,
    async connect(settings = {}) {
      const current = await api.request<{ version: number }>('GET', `${base}/settings`);
      ok(await api.request('PUT', `${base}/settings`, { version: current.body.version, enabled: true, settings: { ...kind.settings(erp), ...settings } }));
    },
    syncTemplates: async () => ok(await api.request('POST', `${base}/templates/sync`)),
    async product(templateId, labels = {}) {
      const category = ok(await api.request<{ id: number }>('POST', '/api/v1/categories', { name: `Категория ${templateId}`, calculatorEngine: kind.name, calculatorPrimary: true }), 201);
      const product = ok(
        await api.request<{ id: number }>('POST', '/api/v1/products', { name: `Товар ${templateId}`, categoryId: category.id, tiers: { mode: 'presets', presets: [{ quantity: 100, price: 100_00 }] } }),
        201,
      );
      ok(await api.request('PUT', `${base}/products/${product.id}/template`, { templateId, labels }));
      return product.id;
    },
    async order(lines, extra = {}) {
      const personId =
        extra.personId ??
        ok(await api.request<{ id: number }>('POST', '/api/v1/persons', { lastName: 'Иванова', firstName: 'Ольга', phones: ['+7 916 123-45-67'], emails: ['olga@example.ru'] }), 201).id;
      const items = lines.map((line) => ({ productId: line.productId, name: line.name ?? `Товар ${line.productId}`, quantity: line.quantity, total: 1_000_00, parameters: line.parameters ?? {} }));
      return ok(await api.request<{ id: number; number: string }>('POST', '/api/v1/orders', { site: 'print.example.ru', source: 'site', personId, items, ...extra }), 201);
    },
    async render(orderId) {
      ok(await api.request('POST', `/api/v1/orders/${orderId}/render`, { status: 'ready', archiveUrl: `https://files.example.ru/orders/${orderId}.zip` }));
    },
    async send(orderId) {
      ok(await api.request('POST', `${base}/orders/${orderId}/send`));
    },
    async syncLog(orderId) {
      return ok(await api.request<{ items: SyncLogEntry[] }>('GET', `/api/v1/sync-log?system=${kind.name}&entityType=order&entityId=${orderId}&limit=100`)).items;
    },
    async settled(orderId, outcome = 'ok', timeoutMs = 15_000) {
      return expectEventually(async () => {
        const [last] = await harness.syncLog(orderId);
        expect(last?.outcome, JSON.stringify(last)).toBe(outcome);
        return last!;
      }, { timeoutMs, intervalMs: 50 });
    },
    async close() {
      await api.close();
      await erp.stop();
    },
  };
  return harness;
}
