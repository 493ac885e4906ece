import type { PanelExtension } from '../../platform/panel.js';

/**
 * What Bitrix24 shows on the panel's cards: the ids of the deal, contact, company and lead
 * («Bitrix Contact ID», «Bitrix ID» — the seed's labels), editable where the seed lets an admin
 * type a client's real id, and opening the record on the portal.
 */
const onPortal = (path: string) => `{settings.portalUrl}/crm/${path}/details/{id}/`;

export const bitrix24Panel: PanelExtension = {
  cards: [
    {
      entityType: 'order',
      externalIds: [{ kind: 'deal', label: { ru: 'Bitrix ID сделки:', en: 'Bitrix deal ID:' }, link: onPortal('deal') }],
    },
    {
      entityType: 'person',
      externalIds: [
        { kind: 'contact', label: { ru: 'Bitrix Contact ID:', en: 'Bitrix Contact ID:' }, editable: true, column: true, link: onPortal('contact') },
        { kind: 'lead', label: { ru: 'Bitrix Lead ID:', en: 'Bitrix Lead ID:' }, link: onPortal('lead') },
      ],
    },
    {
      entityType: 'organization',
      externalIds: [
        { kind: 'company', label: { ru: 'Bitrix ID:', en: 'Bitrix ID:' }, editable: true, column: true, link: onPortal('company') },
        { kind: 'lead', label: { ru: 'Bitrix Lead ID:', en: 'Bitrix Lead ID:' }, link: onPortal('lead') },
      ],
    },
  ],
};
