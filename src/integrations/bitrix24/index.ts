import { defineIntegration } from '../../platform/integration.js';
import { bitrix24Panel } from './panel.js';
import { bitrix24Settings } from './settings.js';

/**
 * Bitrix24 (B24-1..B24-19). Today: the settings form with its live checks, and the ids of
 * deals, contacts, companies and leads on the panel's cards. The export (issue 7) and the
 * events endpoint, reconciliation and telephony (issue 8) plug their jobs, routes and schedules
 * in here; see README.md.
 */
export const bitrix24 = defineIntegration({
  name: 'bitrix24',
  title: { ru: 'Битрикс24', en: 'Bitrix24' },
  settings: bitrix24Settings,
  setup: () => ({ panel: bitrix24Panel }),
});
