import type { AppExtension } from './app.js';
import { asystemExtension } from './integrations/asystem/index.js';
import { axiomExtension } from './integrations/axiom/index.js';
import { bitrix24Extension } from './integrations/bitrix24/index.js';
import { poly1cExtension } from './integrations/poly1c/index.js';

/**
 * The integrations this build of printsync runs. This file and `app.ts` are the only places that
 * know both the core and the integrations; the core itself never imports an integration.
 */
export function appExtensions(): AppExtension[] {
  // In the order of the panel's «ERP и CRM системы» list (as in the seed).
  return [bitrix24Extension, asystemExtension, axiomExtension, poly1cExtension];
}
