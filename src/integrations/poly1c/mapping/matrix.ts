/**
 * A 1C price matrix in memory (P1C-3): columns of value codes, one per parameter, the quantity
 * axis and the prices, as typed arrays — 100,000 variants take a few megabytes. Quotes look up
 * the chosen combination in a hash index (one map lookup); the options still possible for each
 * parameter come from one pass over the rows.
 */

export type TierStrategy = 'floor' | 'exact' | 'interpolate';
export const TIER_STRATEGIES: readonly TierStrategy[] = ['floor', 'exact', 'interpolate'];

export interface MatrixParameter {
  /** The column's name in the file: the parameter's key and its label. */
  name: string;
  /** Its values in the order they first appear in the file. */
  values: string[];
}

/** The matrix as stored (integration record): typed arrays in base64. */
export interface StoredMatrix {
  format: 1;
  file: string;
  product: string | null;
  priceName: string;
  quantityName: string | null;
  parameters: MatrixParameter[];
  variants: number;
  codeWidth: 2 | 4;
  codes: string[];
  quantities: string | null;
  prices: string;
}

/** The price rows of one combination, by quantity ascending. */
export interface TierRows {
  quantities: number[];
  prices: number[];
}

export class MatrixBuilder {
  readonly #lookup: Array<Map<string, number>>;
  readonly #values: string[][];
  #codes: Uint32Array[];
  #quantities: Float64Array;
  #prices: Float64Array;
  #count = 0;
  #products = new Set<string>();
  /** Combination (and quantity) → its first line and price: the same variant twice with another price is refused. */
  readonly #seen = new Map<string, number>();
  readonly #seenPrice: number[] = [];
  readonly #seenLine: number[] = [];

  constructor(
    private readonly file: string,
    private readonly names: readonly string[],
    private readonly hasQuantity: boolean,
  ) {
    this.#lookup = names.map(() => new Map());
    this.#values = names.map(() => []);
    this.#codes = names.map(() => new Uint32Array(1024));
    this.#quantities = new Float64Array(hasQuantity ? 1024 : 0);
    this.#prices = new Float64Array(1024);
  }

  get variants(): number {
    return this.#count;
  }

  noteProduct(name: string): void {
    if (name !== '' && this.#products.size < 20) this.#products.add(name);
  }

  /** Adds a row; answers the line of an earlier row with the same variant and another price, else null. */
  add(values: readonly string[], quantity: number, price: number, line: number): number | null {
    if (this.#count === this.#prices.length) this.#grow();
    const row = this.#count;
    let key = '';
    for (let p = 0; p < values.length; p++) {
      const value = values[p]!;
      const lookup = this.#lookup[p]!;
      let code = lookup.get(value);
      if (code === undefined) {
        code = this.#values[p]!.length;
        lookup.set(value, code);
        this.#values[p]!.push(value);
      }
      this.#codes[p]![row] = code;
      key += `${code},`;
    }
    if (this.hasQuantity) {
      this.#quantities[row] = quantity;
      key += quantity;
    }
    const earlier = this.#seen.get(key);
    if (earlier !== undefined) {
      if (this.#seenPrice[earlier] !== price) return this.#seenLine[earlier]!;
    } else {
      this.#seen.set(key, this.#seenPrice.length);
      this.#seenPrice.push(price);
      this.#seenLine.push(line);
    }
    this.#prices[row] = price;
    this.#count++;
    return null;
  }

  #grow(): void {
    const size = this.#prices.length * 2;
    this.#codes = this.#codes.map((column) => {
      const next = new Uint32Array(size);
      next.set(column);
      return next;
    });
    if (this.hasQuantity) {
      const next = new Float64Array(size);
      next.set(this.#quantities);
      this.#quantities = next;
    }
    const prices = new Float64Array(size);
    prices.set(this.#prices);
    this.#prices = prices;
  }

  finish(priceName: string, quantityName: string | null): Matrix {
    const n = this.#count;
    const products = [...this.#products];
    return new Matrix({
      file: this.file,
      product: products.length === 0 ? null : products.length <= 3 ? products.join(', ') : `${products.slice(0, 3).join(', ')}, …`,
      priceName,
      quantityName,
      parameters: this.names.map((name, p) => ({ name, values: this.#values[p]! })),
      codes: this.#codes.map((column) => column.slice(0, n)),
      quantities: this.hasQuantity ? this.#quantities.slice(0, n) : null,
      prices: this.#prices.slice(0, n),
    });
  }
}

export interface MatrixData {
  file: string;
  product: string | null;
  priceName: string;
  quantityName: string | null;
  parameters: MatrixParameter[];
  codes: Array<Uint32Array | Uint16Array>;
  quantities: Float64Array | null;
  prices: Float64Array;
}

export class Matrix {
  readonly file: string;
  readonly product: string | null;
  readonly priceName: string;
  readonly quantityName: string | null;
  readonly parameters: readonly MatrixParameter[];
  readonly variants: number;
  readonly #codes: Array<Uint32Array | Uint16Array>;
  readonly #quantities: Float64Array | null;
  readonly #prices: Float64Array;
  #valueCodes: Array<Map<string, number>> | null = null;
  #index: Map<string, TierRows> | null = null;
  #allQuantities: number[] | null = null;

  constructor(data: MatrixData) {
    this.file = data.file;
    this.product = data.product;
    this.priceName = data.priceName;
    this.quantityName = data.quantityName;
    this.parameters = data.parameters;
    this.#codes = data.codes;
    this.#quantities = data.quantities;
    this.#prices = data.prices;
    this.variants = data.prices.length;
  }

  get hasQuantity(): boolean {
    return this.#quantities !== null;
  }

  /** The position of a parameter by its name, or -1. */
  parameterIndex(name: string): number {
    return this.parameters.findIndex((p) => p.name === name);
  }

  /** A value's code within its parameter, or undefined when the template has no such value. */
  codeOf(parameter: number, value: string): number | undefined {
    this.#valueCodes ??= this.parameters.map((p) => new Map(p.values.map((v, i) => [v, i])));
    return this.#valueCodes[parameter]!.get(value);
  }

  /**
   * For each parameter, the codes of the values present in rows that agree with every other
   * chosen value (`-1`: not chosen). A value offered this way can be picked without leaving the
   * matrix: with the others as chosen, a row has it.
   */
  options(chosen: readonly number[]): Array<Set<number>> {
    const count = this.parameters.length;
    const result = this.parameters.map(() => new Set<number>());
    const active: number[] = [];
    for (let p = 0; p < count; p++) if (chosen[p]! >= 0) active.push(p);
    const codes = this.#codes;
    for (let row = 0; row < this.variants; row++) {
      let misses = 0;
      let missed = -1;
      for (let a = 0; a < active.length; a++) {
        const p = active[a]!;
        if (codes[p]![row] !== chosen[p]) {
          misses++;
          missed = p;
          if (misses > 1) break;
        }
      }
      if (misses === 0) {
        for (let p = 0; p < count; p++) result[p]!.add(codes[p]![row]!);
      } else if (misses === 1) {
        result[missed]!.add(codes[missed]![row]!);
      }
    }
    return result;
  }

  /** The quantities of the rows matching the chosen values (`-1`: any), ascending. */
  quantitiesFor(chosen: readonly number[]): number[] {
    const quantities = this.#quantities;
    if (!quantities) return [];
    if (chosen.every((c) => c < 0)) return (this.#allQuantities ??= [...new Set(quantities)].sort((a, b) => a - b));
    const found = new Set<number>();
    const codes = this.#codes;
    rows: for (let row = 0; row < this.variants; row++) {
      for (let p = 0; p < chosen.length; p++) if (chosen[p]! >= 0 && codes[p]![row] !== chosen[p]) continue rows;
      found.add(quantities[row]!);
    }
    return [...found].sort((a, b) => a - b);
  }

  /** The price rows of a full combination (every parameter chosen), or undefined when the file has none. */
  tiers(chosen: readonly number[]): TierRows | undefined {
    return this.#buildIndex().get(chosen.join(','));
  }

  #buildIndex(): Map<string, TierRows> {
    if (this.#index) return this.#index;
    const index = new Map<string, TierRows>();
    const count = this.parameters.length;
    const codes = this.#codes;
    for (let row = 0; row < this.variants; row++) {
      let key = '';
      for (let p = 0; p < count; p++) key += p === 0 ? codes[p]![row] : `,${codes[p]![row]}`;
      let entry = index.get(key);
      if (!entry) index.set(key, (entry = { quantities: [], prices: [] }));
      entry.quantities.push(this.#quantities ? this.#quantities[row]! : 1);
      entry.prices.push(this.#prices[row]!);
    }
    for (const entry of index.values()) {
      if (entry.quantities.length < 2) continue;
      const order = entry.quantities.map((_, i) => i).sort((a, b) => entry.quantities[a]! - entry.quantities[b]!);
      // Exact duplicates (same quantity and price) collapse.
      const quantities: number[] = [];
      const prices: number[] = [];
      for (const i of order) {
        if (quantities.length && quantities[quantities.length - 1] === entry.quantities[i]) continue;
        quantities.push(entry.quantities[i]!);
        prices.push(entry.prices[i]!);
      }
      entry.quantities = quantities;
      entry.prices = prices;
    }
    this.#index = index;
    return index;
  }

  /** Builds the lookup index now (after a load), so the first quote does not pay for it. */
  warm(): this {
    this.#buildIndex();
    this.codeOf(0, '');
    return this;
  }

  /** «Покажи внутренний JSON»: `{ product, params: { name: values }, rows }`, the first `limit` rows. */
  toJson(limit: number): Record<string, unknown> {
    const rows: Array<Record<string, string | number>> = [];
    for (let row = 0; row < Math.min(limit, this.variants); row++) {
      const item: Record<string, string | number> = {};
      this.parameters.forEach((p, i) => (item[p.name] = p.values[this.#codes[i]![row]!]!));
      if (this.#quantities && this.quantityName) item[this.quantityName] = this.#quantities[row]!;
      item[this.priceName] = this.#prices[row]!;
      rows.push(item);
    }
    return {
      file: this.file,
      product: this.product,
      variants: this.variants,
      priceColumn: this.priceName,
      quantityColumn: this.quantityName,
      params: Object.fromEntries(this.parameters.map((p) => [p.name, p.values])),
      rows,
      ...(rows.length < this.variants && { rowsShown: rows.length }),
    };
  }

  toStored(): StoredMatrix {
    const wide = this.parameters.some((p) => p.values.length > 0xffff);
    return {
      format: 1,
      file: this.file,
      product: this.product,
      priceName: this.priceName,
      quantityName: this.quantityName,
      parameters: this.parameters.map((p) => ({ name: p.name, values: p.values })),
      variants: this.variants,
      codeWidth: wide ? 4 : 2,
      codes: this.#codes.map((column) => base64(wide ? Uint32Array.from(column) : Uint16Array.from(column))),
      quantities: this.#quantities ? base64(this.#quantities) : null,
      prices: base64(this.#prices),
    };
  }

  static fromStored(stored: StoredMatrix): Matrix {
    return new Matrix({
      file: stored.file,
      product: stored.product,
      priceName: stored.priceName,
      quantityName: stored.quantityName,
      parameters: stored.parameters,
      codes: stored.codes.map((text) => (stored.codeWidth === 4 ? new Uint32Array(bytes(text)) : new Uint16Array(bytes(text)))),
      quantities: stored.quantities === null ? null : new Float64Array(bytes(stored.quantities)),
      prices: new Float64Array(bytes(stored.prices)),
    });
  }
}

function base64(array: Uint16Array | Uint32Array | Float64Array): string {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString('base64');
}

/** A copy into a fresh, aligned ArrayBuffer (typed arrays need alignment). */
function bytes(text: string): ArrayBuffer {
  const buffer = Buffer.from(text, 'base64');
  const copy = new ArrayBuffer(buffer.length);
  new Uint8Array(copy).set(buffer);
  return copy;
}

export type TierPrice = { total: number; tier: number; note: string } | { problem: string };

/**
 * The price of `quantity` from a combination's rows (§4.3). Prices are for a tier's whole
 * quantity. `floor`: the largest tier not above the quantity, per unit (`price / tier ×
 * quantity`); `exact`: only the tiers themselves; `interpolate`: a straight line between the
 * two tiers around it, per unit of the largest beyond it. Without a quantity axis the price is
 * per unit. Totals in rubles.
 */
export function priceFor(rows: TierRows, quantity: number, strategy: TierStrategy, hasQuantity: boolean): TierPrice {
  if (!hasQuantity) return { total: rows.prices[0]! * quantity, tier: 1, note: 'цена за единицу' };
  const { quantities, prices } = rows;
  const smallest = quantities[0]!;
  let at = -1;
  for (let i = 0; i < quantities.length; i++) {
    if (quantities[i]! <= quantity) at = i;
    else break;
  }
  if (strategy === 'exact') {
    if (at < 0 || quantities[at] !== quantity) return { problem: `тираж ${quantity} не предусмотрен шаблоном; доступны: ${quantities.join(', ')}` };
    return { total: prices[at]!, tier: quantity, note: `тираж ${quantity}` };
  }
  if (at < 0) return { problem: `тираж не меньше ${smallest}` };
  const tier = quantities[at]!;
  if (tier === quantity) return { total: prices[at]!, tier, note: `тираж ${tier}` };
  if (strategy === 'interpolate' && at + 1 < quantities.length) {
    const upper = quantities[at + 1]!;
    const share = (quantity - tier) / (upper - tier);
    return { total: prices[at]! + (prices[at + 1]! - prices[at]!) * share, tier, note: `между тиражами ${tier} и ${upper}` };
  }
  return { total: (prices[at]! / tier) * quantity, tier, note: `по цене за штуку тиража ${tier}` };
}
