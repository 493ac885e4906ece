import type { CalculatorEngine, Category, Product, QuantityTiers } from '../domain/catalog.js';
import { categoryCreateSchema, productCreateSchema } from '../domain/catalog.js';
import type { CategoryStore } from '../store/categories.js';
import type { ProductStore } from '../store/products.js';

/**
 * A realistic print-shop catalog for `printsync demo`: prices are 2026 Moscow-ish retail in
 * kopecks (129 000 = 1 290 ₽). Business cards and flyers come in fixed runs, photo prints and
 * t-shirts by the piece with volume breaks — the two kinds of «тиражность».
 */

export interface SeedCategory {
  key: string;
  name: string;
  parent?: string;
  calculatorEngine?: CalculatorEngine;
  calculatorPrimary?: boolean;
}

export interface SeedProduct {
  category: string;
  name: string;
  sku: string;
  description?: string;
  tiers: QuantityTiers;
}

/** Sizes a t-shirt order item carries in its `parameters` (`{ size: 'L' }`). */
export const TSHIRT_SIZES = ['XS', 'S', 'M', 'L', 'XL', 'XXL'] as const;

const rub = (rubles: number): number => Math.round(rubles * 100);

const presets = (runs: Array<[quantity: number, rubles: number]>): QuantityTiers => ({
  mode: 'presets',
  presets: runs.map(([quantity, rubles]) => ({ quantity, price: rub(rubles) })),
});

const range = (min: number, max: number, step: number, breaks: Array<[fromQuantity: number, rublesEach: number]>): QuantityTiers => ({
  mode: 'range',
  min,
  max,
  step,
  prices: breaks.map(([fromQuantity, rubles]) => ({ fromQuantity, unitPrice: rub(rubles) })),
});

// Parents come before their children: seedCatalog creates them in this order.
export const DEMO_CATEGORIES: readonly SeedCategory[] = [
  { key: 'printing', name: 'Полиграфия' },
  { key: 'cards', name: 'Визитки', parent: 'printing', calculatorPrimary: true },
  // As in the seed platform's ASystem example: the ERP calculator is set up, the builtin one still prices.
  { key: 'flyers', name: 'Листовки', parent: 'printing', calculatorEngine: 'asystem' },
  { key: 'booklets', name: 'Буклеты', parent: 'printing' },
  { key: 'photo', name: 'Фотопечать', calculatorPrimary: true },
  { key: 'souvenirs', name: 'Сувенирная продукция' },
  // The seed platform's 1С:Полиграфия example category; P1C-4 prices it from the tiers.
  { key: 'tshirts', name: 'Футболки', parent: 'souvenirs', calculatorEngine: 'poly1c', calculatorPrimary: true },
  { key: 'mugs', name: 'Кружки', parent: 'souvenirs' },
];

export const DEMO_PRODUCTS: readonly SeedProduct[] = [
  {
    category: 'cards',
    name: 'Визитки 90×50, 4+4, мелованная 300 г/м²',
    sku: 'VIZ-9050-44-M300',
    description: 'Двусторонняя полноцветная печать, матовая мелованная бумага 300 г/м², срок 1–2 рабочих дня.',
    tiers: presets([[100, 1290], [200, 1890], [500, 2990], [1000, 4490]]),
  },
  {
    category: 'cards',
    name: 'Визитки 90×50, 4+0, мелованная 300 г/м²',
    sku: 'VIZ-9050-40-M300',
    description: 'Односторонняя полноцветная печать, оборот белый.',
    tiers: presets([[100, 890], [200, 1290], [500, 2190], [1000, 3290]]),
  },
  {
    category: 'cards',
    name: 'Визитки 90×50, 4+4, дизайнерская бумага 300 г/м²',
    sku: 'VIZ-9050-44-D300',
    description: 'Бумага с фактурой «лён», печать с двух сторон.',
    tiers: presets([[100, 2490], [200, 3990], [500, 7990]]),
  },
  {
    category: 'flyers',
    name: 'Листовки A5, 4+4, мелованная 130 г/м²',
    sku: 'LST-A5-44-M130',
    tiers: presets([[100, 1990], [250, 2990], [500, 3990], [1000, 5490], [2000, 8990], [5000, 17990]]),
  },
  {
    category: 'flyers',
    name: 'Листовки A4, 4+0, мелованная 130 г/м²',
    sku: 'LST-A4-40-M130',
    tiers: presets([[100, 2990], [250, 4490], [500, 6990], [1000, 10990], [2000, 18990]]),
  },
  {
    category: 'flyers',
    name: 'Евролистовка 99×210, 4+4, мелованная 150 г/м²',
    sku: 'LST-EURO-44-M150',
    description: 'Любой тираж от 100 до 5000 с шагом 100; цена за штуку снижается с тиражом.',
    tiers: range(100, 5000, 100, [[100, 12], [500, 7], [1000, 5], [3000, 3.8]]),
  },
  {
    category: 'booklets',
    name: 'Буклет A4, 2 фальца, мелованная 150 г/м²',
    sku: 'BKL-A4-2F-M150',
    tiers: presets([[100, 4990], [500, 12990], [1000, 19990]]),
  },
  {
    category: 'photo',
    name: 'Фото 10×15',
    sku: 'PH-10x15',
    description: 'Фотобумага глянцевая или матовая, печать от 1 штуки.',
    tiers: range(1, 1000, 1, [[1, 25], [50, 19], [100, 16], [300, 14], [500, 12]]),
  },
  {
    category: 'photo',
    name: 'Фото 15×21',
    sku: 'PH-15x21',
    tiers: range(1, 500, 1, [[1, 45], [50, 39], [100, 35]]),
  },
  {
    category: 'photo',
    name: 'Фото 20×30',
    sku: 'PH-20x30',
    tiers: range(1, 200, 1, [[1, 120], [20, 99]]),
  },
  {
    category: 'tshirts',
    name: 'Футболка мужская белая, печать A4',
    sku: 'TS-M-WHT-A4',
    description: `Хлопок 100 %, 160 г/м², DTF-печать на груди. Размеры: ${TSHIRT_SIZES.join(', ')}.`,
    tiers: range(1, 500, 1, [[1, 1490], [10, 1290], [50, 1090], [100, 990]]),
  },
  {
    category: 'tshirts',
    name: 'Футболка женская белая, печать A4',
    sku: 'TS-W-WHT-A4',
    description: `Хлопок 100 %, приталенная, DTF-печать. Размеры: ${TSHIRT_SIZES.join(', ')}.`,
    tiers: range(1, 500, 1, [[1, 1490], [10, 1290], [50, 1090], [100, 990]]),
  },
  {
    category: 'tshirts',
    name: 'Футболка чёрная, печать A3',
    sku: 'TS-U-BLK-A3',
    description: `Унисекс, хлопок 180 г/м², печать на спине. Размеры: ${TSHIRT_SIZES.join(', ')}.`,
    tiers: range(1, 500, 1, [[1, 1990], [10, 1790], [50, 1490]]),
  },
  {
    category: 'mugs',
    name: 'Кружка белая 330 мл с печатью',
    sku: 'MUG-WHT-330',
    description: 'Сублимационная печать по кругу, можно мыть в посудомоечной машине.',
    tiers: range(1, 100, 1, [[1, 590], [10, 490], [50, 420]]),
  },
];

export interface SeededCatalog {
  /** By the seed's category key (`cards`, `photo`, …). */
  categories: Record<string, Category>;
  /** By SKU. */
  products: Record<string, Product>;
}

/**
 * Creates the demo catalog through the stores, so it passes the same validation as the API.
 * Meant for a fresh database (the demo command); running it twice makes a second copy.
 */
export async function seedCatalog(stores: { categories: CategoryStore; products: ProductStore }): Promise<SeededCatalog> {
  const categories: Record<string, Category> = {};
  for (const seed of DEMO_CATEGORIES) {
    const parentId = seed.parent ? categories[seed.parent]?.id : undefined;
    if (seed.parent && parentId === undefined) throw new Error(`catalog seed: category ${seed.key} comes before its parent ${seed.parent}`);
    categories[seed.key] = await stores.categories.create(
      categoryCreateSchema.parse({
        name: seed.name,
        parentId,
        calculatorEngine: seed.calculatorEngine,
        calculatorPrimary: seed.calculatorPrimary,
      }),
    );
  }
  const products: Record<string, Product> = {};
  for (const seed of DEMO_PRODUCTS) {
    const category = categories[seed.category];
    if (!category) throw new Error(`catalog seed: product ${seed.sku} names an unknown category ${seed.category}`);
    products[seed.sku] = await stores.products.create(
      productCreateSchema.parse({ name: seed.name, sku: seed.sku, description: seed.description, categoryId: category.id, tiers: seed.tiers }),
    );
  }
  return { categories, products };
}
