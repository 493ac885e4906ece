import type { QuantityTiers } from '../../src/domain/catalog.js';

/** Business cards sold in fixed runs, each run priced as a whole (kopecks). */
export const CARD_TIERS: QuantityTiers = {
  mode: 'presets',
  presets: [
    { quantity: 100, price: 59_000 },
    { quantity: 200, price: 89_000 },
    { quantity: 500, price: 149_000 },
    { quantity: 1000, price: 239_000 },
  ],
};

/** Photo prints by the piece, 1 to 1000, cheaper per print from 50 and from 300. */
export const PHOTO_TIERS: QuantityTiers = {
  mode: 'range',
  min: 1,
  max: 1000,
  step: 1,
  prices: [
    { fromQuantity: 1, unitPrice: 2_500 },
    { fromQuantity: 50, unitPrice: 1_900 },
    { fromQuantity: 300, unitPrice: 1_500 },
  ],
};
