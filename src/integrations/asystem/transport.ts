import { ErpClient } from '../common/erp/client.js';

/**
 * HTTP calls to an ASystem server, through the ERP family's client (`common/erp.ts`).
 *
 * ASystem's API is not public: this follows the contract ASSUMED in
 * `shared/reference/erp-asystem-axiom-1c-pixlpark.md` §2.4 — JSON under `{apiHost}/api/v1`, the
 * key in an `X-Api-Key` header. The path prefix and the header are constants here, so the real
 * contract, once known, is a change in this file only. Template sync, the calculator and order
 * sending (AS-4..AS-8) add their calls here.
 */
export const API_PREFIX = '/api/v1';
export const API_KEY_HEADER = 'x-api-key';

export interface AsystemCredentials {
  /** Normalized: `https://host:port`, no trailing slash. */
  apiHost: string;
  apiKey: string;
}

export function asystemClient(credentials: AsystemCredentials, options: { timeoutMs?: number } = {}): ErpClient {
  return new ErpClient({
    integration: 'asystem',
    product: 'ASystem',
    baseUrl: `${credentials.apiHost}${API_PREFIX}`,
    headers: { [API_KEY_HEADER]: credentials.apiKey },
    secrets: [credentials.apiKey],
    credentialsLabel: 'Api Key',
    addressLabel: 'Api Host',
    timeoutMs: options.timeoutMs,
  });
}
