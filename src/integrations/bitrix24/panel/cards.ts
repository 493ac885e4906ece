import type { PanelExtension } from '../../../platform/panel.js';
import { EVENTS_PATH } from '../inbound/events.js';

/**
 * What Bitrix24 shows on the panel's cards: the ids of the deal, contact, company and lead
 * («Bitrix Contact ID», «Bitrix ID» — the seed's labels), editable where the seed lets an admin
 * type a client's real id, and opening the record on the portal; «Отправить в Битрикс24» on
 * clients that have no Bitrix ID yet (B24-9); «Позвонить клиенту» on orders while the telephony
 * toggle is on (B24-18); the last change that came from Bitrix24; and in its settings the
 * status mapping, the events address to paste into the portal, and the limits.
 */
const onPortal = (path: string) => `{settings.portalUrl}/crm/${path}/details/{id}/`;
const send = { ru: 'Отправить в Битрикс24', en: 'Send to Bitrix24' };
const lastChange = (route: string) => ({ id: 'lastChange', title: { ru: 'Последнее изменение из Битрикс24', en: 'Last change from Bitrix24' }, route });

export const bitrix24Panel: PanelExtension = {
  cards: [
    {
      entityType: 'order',
      externalIds: [{ kind: 'deal', label: { ru: 'Bitrix ID сделки:', en: 'Bitrix deal ID:' }, link: onPortal('deal') }],
      actions: [
        {
          id: 'call',
          label: { ru: 'Позвонить клиенту через Битрикс24', en: 'Call the client via Bitrix24' },
          route: 'orders/{id}/call',
          whenSetting: 'telephonyEnabled',
        },
      ],
      details: [lastChange('orders/{id}/last-change')],
    },
    {
      entityType: 'person',
      externalIds: [
        { kind: 'contact', label: { ru: 'Bitrix Contact ID:', en: 'Bitrix Contact ID:' }, editable: true, column: true, link: onPortal('contact') },
        { kind: 'lead', label: { ru: 'Bitrix Lead ID:', en: 'Bitrix Lead ID:' }, link: onPortal('lead') },
      ],
      actions: [{ id: 'send', label: send, route: 'persons/{id}/send', whenUnlinked: 'contact' }],
      details: [lastChange('persons/{id}/last-change')],
    },
    {
      entityType: 'organization',
      externalIds: [
        { kind: 'company', label: { ru: 'Bitrix ID:', en: 'Bitrix ID:' }, editable: true, column: true, link: onPortal('company') },
        { kind: 'lead', label: { ru: 'Bitrix Lead ID:', en: 'Bitrix Lead ID:' }, link: onPortal('lead') },
      ],
      actions: [{ id: 'send', label: send, route: 'organizations/{id}/send', whenUnlinked: 'company' }],
      details: [lastChange('organizations/{id}/last-change')],
    },
  ],
  settingsSections: [
    {
      id: 'statusMap',
      title: { ru: 'Соответствие стадий сделки и статусов заказа', en: 'Deal stages and order statuses' },
      description: {
        ru: 'Стадии читаются с портала для выбранного направления. Сохраните подключение, чтобы список стадий обновился.',
        en: 'Stages are read from the portal for the chosen funnel. Save the connection to refresh the list.',
      },
      fields: ['stageToStatus', 'statusToStage'],
    },
    {
      id: 'events',
      title: { ru: 'Изменения из Битрикс24 (исходящий вебхук)', en: 'Changes from Bitrix24 (outgoing webhook)' },
      description: {
        ru: 'В Битрикс24 откройте «Разработчикам → Другое → Исходящий вебхук», вставьте этот адрес в поле «URL обработчика», выберите события сделок, контактов, компаний, лидов и товаров, а «Токен приложения» из вебхука впишите в поле «Токен исходящего вебхука» выше.',
        en: 'In Bitrix24 open “Developer resources → Other → Outgoing webhook”, paste this address as the “Handler URL”, choose the deal, contact, company, lead and product events, and copy its “Application token” into “Outgoing webhook token” above.',
      },
      fields: ['reconcileMinutes'],
      copyFields: [{ id: 'eventsUrl', label: { ru: 'URL обработчика', en: 'Handler URL' }, path: EVENTS_PATH }],
    },
    {
      id: 'limits',
      title: { ru: 'Лимиты портала', en: 'Portal limits' },
      fields: ['requestsPerSecond', 'requestBurst'],
    },
  ],
};
