import { startAsystemEmulator } from '../../../emulators/asystem/server.js';
import { startAxiomEmulator } from '../../../emulators/axiom/server.js';
import type { ErpEmulator, ErpEmulatorOptions } from '../../../emulators/erp/server.js';

export interface Reply<T = unknown> {
  status: number;
  body: T;
  text: string;
  contentType: string;
}

/** One ERP of the family as a client sees it: how to start it and which headers to send. */
export interface ErpUnderTest {
  name: 'asystem' | 'axiom';
  start(options?: ErpEmulatorOptions): Promise<ErpEmulator>;
  /** The headers a correctly configured client sends. */
  headers(emulator: ErpEmulator): Record<string, string>;
}

export const ASYSTEM: ErpUnderTest = {
  name: 'asystem',
  start: (options) => startAsystemEmulator(options),
  headers: (emulator) => ({ 'x-api-key': emulator.apiKey }),
};

export const AXIOM: ErpUnderTest = {
  name: 'axiom',
  start: (options) => startAxiomEmulator(options),
  headers: (emulator) => ({ 'x-api-key': emulator.apiKey, 'x-api-domain': (emulator as ErpEmulator & { apiDomain: string }).apiDomain }),
};

export const ERPS = [ASYSTEM, AXIOM];

export async function reply<T>(response: Response): Promise<Reply<T>> {
  const text = await response.text();
  const contentType = response.headers.get('content-type') ?? '';
  return { status: response.status, body: (contentType.includes('json') ? JSON.parse(text) : text) as T, text, contentType };
}

/** A call of the ERP API (`path` below the base, e.g. `/ping`) with the given headers. */
export async function call<T = unknown>(emulator: ErpEmulator, headers: Record<string, string>, method: 'GET' | 'POST', path: string, body?: unknown): Promise<Reply<T>> {
  const response = await fetch(`${emulator.baseUrl}${path}`, {
    method,
    headers: { accept: 'application/json', ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return reply<T>(response);
}

/** A client bound to one started emulator, sending the right credentials. */
export function client(erp: ErpUnderTest, emulator: ErpEmulator) {
  const headers = erp.headers(emulator);
  return {
    get: <T = unknown>(path: string) => call<T>(emulator, headers, 'GET', path),
    post: <T = unknown>(path: string, body: unknown) => call<T>(emulator, headers, 'POST', path, body),
  };
}

export async function admin<T = unknown>(emulator: ErpEmulator, method: string, path: string, body?: unknown): Promise<Reply<T>> {
  const response = await fetch(`${emulator.url}/admin/api${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return reply<T>(response);
}

export interface ErrorBody {
  error: { code: string; message: string; param?: string; group?: string };
  order?: Record<string, unknown>;
}
