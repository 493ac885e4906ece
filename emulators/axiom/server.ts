import type { ErpDialect } from '../erp/dialect.js';
import { randomApiKey, startErpEmulator, type ErpEmulator, type ErpEmulatorOptions } from '../erp/server.js';
import { groupView, paramView, templateHead } from '../erp/views.js';

/** Axiom serves API version `v1` only: `{apiUrl}/api/v1`; any other version is a bare 404. */
export const AXIOM_API_VERSION = 'v1';
export const DEFAULT_AXIOM_DOMAIN = 'print-shop';

/** Axiom: `{apiUrl}/api/{apiVersion}`, headers `X-Api-Key` and `X-Api-Domain`, templates as `groups[]` with `kind`. */
export function axiomDialect(apiKey: string, apiDomain: string): ErpDialect {
  const basePath = `/api/${AXIOM_API_VERSION}`;
  return {
    system: 'axiom',
    productVersion: '1.8.0',
    basePath,
    apiPath: (path) => (path.startsWith(`${basePath}/`) ? path.slice(basePath.length) : undefined),
    credentials: { 'x-api-key': apiKey, 'x-api-domain': apiDomain },
    secretHeaders: ['x-api-key'],
    unauthorizedMessage: 'Неверный ключ API или домен',
    renderTemplate: (template) => ({
      ...templateHead(template),
      groups: [
        { kind: 'order', id: 'order', name: 'Параметры заказа', params: template.orderParams.map(paramView) },
        ...template.details.map((detail) => ({ kind: 'detail', ...groupView(detail) })),
        ...template.operations.map((operation) => ({ kind: 'operation', ...groupView(operation) })),
      ],
    }),
  };
}

export interface AxiomEmulatorOptions extends ErpEmulatorOptions {
  /** The tenant the ERP accepts in `X-Api-Domain`; default `print-shop`. */
  apiDomain?: string;
}

export interface AxiomEmulator extends ErpEmulator {
  /** What goes into «API URL»: the root URL (the same as `url`). */
  apiUrl: string;
  /** «API Version»: `v1`. */
  apiVersion: string;
  /** «API Domain»: the tenant. */
  apiDomain: string;
}

/** Starts an emulated Axiom server; resolves once it listens. */
export async function startAxiomEmulator(options: AxiomEmulatorOptions = {}): Promise<AxiomEmulator> {
  const apiKey = options.apiKey ?? randomApiKey();
  const apiDomain = options.apiDomain ?? DEFAULT_AXIOM_DOMAIN;
  const emulator = await startErpEmulator(axiomDialect(apiKey, apiDomain), apiKey, options);
  return { ...emulator, apiUrl: emulator.url, apiVersion: AXIOM_API_VERSION, apiDomain };
}
