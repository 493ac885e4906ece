import { defineIntegration } from '../../platform/integration.js';
import { asystemSettings } from './settings.js';

/**
 * ASystem (AS-1..AS-8). Today: the settings form with its connection test. Template sync, the
 * calculator and sending orders plug in here with their issue; see README.md.
 */
export const asystem = defineIntegration({
  name: 'asystem',
  title: { ru: 'ASystem', en: 'ASystem' },
  settings: asystemSettings,
  setup: () => ({}),
});
