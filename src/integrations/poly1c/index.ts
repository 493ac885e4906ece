import { defineIntegration } from '../../platform/integration.js';
import { poly1cTemplates } from './panel/index.js';
import { poly1cSettings } from './settings.js';

/**
 * 1С:Полиграфия (P1C-1..P1C-6). Today: the switch. CSV templates, the matrix calculator and the
 * CommerceML exchange (an inbound route with HTTP Basic) plug in here with their issue; see README.md.
 */
export const poly1c = defineIntegration({
  name: 'poly1c',
  title: { ru: '1С:Полиграфия', en: '1C:Poligrafiya' },
  settings: poly1cSettings,
  setup(context) {
    const templates = poly1cTemplates(context);
    return {
      routes: { api: templates.api },
      calculator: templates.calculator,
      panel: templates.panel,
    };
  },
});
