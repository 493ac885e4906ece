import type { AppExtension } from '../../app.js';
import { asystemSettings } from './settings.js';

/**
 * What the asystem integration plugs into printsync. Today its settings form; its jobs, event
 * subscriptions and resend targets join here as the integration grows (see README.md).
 */
export const asystemExtension: AppExtension = {
  name: asystemSettings.integration,
  settings: asystemSettings,
};
