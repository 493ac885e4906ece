import type { Bitrix24Emulator } from '../../emulators/bitrix24/server.js';
import type { TestApi } from './api-server.js';

/** The three fields of the form that come from an inbound webhook URL `…/rest/{userId}/{code}/`. */
export function webhookFields(webhookUrl: string): { portalUrl: string; userId: number; webhookCode: string } {
  const url = new URL(webhookUrl);
  const match = /^\/rest\/(\d+)\/([^/]+)\/$/.exec(url.pathname);
  if (!match) throw new Error(`not a webhook URL: ${webhookUrl}`);
  return { portalUrl: url.origin, userId: Number(match[1]), webhookCode: match[2]! };
}

/** Saves the Bitrix24 form pointing at the emulator, switched on (the save checks the portal live). */
export async function connectBitrix24(api: TestApi, b24: Bitrix24Emulator, settings: Record<string, unknown> = {}): Promise<void> {
  const current = await api.request<{ version: number }>('GET', '/api/v1/integrations/bitrix24/settings');
  const saved = await api.request<{ version: number; message?: string }>('PUT', '/api/v1/integrations/bitrix24/settings', {
    version: current.body.version,
    enabled: true,
    settings: { ...webhookFields(b24.webhookUrl), applicationToken: b24.applicationToken, ...settings },
  });
  if (saved.status !== 200) throw new Error(`saving the Bitrix24 settings failed: ${saved.status} ${JSON.stringify(saved.body)}`);
}

/**
 * Reads the portal back through its own REST API, as a person checking Bitrix24 would. These
 * calls share the portal's rate limit with printsync: tests that count limit errors start the
 * emulator with generous limits or read before the export begins.
 */
export async function portalCall<T = unknown>(b24: Bitrix24Emulator, method: string, params: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(`${b24.webhookUrl}${method}.json`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(params) });
  const body = (await response.json()) as { result?: T; error?: string; error_description?: string };
  if ('error' in body) throw new Error(`${method}: ${body.error} ${body.error_description ?? ''}`);
  return body.result as T;
}

/** Every record of a list method (paged by 50). */
export async function portalList<T = Record<string, unknown>>(b24: Bitrix24Emulator, method: string, params: Record<string, unknown> = {}): Promise<T[]> {
  const rows: T[] = [];
  let start = 0;
  for (;;) {
    const response = await fetch(`${b24.webhookUrl}${method}.json`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...params, start }) });
    const body = (await response.json()) as { result: T[]; next?: number; error?: string };
    if (body.error !== undefined) throw new Error(`${method}: ${body.error}`);
    rows.push(...body.result);
    if (body.next === undefined) return rows;
    start = body.next;
  }
}
