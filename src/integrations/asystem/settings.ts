import type { z } from 'zod';
import { defineSettings } from '../../settings/definition.js';
import { httpAddress, settingsObject, text } from '../common/fields.js';
import { ErpError, erpSettingsProblem } from '../common/erp.js';
import { asystemClient } from './transport.js';

/**
 * «ASystem» under «ERP и CRM системы» (AS-1). The identifiers from ASystem (AS-2), the
 * order-parameter names (AS-3) and «Автоматически отправлять заказы в ASystem после рендера»
 * (AS-7) join this schema with their issues.
 */

/** ASystem's port when the address names none (the seed: «по умолчанию назначается порт 3000»). */
export const DEFAULT_ASYSTEM_PORT = '3000';

export const asystemSettingsSchema = settingsObject({
  apiHost: httpAddress(
    { title: 'Api Host:', description: 'Адрес сервера ASystem с портом: https://IP-адрес-сервера:порт (без порта — 3000)' },
    { example: 'https://192.168.1.10:3000', normalize: withDefaultPort },
  ),
  apiKey: text({ title: 'Api Key:', description: 'Ключ, заданный в ASystem для авторизации' }, { max: 500 }),
});

export type AsystemSettings = z.output<typeof asystemSettingsSchema>;

/**
 * `https://host:port` with the port always written out. `URL` drops a port equal to the scheme's
 * default, so whether one was typed is read from the text: `https://host:443` stays 443, while
 * `https://host` becomes `https://host:3000`.
 */
function withDefaultPort(url: URL, typed: string): string {
  const typedPort = /^[a-z][a-z0-9+.-]*:\/\/(\[[^\]]*\]|[^/:?#]*)(?::(\d*))?/i.exec(typed)?.[2];
  const port = typedPort || DEFAULT_ASYSTEM_PORT;
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.protocol}//${url.hostname}:${port}${path}`;
}

interface Ping {
  ok?: unknown;
  version?: unknown;
}

async function ping(settings: AsystemSettings, signal: AbortSignal): Promise<string> {
  const answer = await asystemClient(settings).get<Ping>('/ping', { signal });
  if (answer.ok !== true) throw new ErpError('asystem', 'not-erp', `${settings.apiHost} ответил на проверку без ok: true`);
  return typeof answer.version === 'string' ? answer.version : '';
}

const FIELDS = { key: 'apiKey', address: 'apiHost' };

export const asystemSettings = defineSettings<AsystemSettings>({
  schema: asystemSettingsSchema,
  secretFields: ['apiKey'],
  secretAddresses: { apiKey: 'apiHost' },
  defaults: {},

  async validateLive(settings, { signal }) {
    try {
      await ping(settings, signal);
      return [];
    } catch (error) {
      return [erpSettingsProblem(error, FIELDS)];
    }
  },

  async testConnection(settings, { signal }) {
    try {
      const version = await ping(settings, signal);
      return { ok: true, message: `сервер ASystem ${settings.apiHost} отвечает${version ? `, версия ${version}` : ''}` };
    } catch (error) {
      return { ok: false, message: erpSettingsProblem(error, FIELDS).message };
    }
  },
});
