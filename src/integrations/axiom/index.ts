import type { AppExtension } from '../../app.js';
import { axiomSettings } from './settings.js';

/**
 * What the axiom integration plugs into printsync. Today its settings form; its jobs, event
 * subscriptions and resend targets join here as the integration grows (see README.md).
 */
export const axiomExtension: AppExtension = {
  name: axiomSettings.integration,
  settings: axiomSettings,
};
