import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../../db/schema.js';
import { DomainError, invalidField } from '../../../domain/errors.js';
import type { IntegrationContext } from '../../../platform/context.js';
import type { SettingsShape } from '../../../settings/definition.js';
import { parseTemplateFile, TemplateFileError } from './csv.js';
import type { TemplateDelimiter, TemplateEncoding } from './csv.js';
import { Matrix, TIER_STRATEGIES } from './matrix.js';
import type { StoredMatrix, TierStrategy } from './matrix.js';

/** The record kind of a product's parsed template (keyed by the product's id). */
const MATRIX = 'matrix';

/**
 * How long a product's binding and template are reused between quotes before the binding is
 * read again (another process may have uploaded a new file). An upload, a reset or new settings
 * made in this process drop them at once.
 */
export const PRICING_CONTEXT_MS = 2_000;

/** The uploaded file, as the product card shows it («Название файла», «Продукция», «Количество доступных вариантов выбора»). */
export interface TemplateFacts {
  /** Changes with every upload: what the in-process cache of the matrix is checked against. */
  revision: string;
  file: string;
  product: string | null;
  variants: number;
  parameters: string[];
  quantityColumn: string | null;
  priceColumn: string;
  encoding: TemplateEncoding;
  delimiter: TemplateDelimiter;
  bytes: number;
  uploadedAt: string;
}

/** What printsync keeps per product (integration state of the product). */
export interface ProductBinding {
  template: TemplateFacts | null;
  /** How a quantity between the file's tiers is priced (§4.3); `floor` by default. */
  strategy: TierStrategy;
  /** «Брать стоимость шаблона из настроек тиражности продукта» (P1C-4). */
  useTiers: boolean;
  /** «Ограничения по значениям параметров 1С:Полиграфия» (P1C-5): parameter name → preset value. Kept across uploads. */
  restrictions: Record<string, string>;
}

export interface BindingSettings {
  strategy?: TierStrategy | undefined;
  useTiers?: boolean | undefined;
  /** The whole table: a parameter left out (or null) is «Не выбрано». */
  restrictions?: Record<string, string | null> | undefined;
}

/** A row of the restrictions table; `problem` flags a preset the current template does not offer. */
export interface RestrictionRow {
  name: string;
  values: string[];
  preset: string | null;
  problem: string | null;
}

export interface PricingContext {
  enabled: boolean;
  binding: ProductBinding;
  matrix: Matrix | null;
}

interface CacheEntry extends PricingContext {
  checkedAt: number;
}

const DEFAULT_BINDING: ProductBinding = { template: null, strategy: 'floor', useTiers: false, restrictions: {} };

/**
 * Products' template files (P1C-2): upload (parsed first; a refused file leaves the previous
 * binding as it was), reset, the tier strategy, the tier-price switch and the restrictions;
 * the parsed matrices cached in the process for the calculator.
 */
export class TemplateLibrary {
  readonly #cache = new Map<number, CacheEntry>();
  /** Loads in flight, so a burst of quotes on a cold product reads and indexes the matrix once. */
  readonly #loading = new Map<number, Promise<CacheEntry>>();

  constructor(private readonly context: IntegrationContext<SettingsShape>) {}

  async binding(productId: number, db?: Kysely<Database>): Promise<ProductBinding> {
    const state = await this.context.state.get('product', productId, db);
    return { ...DEFAULT_BINDING, ...(state as Partial<ProductBinding> | null) };
  }

  /** Parses the file and, only when it is good, binds it to the product. `path` names the file field in errors. */
  async upload(productId: number, bytes: Buffer, fileName: string, path: string): Promise<{ binding: ProductBinding; matrix: Matrix }> {
    await this.context.stores.products.get(productId);
    let parsed;
    try {
      parsed = parseTemplateFile(bytes, fileName);
    } catch (error) {
      if (error instanceof TemplateFileError) {
        throw new DomainError('validation_failed', `Файл шаблона «${fileName}» не загружен: ${error.message}`, [{ path, message: error.message }]);
      }
      throw error;
    }
    const { matrix, encoding, delimiter } = parsed;
    const template: TemplateFacts = {
      revision: createHash('sha256').update(bytes).update(String(Date.now())).digest('hex').slice(0, 16),
      file: fileName,
      product: matrix.product,
      variants: matrix.variants,
      parameters: matrix.parameters.map((p) => p.name),
      quantityColumn: matrix.quantityName,
      priceColumn: matrix.priceName,
      encoding,
      delimiter,
      bytes: bytes.length,
      uploadedAt: this.context.clock.now().toISOString(),
    };
    const stored = { revision: template.revision, matrix: matrix.toStored() };
    const binding = await this.context.transaction(async (trx) => {
      const current = await this.binding(productId, trx);
      const next = { ...current, template };
      await this.context.records.put(MATRIX, String(productId), stored, trx);
      await this.context.state.set('product', productId, { ...next }, trx);
      return next;
    });
    this.#cache.delete(productId);
    return { binding, matrix };
  }

  /** «Сбросить привязку»: the product has no template; its strategy, tier-price switch and restrictions stay for the next file. */
  async reset(productId: number): Promise<ProductBinding> {
    await this.context.stores.products.get(productId);
    const binding = await this.context.transaction(async (trx) => {
      const next = { ...(await this.binding(productId, trx)), template: null };
      await this.context.state.set('product', productId, { ...next }, trx);
      await this.context.records.put(MATRIX, String(productId), { removed: true }, trx);
      return next;
    });
    this.#cache.delete(productId);
    return binding;
  }

  async configure(productId: number, changes: BindingSettings, path: string): Promise<ProductBinding> {
    await this.context.stores.products.get(productId);
    const { binding, matrix } = await this.#fresh(productId);
    const next: ProductBinding = { ...binding };
    if (changes.strategy !== undefined) next.strategy = changes.strategy;
    if (changes.useTiers !== undefined) next.useTiers = changes.useTiers;
    if (changes.restrictions !== undefined) {
      const restrictions: Record<string, string> = {};
      for (const [name, value] of Object.entries(changes.restrictions)) {
        if (value === null || value === '') continue;
        // A preset already saved may stay even when the current file no longer offers it (it is flagged, not dropped).
        if (binding.restrictions[name] !== value) {
          if (!matrix) throw invalidField(`${path}.restrictions.${name}`, 'сначала загрузите файл шаблона');
          const index = matrix.parameterIndex(name);
          if (index < 0) throw invalidField(`${path}.restrictions.${name}`, `в шаблоне нет параметра «${name}»`);
          if (matrix.codeOf(index, value) === undefined) {
            throw invalidField(`${path}.restrictions.${name}`, `в шаблоне нет значения «${value}» параметра «${name}»; есть: ${matrix.parameters[index]!.values.join(', ')}`);
          }
        }
        restrictions[name] = value;
      }
      if (matrix) {
        const codes = matrix.parameters.map((p, index) => (restrictions[p.name] === undefined ? -1 : (matrix.codeOf(index, restrictions[p.name]!) ?? null)));
        const flagged = codes.includes(null) || Object.keys(restrictions).some((name) => matrix.parameterIndex(name) < 0);
        const chosen = codes.map((code) => code ?? -1);
        if (!flagged && chosen.some((c) => c >= 0) && !hasRow(matrix, chosen)) {
          throw invalidField(`${path}.restrictions`, 'в шаблоне нет ни одного варианта с этими значениями вместе');
        }
      }
      next.restrictions = restrictions;
    }
    await this.context.state.set('product', productId, { ...next });
    this.#cache.delete(productId);
    return next;
  }

  /** The binding and the parsed matrix for pricing, from the process's cache when it is fresh. */
  async pricing(productId: number): Promise<PricingContext> {
    const now = this.context.clock.now().getTime();
    const cached = this.#cache.get(productId);
    if (cached && now - cached.checkedAt < PRICING_CONTEXT_MS) return cached;
    let loading = this.#loading.get(productId);
    if (!loading) {
      loading = this.#load(productId, cached, now).finally(() => this.#loading.delete(productId));
      this.#loading.set(productId, loading);
    }
    return loading;
  }

  /** Reads the binding and template now, bypassing the cache (the card, settings). */
  async #fresh(productId: number): Promise<PricingContext> {
    this.#cache.delete(productId);
    return this.pricing(productId);
  }

  async view(productId: number): Promise<PricingContext> {
    await this.context.stores.products.get(productId);
    return this.#fresh(productId);
  }

  async #load(productId: number, previous: CacheEntry | undefined, now: number): Promise<CacheEntry> {
    const [enabled, binding] = await Promise.all([this.context.settings.enabled(), this.binding(productId)]);
    let matrix: Matrix | null = null;
    if (binding.template) {
      if (previous?.matrix && previous.binding.template?.revision === binding.template.revision) {
        matrix = previous.matrix;
      } else {
        const record = await this.context.records.get<{ revision?: string; matrix?: StoredMatrix }>(MATRIX, String(productId));
        if (!record?.data.matrix) throw new DomainError('conflict', `файл шаблона «${binding.template.file}» товара не найден: загрузите его снова`);
        matrix = Matrix.fromStored(record.data.matrix).warm();
      }
    }
    const entry: CacheEntry = { enabled, binding, matrix, checkedAt: now };
    this.#cache.set(productId, entry);
    return entry;
  }
}

function hasRow(matrix: Matrix, chosen: readonly number[]): boolean {
  const options = matrix.options(chosen);
  return chosen.every((code, p) => code < 0 || options[p]!.has(code));
}

/** The restrictions table: every parameter of the template, then presets of parameters the template no longer has — flagged. */
export function restrictionRows(binding: ProductBinding, matrix: Matrix | null): RestrictionRow[] {
  const rows: RestrictionRow[] = (matrix?.parameters ?? []).map((p) => {
    const preset = binding.restrictions[p.name] ?? null;
    const missing = preset !== null && !p.values.includes(preset);
    return { name: p.name, values: p.values, preset, problem: missing ? `значения «${preset}» нет в загруженном шаблоне` : null };
  });
  for (const [name, preset] of Object.entries(binding.restrictions)) {
    if (rows.some((row) => row.name === name)) continue;
    rows.push({ name, values: [], preset, problem: matrix ? `параметра «${name}» нет в загруженном шаблоне` : 'шаблон не загружен' });
  }
  return rows;
}

export function isTierStrategy(value: unknown): value is TierStrategy {
  return TIER_STRATEGIES.includes(value as TierStrategy);
}
