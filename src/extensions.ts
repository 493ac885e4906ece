import { asystem } from './integrations/asystem/index.js';
import { axiom } from './integrations/axiom/index.js';
import { bitrix24 } from './integrations/bitrix24/index.js';
import { poly1c } from './integrations/poly1c/index.js';
import type { IntegrationDefinition } from './platform/integration.js';

/**
 * The integrations this build of printsync runs: adding one is a folder under
 * `src/integrations/` and a line here. This file and `app.ts` are the only places that know
 * both the core and the integrations; the core itself never imports an integration.
 */
export function appIntegrations(): IntegrationDefinition[] {
  // In the order of the panel's «ERP и CRM системы» list (as in the seed).
  return [bitrix24, asystem, axiom, poly1c] as IntegrationDefinition[];
}
