import type { ErpDialect } from '../erp/dialect.js';
import { randomApiKey, startErpEmulator, type ErpEmulator, type ErpEmulatorOptions } from '../erp/server.js';
import { groupView, paramView, templateHead } from '../erp/views.js';

/** ASystem: `{apiHost}/api/v1`, the key in `X-Api-Key`, templates as `orderParams`, `details[]`, `operations[]`. */
export const ASYSTEM_BASE_PATH = '/api/v1';

export function asystemDialect(apiKey: string): ErpDialect {
  return {
    system: 'asystem',
    productVersion: '2.3.1',
    basePath: ASYSTEM_BASE_PATH,
    apiPath: (path) => (path.startsWith(`${ASYSTEM_BASE_PATH}/`) ? path.slice(ASYSTEM_BASE_PATH.length) : undefined),
    credentials: { 'x-api-key': apiKey },
    secretHeaders: ['x-api-key'],
    unauthorizedMessage: 'Неверный ключ API',
    renderTemplate: (template) => ({
      ...templateHead(template),
      orderParams: template.orderParams.map(paramView),
      details: template.details.map(groupView),
      operations: template.operations.map(groupView),
    }),
  };
}

export interface AsystemEmulator extends ErpEmulator {
  /** What goes into «Api Host»: the root URL, e.g. `http://127.0.0.1:41234` (the same as `url`). */
  apiHost: string;
}

/** Starts an emulated ASystem server; resolves once it listens. */
export async function startAsystemEmulator(options: ErpEmulatorOptions = {}): Promise<AsystemEmulator> {
  const apiKey = options.apiKey ?? randomApiKey();
  const emulator = await startErpEmulator(asystemDialect(apiKey), apiKey, options);
  return { ...emulator, apiHost: emulator.url };
}
