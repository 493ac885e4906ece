import { startAsystemEmulator } from '../../emulators/asystem/server.js';
import { startAxiomEmulator } from '../../emulators/axiom/server.js';
import type { AxiomEmulator } from '../../emulators/axiom/server.js';
import type { ErpEmulator } from '../../emulators/erp/server.js';

/**
 * The demo's ERPs: the bundled ASystem and Axiom emulators, each connected through printsync's own
 * API as an admin would — settings saved and switched on, templates synced, a category whose
 * primary calculator is that ERP with a product bound to one of its templates — so a new user can
 * price with an ERP and press «Отправить в ASystem» without any setup.
 */
export interface DemoErps {
  asystem: ErpEmulator;
  axiom: AxiomEmulator;
  stop(): Promise<void>;
}

export async function startDemoErps(host: string): Promise<DemoErps> {
  const asystem = await startAsystemEmulator({ host, port: 0 });
  const axiom = await startAxiomEmulator({ host, port: 0 }).catch(async (error: unknown) => {
    await asystem.stop();
    throw error;
  });
  return { asystem, axiom, stop: async () => void (await Promise.all([asystem.stop(), axiom.stop()])) };
}

export async function connectDemoErps(appUrl: string, token: string, erps: DemoErps): Promise<string[]> {
  const call = async (method: string, path: string, body?: unknown): Promise<{ id?: number }> => {
    const response = await fetch(`${appUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const answer = (await response.json()) as { id?: number; message?: string };
    if (!response.ok) throw new Error(`demo: ${method} ${path} failed (${response.status}): ${answer.message ?? ''}`);
    return answer;
  };
  const connect = async (name: string, settings: Record<string, unknown>, category: string, product: string, templateId: string) => {
    await call('PUT', `/api/v1/integrations/${name}/settings`, { version: 0, enabled: true, settings });
    await call('POST', `/api/v1/integrations/${name}/templates/sync`);
    const { id: categoryId } = await call('POST', '/api/v1/categories', { name: category, calculatorEngine: name, calculatorPrimary: true });
    const { id: productId } = await call('POST', '/api/v1/products', { name: product, categoryId, tiers: { mode: 'presets', presets: [{ quantity: 100, price: 610_00 }] } });
    await call('PUT', `/api/v1/integrations/${name}/products/${productId}/template`, { templateId });
    return `«${product}» (категория «${category}»)`;
  };
  return [
    await connect('asystem', { apiHost: erps.asystem.url, apiKey: erps.asystem.apiKey, managerId: '17', counterpartyId: '2045' }, 'Визитки (ASystem)', 'Визитная карточка ASystem', 't-12'),
    await connect('axiom', { apiUrl: erps.axiom.apiUrl, apiVersion: erps.axiom.apiVersion, apiDomain: erps.axiom.apiDomain, apiKey: erps.axiom.apiKey }, 'Листовки (Axiom)', 'Евролистовка Axiom', 't-15'),
  ];
}
