import type { z } from 'zod';
import { defineSettings } from '../../settings/definition.js';
import { httpAddress, optionalText, settingsObject, text, toggle } from '../common/fields.js';
import { ErpError, erpSettingsProblem } from '../common/erp/client.js';
import { extraParamNamesField } from '../common/erp/extras.js';
import { asystemClient } from './transport.js';

/**
 * «ASystem» under «ERP и CRM системы»: the connection (AS-1), the identifiers from ASystem
 * (AS-2), the extra order parameters' names (AS-3) and «Автоматически отправлять заказы в ASystem
 * после рендера» (AS-7).
 */

/** ASystem's port when the address names none (the seed: «по умолчанию назначается порт 3000»). */
export const DEFAULT_ASYSTEM_PORT = '3000';

export const asystemSettingsSchema = settingsObject({
  apiHost: httpAddress(
    { title: 'Api Host:', description: 'Адрес сервера ASystem с портом: https://IP-адрес-сервера:порт (без порта — 3000)' },
    { example: 'https://192.168.1.10:3000', normalize: withDefaultPort },
  ),
  apiKey: text({ title: 'Api Key:', description: 'Ключ, заданный в ASystem для авторизации' }, { max: 500 }),
  managerId: optionalText({ title: 'Идентификатор менеджера:', description: 'Заполняется кнопкой «Получить идентификаторы из ASystem»' }, { max: 100 }),
  counterpartyId: optionalText({ title: 'Идентификатор контрагента:', description: 'Заполняется кнопкой «Получить идентификаторы из ASystem»' }, { max: 100 }),
  autoSendAfterRender: toggle({ title: 'Автоматически отправлять заказы в ASystem после рендера' }),
  extraParamNames: extraParamNamesField('ASystem'),
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

interface Identity {
  managerId?: unknown;
  counterpartyId?: unknown;
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

  actions: {
    identity: {
      title: 'Получить идентификаторы из ASystem',
      fills: ['managerId', 'counterpartyId'],
      // The key belongs to an integration user in ASystem with its own manager and counterparty (AS-2).
      async run(settings, { signal }) {
        const answer = await asystemClient(settings).get<Identity>('/integration/identity', { signal });
        const values: Record<string, string> = {};
        if (typeof answer.managerId === 'string' || typeof answer.managerId === 'number') values.managerId = String(answer.managerId);
        if (typeof answer.counterpartyId === 'string' || typeof answer.counterpartyId === 'number') values.counterpartyId = String(answer.counterpartyId);
        if (!values.managerId && !values.counterpartyId) throw new ErpError('asystem', 'server', 'ASystem не назвал идентификаторы менеджера и контрагента для этого ключа');
        return { values, message: `Идентификатор менеджера: ${values.managerId ?? '—'}, контрагента: ${values.counterpartyId ?? '—'}. Сохраните настройки.` };
      },
    },
  },
});
