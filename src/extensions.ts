import type { AppExtension } from './app.js';

/**
 * The integrations this build of printsync runs. This file and `app.ts` are the only places that
 * know both the core and the integrations; the core itself never imports an integration.
 */
export function appExtensions(): AppExtension[] {
  return [];
}
