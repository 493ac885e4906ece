import type { Counterparty, Identity, Manager, ParamType, ParamValue, PricedParam, ParamPricing, TemplateRecord } from './model.js';

/**
 * A print shop's ERP at the start: managers, counterparties (valid INNs), the key's integration
 * user, and five templates — business cards, flyers, banners, booklets, and a notebook without a
 * price list. Both emulators start from this seed.
 */
export const SEED_IDENTITY: Identity = { managerId: '17', counterpartyId: '2045' };

export const SEED_MANAGERS: Manager[] = [
  { id: '17', name: 'Иванова Ольга' },
  { id: '18', name: 'Петров Сергей' },
  { id: '23', name: 'Смирнова Анна' },
];

export const SEED_COUNTERPARTIES: Counterparty[] = [
  { id: '2045', name: 'Интернет-магазин', inn: '7707083893' },
  { id: '2051', name: 'ООО «Ромашка»', inn: '7736207543' },
  { id: '2060', name: 'ИП Кузнецов Алексей Викторович', inn: '500100732259' },
  { id: '2077', name: 'АО «Северная типография»', inn: '7702070139' },
];

/** The nine info-only order parameters printsync fills before sending, under their default names. */
export const INFO_PARAM_NAMES = [
  'Файлы заказа',
  'Комментарий',
  'Статус оплаты',
  'Округленная стоимость',
  'Номер заказа',
  'Получатель заказа',
  'Способ доставки',
  'Адрес доставки',
  'Дата выдачи',
] as const;

const INFO_PARAM_TYPES: Record<(typeof INFO_PARAM_NAMES)[number], ParamType> = {
  'Файлы заказа': 'string',
  Комментарий: 'text',
  'Статус оплаты': 'string',
  'Округленная стоимость': 'number',
  'Номер заказа': 'string',
  'Получатель заказа': 'string',
  'Способ доставки': 'string',
  'Адрес доставки': 'text',
  'Дата выдачи': 'date',
};

/** The info-only parameters of one template: some may carry the template's own name, some may be absent. */
function infoParams(options: { renamed?: Partial<Record<(typeof INFO_PARAM_NAMES)[number], string>>; absent?: string[] } = {}): PricedParam[] {
  return INFO_PARAM_NAMES.filter((name) => !options.absent?.includes(name)).map((name) => ({
    id: `info-${INFO_PARAM_NAMES.indexOf(name) + 1}`,
    name: options.renamed?.[name] ?? name,
    type: INFO_PARAM_TYPES[name],
    affectsPrice: false,
  }));
}

type Choice = [value: string, label: string, price?: number];

/**
 * A select parameter the buyer chooses (`affectsPrice: true`, even when its options cost the same:
 * only the info-only parameters say `false`); `pricing` names the kind its options' prices are of.
 */
function select(id: string, name: string, choices: Choice[], extra: { required?: boolean; default?: string; pricing?: 'factor' | 'perUnit' | 'flat'; days?: Record<string, number> } = {}): PricedParam {
  const priced = choices.filter((choice) => choice[2] !== undefined);
  const pricing: ParamPricing | undefined = extra.pricing
    ? ({ kind: extra.pricing, byOption: Object.fromEntries(priced.map(([value, , price]) => [value, price!])), ...(extra.days ? { days: extra.days } : {}) } as ParamPricing)
    : undefined;
  return {
    id,
    name,
    type: 'select',
    ...(extra.required ? { required: true } : {}),
    ...(extra.default !== undefined ? { default: extra.default } : {}),
    options: choices.map(([value, label]) => ({ value, label })),
    affectsPrice: true,
    ...(pricing ? { pricing } : {}),
  };
}

function param(id: string, name: string, type: ParamType, extra: Partial<PricedParam> & { default?: ParamValue } = {}): PricedParam {
  return { id, name, type, affectsPrice: true, ...extra };
}

const packing = (perPackDefault: number, min: number, max: number, amount: number) => ({
  id: 'op-pack',
  name: 'Упаковка',
  params: [param('op-pack-1', 'Изделий в упаковке', 'integer', { required: true, default: perPackDefault, min, max, step: 1, unit: 'шт.', pricing: { kind: 'perBatch', amount } })],
});

const UPDATED_AT = '2024-05-14T09:30:00.000Z';

export function seedTemplates(): TemplateRecord[] {
  return [
    {
      id: 't-12',
      name: 'Визитная карточка',
      version: 3,
      updatedAt: UPDATED_AT,
      quantity: { min: 50, max: 10_000, step: 50, presets: [100, 200, 500, 1000, 2000] },
      orderParams: [
        select('p-paper', 'Бумага', [['coated-300', 'Мелованная 300 г/м²', 1], ['coated-350', 'Мелованная 350 г/м²', 1.2], ['designer-300', 'Дизайнерская 300 г/м²', 1.8]], { required: true, default: 'coated-300', pricing: 'factor' }),
        select('p-colors', 'Красочность', [['4+0', '4+0 (односторонняя)', 1], ['4+4', '4+4 (двусторонняя)', 1.5]], { required: true, default: '4+0', pricing: 'factor' }),
        select('p-lamination', 'Ламинация', [['none', 'Без ламинации', 0], ['matte', 'Матовая 1+1', 0.5], ['gloss', 'Глянцевая 1+1', 0.5]], { default: 'none', pricing: 'perUnit', days: { matte: 1, gloss: 1 } }),
        param('p-corners', 'Скругление углов', 'boolean', { default: false, pricing: { kind: 'perUnit', byOption: { true: 0.2, false: 0 } } }),
        ...infoParams(),
      ],
      details: [{ id: 'd-card', name: 'Визитка', params: [select('d-card-size', 'Формат', [['90x50', '90×50 мм'], ['85x55', '85×55 мм']], { required: true, default: '90x50' })] }],
      operations: [packing(100, 50, 1000, 10)],
      prices: { setup: 300, tiers: [{ from: 50, unit: 3 }, { from: 200, unit: 2 }, { from: 500, unit: 1.4 }, { from: 1000, unit: 1 }, { from: 2000, unit: 0.8 }], productionDays: 2 },
    },
    {
      id: 't-15',
      name: 'Евролистовка (флаер) 4+0',
      version: 7,
      updatedAt: UPDATED_AT,
      quantity: { min: 100, max: 50_000, step: 100, presets: [500, 1000, 2000, 5000, 10_000] },
      orderParams: [
        select('p-payment', 'Вид оплаты', [['cash', 'Наличные', 1], ['card', 'Банковская карта', 1], ['invoice', 'Безналичный расчёт', 1.05]], { required: true, pricing: 'factor' }),
        param('p-promo', 'Промо-код', 'string', { pricing: { kind: 'promo', codes: { ЛЕТО10: 0.9 } } }),
        select('p-delivery', 'Тип доставки', [['pickup', 'Самовывоз', 0], ['courier', 'Курьер', 350]], { default: 'pickup', pricing: 'flat' }),
        select('p-city', 'Город отгрузки', [['msk', 'Москва'], ['spb', 'Санкт-Петербург']]),
        ...infoParams({ renamed: { 'Номер заказа': 'Номер заказа сайта' } }),
      ],
      details: [
        {
          id: 'd-flyer',
          name: 'Флаер',
          params: [select('d-flyer-paper', 'Бумага', [['coated-115', 'Мелованная 115 г/м²', 0.9], ['coated-130', 'Мелованная 130 г/м²', 1], ['coated-170', 'Мелованная 170 г/м²', 1.25]], { required: true, default: 'coated-130', pricing: 'factor' })],
        },
      ],
      operations: [packing(500, 100, 2000, 15)],
      prices: { setup: 500, tiers: [{ from: 100, unit: 4 }, { from: 500, unit: 2.5 }, { from: 1000, unit: 1.6 }, { from: 5000, unit: 1.1 }, { from: 10_000, unit: 0.9 }], productionDays: 3 },
    },
    {
      id: 't-21',
      name: 'Баннер',
      version: 2,
      updatedAt: UPDATED_AT,
      quantity: { min: 1, max: 100, step: 1, presets: [1, 2, 5, 10] },
      orderParams: [
        select('p-material', 'Материал', [['frontlit-440', 'Баннер Frontlit 440 г/м²', 1], ['blockout-510', 'Blockout 510 г/м²', 1.4], ['mesh', 'Сетка', 1.2]], { required: true, pricing: 'factor' }),
        param('p-width', 'Ширина', 'number', { required: true, min: 0.5, max: 5, step: 0.1, unit: 'м', pricing: { kind: 'multiplier' } }),
        param('p-height', 'Высота', 'number', { required: true, min: 0.5, max: 3, step: 0.1, unit: 'м', pricing: { kind: 'multiplier' } }),
        param('p-grommets', 'Люверсы', 'boolean', { default: true, pricing: { kind: 'perUnit', byOption: { true: 150, false: 0 } } }),
        ...infoParams({ renamed: { 'Дата выдачи': 'Дата готовности' } }),
      ],
      details: [{ id: 'd-canvas', name: 'Полотно', params: [select('d-canvas-dpi', 'Разрешение печати', [['720', '720 dpi', 1], ['1440', '1440 dpi', 1.3]], { default: '720', pricing: 'factor' })] }],
      operations: [{ id: 'op-hem', name: 'Проклейка краёв', params: [param('op-hem-1', 'Проклейка', 'boolean', { default: false, pricing: { kind: 'perUnit', byOption: { true: 200, false: 0 } } })] }],
      prices: { setup: 0, tiers: [{ from: 1, unit: 1200 }, { from: 5, unit: 1000 }, { from: 10, unit: 900 }], productionDays: 1 },
    },
    {
      id: 't-30',
      name: 'Буклет',
      version: 1,
      updatedAt: UPDATED_AT,
      quantity: { min: 100, max: 20_000, step: 100, presets: [100, 300, 500, 1000, 3000] },
      orderParams: [
        select('p-format', 'Формат', [['A4', 'A4', 1], ['A3', 'A3', 1.8]], { required: true, pricing: 'factor' }),
        select('p-fold', 'Фальцовка', [['euro', 'Евро (2 фальца)', 1], ['zigzag', 'Гармошка (2 фальца)', 1.1]], { default: 'euro', pricing: 'factor' }),
        ...infoParams({ absent: ['Статус оплаты'] }),
      ],
      details: [
        {
          id: 'd-sheet',
          name: 'Лист',
          params: [
            select('d-sheet-paper', 'Бумага', [['coated-150', 'Мелованная 150 г/м²', 1], ['coated-170', 'Мелованная 170 г/м²', 1.15], ['coated-200', 'Мелованная 200 г/м²', 1.3]], { required: true, default: 'coated-150', pricing: 'factor' }),
            select('d-sheet-colors', 'Красочность', [['4+4', '4+4', 1], ['4+0', '4+0', 0.8]], { default: '4+4', pricing: 'factor' }),
          ],
        },
      ],
      operations: [packing(100, 50, 500, 20)],
      prices: { setup: 800, tiers: [{ from: 100, unit: 12 }, { from: 300, unit: 8 }, { from: 1000, unit: 5.5 }, { from: 3000, unit: 4.2 }], productionDays: 4 },
    },
    {
      id: 't-40',
      name: 'Блокнот с твердой обложкой',
      version: 1,
      updatedAt: UPDATED_AT,
      quantity: { min: 10, max: 1000, step: 10, presets: [10, 50, 100] },
      orderParams: [select('p-size', 'Формат', [['A5', 'A5'], ['A6', 'A6']], { required: true, default: 'A5' }), ...infoParams()],
      details: [{ id: 'd-block', name: 'Блок', params: [param('d-block-pages', 'Листов', 'integer', { required: true, default: 48, min: 24, max: 200 })] }],
      operations: [],
      prices: null,
    },
  ];
}
