import { ErpClient } from '../common/erp/client.js';

/**
 * HTTP calls to Axiom, through the ERP family's client (`common/erp.ts`).
 *
 * Axiom's API is not public: this follows the contract ASSUMED in
 * `shared/reference/erp-asystem-axiom-1c-pixlpark.md` §3.3 — JSON under `{apiUrl}/api/{apiVersion}`,
 * headers `X-Api-Key` and `X-Api-Domain` (the tenant), the same error envelope as ASystem.
 * Template sync, the calculator and order sending (AX-2, AX-3) add their calls here.
 */
export const API_KEY_HEADER = 'x-api-key';
export const API_DOMAIN_HEADER = 'x-api-domain';

export interface AxiomCredentials {
  apiDomain: string;
  apiKey: string;
  /** No trailing slash. */
  apiUrl: string;
  apiVersion: string;
}

/** `{apiUrl}/api/{apiVersion}`: where every Axiom path starts. */
export function axiomBaseUrl(credentials: Pick<AxiomCredentials, 'apiUrl' | 'apiVersion'>): string {
  return `${credentials.apiUrl}/api/${encodeURIComponent(credentials.apiVersion)}`;
}

export function axiomClient(credentials: AxiomCredentials, options: { timeoutMs?: number } = {}): ErpClient {
  return new ErpClient({
    integration: 'axiom',
    product: 'Axiom',
    baseUrl: axiomBaseUrl(credentials),
    headers: { [API_KEY_HEADER]: credentials.apiKey, [API_DOMAIN_HEADER]: credentials.apiDomain },
    secrets: [credentials.apiKey],
    credentialsLabel: 'Api Key или Api Domain',
    addressLabel: 'Api URL и Api Version',
    timeoutMs: options.timeoutMs,
  });
}
