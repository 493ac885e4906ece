/**
 * The ERP family's data, as both emulators hold it (ASystem and Axiom differ only in how a
 * template is shown on the wire — `dialect.ts`). Wire types follow `docs/erp-contract.md`;
 * the price list is the emulator's own and never leaves it through the API.
 */
export type ParamType = 'number' | 'integer' | 'string' | 'text' | 'select' | 'boolean' | 'date';
export type ParamValue = string | number | boolean;

/** A template parameter as the contract shows it. */
export interface Param {
  id: string;
  name: string;
  type: ParamType;
  required?: boolean;
  default?: ParamValue;
  options?: { value: string; label: string }[];
  min?: number;
  max?: number;
  step?: number;
  unit?: string;
  affectsPrice?: boolean;
}

/**
 * How one parameter moves the price (`pricing.ts` applies it):
 * - `factor`: the chosen option multiplies the unit print price;
 * - `multiplier`: the number itself multiplies it (a banner's width and height: price per m²);
 * - `perUnit`: the chosen option (or `true` of a boolean, as option `"true"`) adds rubles per item;
 * - `flat`: the chosen option adds rubles once;
 * - `perBatch`: the number is items per batch; each started batch costs `amount` rubles;
 * - `promo`: a known code multiplies the unit print price, an unknown one is a warning.
 * `days` adds production days for the chosen option.
 */
export type ParamPricing =
  | { kind: 'factor'; byOption: Record<string, number>; days?: Record<string, number> }
  | { kind: 'multiplier' }
  | { kind: 'perUnit'; byOption: Record<string, number>; days?: Record<string, number> }
  | { kind: 'flat'; byOption: Record<string, number> }
  | { kind: 'perBatch'; amount: number }
  | { kind: 'promo'; codes: Record<string, number> };

/** A parameter with its pricing rule (none: it does not move the price). */
export interface PricedParam extends Param {
  pricing?: ParamPricing;
}

export interface ParamGroup {
  id: string;
  name: string;
  params: PricedParam[];
}

/** The template's price list: quantity tiers of the unit print price (rubles), a setup charge. */
export interface PriceList {
  setup: number;
  /** Ascending `from`; the tier of the largest `from` ≤ quantity applies. */
  tiers: { from: number; unit: number }[];
  productionDays: number;
}

export interface TemplateRecord {
  id: string;
  name: string;
  version: number;
  updatedAt: string;
  quantity: { min: number; max: number; step: number; presets: number[] };
  orderParams: PricedParam[];
  details: ParamGroup[];
  operations: ParamGroup[];
  /** null: the template has no price list (calculate and orders answer 422 TEMPLATE_HAS_NO_PRICES). */
  prices: PriceList | null;
}

/** Where a parameter lives in a template and in a request. */
export type GroupKind = 'order' | 'detail' | 'operation';

export interface Manager {
  id: string;
  name: string;
}

export interface Counterparty {
  id: string;
  name: string;
  inn: string;
}

export interface Identity {
  managerId: string;
  counterpartyId: string;
}

export type RequestParams = Record<string, ParamValue>;

/** A calculate request after validation: every value checked against the template. */
export interface CalcInput {
  quantity: number;
  orderParams: RequestParams;
  details: Record<string, RequestParams>;
  operations: Record<string, RequestParams>;
}

export interface CalcResult {
  price: number;
  unitPrice: number;
  currency: 'RUB';
  breakdown: { name: string; amount: number }[];
  productionDays: number;
  warnings: string[];
  templateVersion: number;
}

export const ORDER_STATUSES = ['new', 'in_work', 'ready', 'shipped', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export interface OrderRecord {
  id: string;
  number: string;
  status: OrderStatus;
  externalId: string;
  templateId: string;
  templateVersion: number;
  managerId: string;
  counterpartyId: string;
  /** What the ERP priced the order at when it was accepted. */
  price: number;
  createdAt: string;
  updatedAt: string;
  /** The request body exactly as received: every parameter the client sent. */
  request: Record<string, unknown>;
}
