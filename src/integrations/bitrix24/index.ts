import type { AppExtension } from '../../app.js';
import { bitrix24Settings } from './settings.js';

/**
 * What the bitrix24 integration plugs into printsync. Today its settings form; its jobs, event
 * subscriptions and resend targets join here as the integration grows (see README.md).
 */
export const bitrix24Extension: AppExtension = {
  name: bitrix24Settings.integration,
  settings: bitrix24Settings,
};
