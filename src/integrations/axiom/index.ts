import { defineIntegration } from '../../platform/integration.js';
import { axiomSettings } from './settings.js';

/**
 * Axiom (AX-1..AX-3). Today: the settings form with its connection test. Template sync, the
 * calculator and sending orders plug in here with their issue; see README.md.
 */
export const axiom = defineIntegration({
  name: 'axiom',
  title: { ru: 'Axiom', en: 'Axiom' },
  settings: axiomSettings,
  setup: () => ({}),
});
