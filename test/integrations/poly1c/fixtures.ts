/**
 * 1С:Полиграфия template files for tests and the benchmark (the ASSUMED format of the research
 * note §4.3): a header, one variant per row, `;` and decimal commas as 1C and Excel write them.
 */
export const FORMATS = ['А6 (105х148)', 'А5 (148х210)', 'А4 (210х297)', 'А3 (297х420)', 'А2 (420х594)', 'Евро (99х210)', '90х50', '85х55', '100х70', '200х200'];
export const PAPERS = ['Мелованная 90', 'Мелованная 115', 'Мелованная 130', 'Мелованная 170', 'Мелованная 250', 'Мелованная 300', 'Офсетная 80', 'Офсетная 120', 'Дизайнерская 290', 'Крафт 120'];
export const COLORS = ['4+0', '4+4', '1+0', '1+1'];
export const LAMINATIONS = ['Без ламинации', 'Матовая 1+0', 'Матовая 1+1', 'Глянцевая 1+0', 'Глянцевая 1+1'];
export const TIERS = Array.from({ length: 50 }, (_, i) => (i + 1) * 100);

/** The price (rubles) of a variant of the big file: a documented formula, so tests can check a quote. */
export function bigPrice(f: number, p: number, c: number, l: number, tier: number): number {
  const perSheet = 1 + f * 0.5 + p * 0.25 + c * 0.75 + l * 0.3;
  return Math.round((300 + perSheet * tier * (1 - tier / 20_000)) * 100) / 100;
}

/** 100,000 variants: 10 formats × 10 papers × 4 colors × 5 laminations × 50 tiers, `1 234,50` prices. */
export function bigTemplate(): string {
  const lines = ['Продукция;Формат;Бумага;Красочность;Ламинация;Тираж;Цена'];
  for (let f = 0; f < FORMATS.length; f++)
    for (let p = 0; p < PAPERS.length; p++)
      for (let c = 0; c < COLORS.length; c++)
        for (let l = 0; l < LAMINATIONS.length; l++)
          for (const tier of TIERS) lines.push(`Листовки;${FORMATS[f]};${PAPERS[p]};${COLORS[c]};${LAMINATIONS[l]};${groupThousands(tier)};${rubles(bigPrice(f, p, c, l, tier))}`);
  return `${lines.join('\r\n')}\r\n`;
}

/** `1 234,50` as 1C writes it (a non-breaking space between thousands). */
export function rubles(value: number): string {
  const [whole, fraction] = value.toFixed(2).split('.');
  return `${groupThousands(Number(whole))},${fraction}`;
}

function groupThousands(value: number): string {
  return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0');
}

/**
 * T-shirts whose options depend on each other: a child's shirt comes only in white and only
 * with a front print; A3 only on white. Tiers 10, 50, 100; prices for the whole tier.
 */
export const SHIRTS = [
  'Продукция;Тип;Цвет;Формат;Тираж;Цена',
  'Футболки;Мужская;Белый;А4 (210х297);10;"5 000,00"',
  'Футболки;Мужская;Белый;А4 (210х297);50;"20 000,00"',
  'Футболки;Мужская;Белый;А4 (210х297);100;"35 000,00"',
  'Футболки;Мужская;Белый;А3 (297х420);10;"6 000,00"',
  'Футболки;Мужская;Белый;А3 (297х420);50;"24 000,00"',
  'Футболки;Мужская;Чёрный;А4 (210х297);10;"5 500,00"',
  'Футболки;Мужская;Чёрный;А4 (210х297);50;"22 000,00"',
  'Футболки;Женская;Белый;А4 (210х297);10;"5 000,00"',
  'Футболки;Женская;Красный;А4 (210х297);10;"5 200,00"',
  'Футболки;Детская;Белый;А4 (210х297);10;"4 000,00"',
  'Футболки;Детская;Белый;А4 (210х297);50;"15 000,00"',
].join('\r\n');
