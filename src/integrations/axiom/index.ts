import { erpIntegrationParts } from '../common/erp/integration.js';
import type { ErpMember } from '../common/erp/family.js';
import { defineIntegration } from '../../platform/integration.js';
import { axiomSummary, axiomTemplate } from './mapping.js';
import type { AxiomSettings } from './settings.js';
import { axiomSettings } from './settings.js';
import { axiomClient } from './transport.js';

/** What makes Axiom a member of the ERP family: its transport and its template JSON. */
export const axiomMember: ErpMember<AxiomSettings> = {
  name: 'axiom',
  product: 'Axiom',
  client: (settings) => axiomClient(settings),
  toSummary: axiomSummary,
  toTemplate: axiomTemplate,
  orderDefaults: () => ({}),
};

/**
 * Axiom (AX-1..AX-3): the four connection fields, template sync and the product's template, the
 * calculator, sending orders by button and after render — ASystem's code through the ERP
 * family (`../common/erp/`); see README.md.
 */
export const axiom = defineIntegration({
  name: 'axiom',
  title: { ru: 'Axiom', en: 'Axiom' },
  settings: axiomSettings,
  setup: (context) =>
    erpIntegrationParts(context, axiomMember, {
      assumed: 'API Axiom не опубликован: printsync обращается к нему по предполагаемому контракту ({Api URL}/api/{Api Version}/…, заголовки X-Api-Key и X-Api-Domain), описанному в docs/erp-contract.md.',
    }),
});
