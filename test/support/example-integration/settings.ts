import { z } from 'zod';
import { httpAddress, optionalText, settingsObject, text } from '../../../src/integrations/common/fields.js';
import { defineSettings } from '../../../src/settings/definition.js';
import { ExampleClient } from './transport.js';

/** The example's form: where its system is, the key, the events token, how often to reconcile, a live choice. */
export const exampleSettingsSchema = settingsObject({
  remoteUrl: httpAddress({ title: 'Адрес системы:' }, { example: 'https://crm.example.ru' }),
  apiKey: text({ title: 'Ключ API:' }, { max: 200 }),
  eventToken: optionalText({ title: 'Токен событий:', description: 'Система присылает его в auth[application_token]' }),
  reconcileSeconds: z.number({ error: 'Введите число' }).int().min(1).max(86_400).default(300).meta({ title: 'Сверка, раз в секунд:' }),
  // Its options are read from the system: the panel asks GET /api/v1/integrations/example/stages.
  dealStage: z
    .string()
    .nullish()
    .transform((value) => value ?? null)
    .meta({ title: 'Стадия новой сделки:', 'x-options': { route: 'stages', params: {} } }),
});

export type ExampleSettings = z.output<typeof exampleSettingsSchema>;

export const exampleSettings = defineSettings<ExampleSettings>({
  schema: exampleSettingsSchema,
  secretFields: ['apiKey', 'eventToken'],
  defaults: { reconcileSeconds: 300, eventToken: null, dealStage: null },
  async testConnection(settings, { signal }) {
    const stages = await new ExampleClient(settings).stages(signal);
    return { ok: true, message: `система ${settings.remoteUrl} отвечает, стадий: ${stages.length}` };
  },
});
