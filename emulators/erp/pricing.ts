import type { CalcInput, CalcResult, PriceList, PricedParam, RequestParams, TemplateRecord } from './model.js';

/**
 * The price formula (deterministic, so tests can compute what to expect; see README.md):
 *
 *   unit     = tier(quantity) × Π factor(option) × Π multiplier(value) × promo
 *   Печать   = round2(unit × quantity)
 *   Приладка = setup (when above zero)
 *   each perUnit option:   round2(rubles × quantity)
 *   each flat option:      rubles
 *   each perBatch number:  ceil(quantity / value) × amount
 *   price    = the sum of the breakdown (each line already in whole kopecks)
 *   unitPrice = round4(price / quantity)
 *   productionDays = the template's days + the chosen options' days
 *
 * Parameters are taken from the order parameters, then every detail, then every operation, in
 * template order; lines of zero are left out of the breakdown.
 */
export function calculatePrice(template: TemplateRecord & { prices: PriceList }, input: CalcInput): CalcResult {
  const { quantity } = input;
  const prices = template.prices;
  let unit = tierUnit(prices, quantity);
  const lines: { name: string; amount: number }[] = [];
  const extras: { name: string; amount: number }[] = [];
  const warnings: string[] = [];
  let days = prices.productionDays;

  const chosen: { param: PricedParam; value: RequestParams[string]; owner: string | undefined }[] = [];
  const collect = (params: PricedParam[], values: RequestParams | undefined, owner?: string) => {
    for (const param of params) {
      const value = values?.[param.name];
      if (value !== undefined && param.pricing && param.affectsPrice !== false) chosen.push({ param, value, owner });
    }
  };
  collect(template.orderParams, input.orderParams);
  for (const detail of template.details) collect(detail.params, input.details[detail.name]);
  for (const operation of template.operations) collect(operation.params, input.operations[operation.name], operation.name);

  for (const { param, value, owner } of chosen) {
    const pricing = param.pricing!;
    const option = String(value);
    const label = param.type === 'boolean' ? param.name : `${param.name}: ${param.options?.find((o) => o.value === option)?.label ?? option}`;
    switch (pricing.kind) {
      case 'factor':
        unit *= pricing.byOption[option] ?? 1;
        days += pricing.days?.[option] ?? 0;
        break;
      case 'multiplier':
        unit *= Number(value);
        break;
      case 'promo':
        if (option === '') break;
        if (pricing.codes[option] === undefined) warnings.push(`Промо-код «${option}» не найден`);
        else unit *= pricing.codes[option]!;
        break;
      case 'perUnit':
        extras.push({ name: label, amount: round2((pricing.byOption[option] ?? 0) * quantity) });
        days += pricing.days?.[option] ?? 0;
        break;
      case 'flat':
        extras.push({ name: label, amount: pricing.byOption[option] ?? 0 });
        break;
      case 'perBatch': {
        const batches = Math.ceil(quantity / Number(value));
        extras.push({ name: `${owner ?? param.name}: ${batches} уп.`, amount: round2(batches * pricing.amount) });
        break;
      }
    }
  }

  lines.push({ name: `Печать, ${quantity} шт.`, amount: round2(unit * quantity) });
  if (prices.setup > 0) lines.push({ name: 'Приладка', amount: prices.setup });
  const breakdown = [...lines, ...extras].filter((line) => line.amount !== 0);
  const kopecks = breakdown.reduce((sum, line) => sum + Math.round(line.amount * 100), 0);
  const price = kopecks / 100;
  if (!template.quantity.presets.includes(quantity)) warnings.push(`Тираж ${quantity} не входит в стандартные тиражи шаблона`);
  return {
    price,
    unitPrice: Math.round((price / quantity) * 10_000) / 10_000,
    currency: 'RUB',
    breakdown,
    productionDays: days,
    warnings,
    templateVersion: template.version,
  };
}

/** The unit print price of the largest tier whose `from` is at most the quantity. */
export function tierUnit(prices: PriceList, quantity: number): number {
  let unit = prices.tiers[0]?.unit ?? 0;
  for (const tier of prices.tiers) if (tier.from <= quantity) unit = tier.unit;
  return unit;
}

export function round2(value: number): number {
  return Math.round((value + Number.EPSILON) * 100) / 100;
}
