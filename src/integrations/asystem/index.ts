import { erpIntegrationParts } from '../common/erp/integration.js';
import type { ErpMember } from '../common/erp/family.js';
import { defineIntegration } from '../../platform/integration.js';
import { asystemSummary, asystemTemplate } from './mapping.js';
import type { AsystemSettings } from './settings.js';
import { asystemSettings } from './settings.js';
import { asystemClient } from './transport.js';

/** What makes ASystem a member of the ERP family: its transport, its template JSON, its identifiers. */
export const asystemMember: ErpMember<AsystemSettings> = {
  name: 'asystem',
  product: 'ASystem',
  client: (settings) => asystemClient(settings),
  toSummary: asystemSummary,
  toTemplate: asystemTemplate,
  orderDefaults: (settings) => ({
    ...(settings.managerId && { managerId: settings.managerId }),
    ...(settings.counterpartyId && { counterpartyId: settings.counterpartyId }),
  }),
};

/**
 * ASystem (AS-1..AS-8): settings with «Получить идентификаторы из ASystem», template sync and the
 * product's template, the calculator, sending orders by button and after render. The shared
 * behaviour lives in `../common/erp/`; see README.md.
 */
export const asystem = defineIntegration({
  name: 'asystem',
  title: { ru: 'ASystem', en: 'ASystem' },
  settings: asystemSettings,
  setup: (context) =>
    erpIntegrationParts(context, asystemMember, {
      assumed: 'API ASystem не опубликован: printsync обращается к нему по предполагаемому контракту (пути /api/v1/…, ключ в заголовке X-Api-Key), описанному в docs/erp-contract.md.',
    }),
});
