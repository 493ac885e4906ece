import { defineIntegration } from '../../platform/integration.js';
import { poly1cExchange } from './inbound/index.js';
import { poly1cTemplates } from './panel/index.js';
import { poly1cSettings } from './settings.js';

/**
 * 1С:Полиграфия (P1C-1..P1C-6): the switch and the exchange's settings; the CommerceML site
 * exchange 1C runs against `/1c_exchange` (orders out, statuses back, inbound/ and export/);
 * CSV templates and the matrix calculator (mapping/). See README.md.
 */
export const poly1c = defineIntegration({
  name: 'poly1c',
  title: { ru: '1С:Полиграфия', en: '1C:Poligrafiya' },
  settings: poly1cSettings,
  setup(context) {
    const exchange = poly1cExchange(context);
    const templates = poly1cTemplates(context);
    return {
      jobs: [...exchange.jobs],
      subscriptions: [...exchange.subscriptions],
      routes: {
        inbound: [exchange.inbound],
        api: {
          bodies: templates.api.bodies,
          register: async (router) => {
            await exchange.registerApi(router);
            await templates.api.register(router);
          },
        },
      },
      calculator: templates.calculator,
      panel: { ...templates.panel, cards: [exchange.card], settingsSections: [exchange.settingsSection] },
      backfill: exchange.backfill,
    };
  },
});
