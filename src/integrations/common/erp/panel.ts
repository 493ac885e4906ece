import type { PanelExtension } from '../../../platform/panel.js';

/**
 * An ERP's part of the panel: its order ids and «Отправить в …» on the order card with the ERP
 * orders made from it, the template block on the product card, and the settings subsections.
 */
export function erpPanel(product: string, options: { extraFields: readonly string[]; assumed: string }): PanelExtension {
  return {
    cards: [
      {
        entityType: 'order',
        externalIds: [
          { kind: 'order', label: { ru: `ID заказа в ${product}`, en: `${product} order ID` }, column: true },
          { kind: 'number', label: { ru: `Номер заказа в ${product}`, en: `${product} order number` } },
        ],
        actions: [{ id: 'send', label: { ru: `Отправить в ${product}`, en: `Send to ${product}` }, route: 'orders/{id}/send' }],
        details: [{ id: 'erpOrders', title: { ru: `Заказы в ${product}`, en: `Orders in ${product}` }, route: 'orders/{id}/erp-orders' }],
      },
    ],
    settingsSections: [
      {
        id: 'extraParams',
        title: { ru: 'Дополнительные параметры заказа', en: 'Extra order parameters' },
        description: {
          ru: `Название параметра заказа по умолчанию → Название параметра заказа в ${product}. Поиск параметра в шаблоне идёт по названию: после переименования в ${product} впишите здесь новое.`,
          en: `Default order parameter name → its name in the ${product} template. Parameters are found by name: after a rename in ${product}, enter the new name here.`,
        },
        fields: options.extraFields,
      },
    ],
    productTemplate: {
      title: { ru: `Выбор шаблона ${product}`, en: `${product} template` },
      syncLabel: { ru: `синхронизировать шаблоны с сервером ${product}`, en: `sync templates with the ${product} server` },
      groupTitles: {
        order: { ru: `Параметры заказа шаблона ${product}`, en: `Order parameters of the ${product} template` },
        detail: { ru: `Параметры деталей шаблона ${product}`, en: `Detail parameters of the ${product} template` },
        operation: { ru: `Параметры операций шаблона ${product}`, en: `Operation parameters of the ${product} template` },
      },
      sourceNameColumn: { ru: `Название параметра в ${product}`, en: `Parameter name in ${product}` },
      description: { ru: options.assumed, en: `The ${product} HTTP API is not published: printsync uses an assumed contract (docs/erp-contract.md).` },
    },
  };
}
