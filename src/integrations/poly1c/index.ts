import type { AppExtension } from '../../app.js';
import { poly1cSettings } from './settings.js';

/**
 * What the poly1c integration plugs into printsync. Today its settings form; its jobs, event
 * subscriptions and resend targets join here as the integration grows (see README.md).
 */
export const poly1cExtension: AppExtension = {
  name: poly1cSettings.integration,
  settings: poly1cSettings,
};
