import type { z } from 'zod';
import { defineSettings } from '../../settings/definition.js';
import { httpAddress, settingsObject, text, toggle } from '../common/fields.js';
import { extraParamNamesField } from '../common/erp/extras.js';
import { ErpError, erpSettingsProblem } from '../common/erp/client.js';
import { axiomBaseUrl, axiomClient } from './transport.js';

/**
 * «Axiom» under «ERP и CRM системы» (AX-1): the four fields the vendor issues, «Автоматически
 * отправлять заказы в Axiom после рендера» (AX-3) and the extra order parameters' names, which
 * work as ASystem's (the seed shows no such table for Axiom; the defaults serve until a shop's
 * template names them otherwise).
 */
export const axiomSettingsSchema = settingsObject({
  apiDomain: text({ title: 'Api Domain:', description: 'Тип домена, выданный для интеграции' }, { max: 200 }),
  apiKey: text({ title: 'Api Key:', description: 'Выданный для интеграции ключ' }, { max: 500 }),
  apiUrl: httpAddress({ title: 'Api URL:', description: 'Выданный для интеграции адрес' }, { example: 'https://crm.axiompress.pro' }),
  apiVersion: text(
    { title: 'Api Version:', description: 'Версия API, например v1' },
    { max: 20, pattern: { regex: /^[A-Za-z0-9._-]+$/, message: 'Версия API — латинские буквы, цифры и точки, например v1' } },
  ),
  autoSendAfterRender: toggle({ title: 'Автоматически отправлять заказы в Axiom после рендера' }),
  extraParamNames: extraParamNamesField('Axiom'),
});

export type AxiomSettings = z.output<typeof axiomSettingsSchema>;

/**
 * The contract has no ping: the template list (`GET /templates`, the call template sync makes
 * anyway) is the cheapest authenticated request.
 */
async function listTemplates(settings: AxiomSettings, signal: AbortSignal): Promise<number> {
  const templates = await axiomClient(settings).get<unknown>('/templates', { signal });
  if (!Array.isArray(templates)) throw new ErpError('axiom', 'not-erp', `${axiomBaseUrl(settings)}/templates ответил не списком шаблонов`);
  return templates.length;
}

const FIELDS = { key: 'apiKey', address: 'apiUrl' };

export const axiomSettings = defineSettings<AxiomSettings>({
  schema: axiomSettingsSchema,
  secretFields: ['apiKey'],
  secretAddresses: { apiKey: 'apiUrl' },
  defaults: { apiVersion: 'v1' },

  async validateLive(settings, { signal }) {
    try {
      await listTemplates(settings, signal);
      return [];
    } catch (error) {
      return [erpSettingsProblem(error, FIELDS)];
    }
  },

  async testConnection(settings, { signal }) {
    try {
      const count = await listTemplates(settings, signal);
      return { ok: true, message: `Axiom ${settings.apiUrl} отвечает, шаблонов: ${count}` };
    } catch (error) {
      return { ok: false, message: erpSettingsProblem(error, FIELDS).message };
    }
  },
});
