import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, WidgetSitesTable } from '../db/schema.js';
import type { Selectable } from 'kysely';
import { DomainError, invalidField, notFound } from '../domain/errors.js';
import type { WidgetSite, WidgetSiteCreateInput, WidgetSiteUpdateInput } from '../domain/widget.js';
import type { ProductQuote } from '../calculator/quotes.js';
import { nowIso, parseJson, toJson } from './json.js';
import { transact } from './transaction.js';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** `bytes` random bytes as lower-case base32 (5 bits a character). */
function randomBase32(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += BASE32[bytes[i]! & 31];
  return out;
}

export const newQuoteId = (): string => `q_${randomBase32(24)}`;
const newFileId = (): string => `f_${randomBase32(24)}`;
const newSiteKey = (): string => `pk_${randomBase32(24)}`;

/** Sites that may embed the calculator widget: a public key each and the origins allowed. */
export class WidgetSiteStore {
  /** key → site, for the public API's every request; dropped on any change in this process. */
  #byKey = new Map<string, { site: WidgetSite | null; at: number }>();

  constructor(private readonly db: Kysely<Database>) {}

  async create(input: WidgetSiteCreateInput): Promise<WidgetSite> {
    const now = nowIso();
    const row = await this.db
      .insertInto('widget_sites')
      .values({ name: input.name, key: newSiteKey(), origins: toJson(unique(input.origins)), created_at: now, updated_at: now })
      .returningAll()
      .executeTakeFirstOrThrow();
    this.#byKey.clear();
    return toSite(row);
  }

  async list(): Promise<WidgetSite[]> {
    const rows = await this.db.selectFrom('widget_sites').selectAll().orderBy('id', 'asc').execute();
    return rows.map(toSite);
  }

  async get(id: number): Promise<WidgetSite> {
    const row = await this.db.selectFrom('widget_sites').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('widget site', id);
    return toSite(row);
  }

  async update(id: number, input: WidgetSiteUpdateInput): Promise<WidgetSite> {
    const row = await this.db
      .updateTable('widget_sites')
      .set({
        ...(input.name !== undefined && { name: input.name }),
        ...(input.origins !== undefined && { origins: toJson(unique(input.origins)) }),
        updated_at: nowIso(),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw notFound('widget site', id);
    this.#byKey.clear();
    return toSite(row);
  }

  /** A new key: the old one stops working at once (in this process; others within `ttlMs`). */
  async rotateKey(id: number): Promise<WidgetSite> {
    const row = await this.db.updateTable('widget_sites').set({ key: newSiteKey(), updated_at: nowIso() }).where('id', '=', id).returningAll().executeTakeFirst();
    if (!row) throw notFound('widget site', id);
    this.#byKey.clear();
    return toSite(row);
  }

  async delete(id: number): Promise<void> {
    const result = await this.db.deleteFrom('widget_sites').where('id', '=', id).executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) throw notFound('widget site', id);
    this.#byKey.clear();
  }

  /**
   * The site of a public key, read at most every `ttlMs` per key: the widget's every price
   * change asks, and a site changes rarely (other processes see a change within `ttlMs`).
   */
  async byKey(key: string, ttlMs = 5_000): Promise<WidgetSite | null> {
    const cached = this.#byKey.get(key);
    const now = Date.now();
    if (cached && now - cached.at < ttlMs) return cached.site;
    const row = await this.db.selectFrom('widget_sites').selectAll().where('key', '=', key).executeTakeFirst();
    const site = row ? toSite(row) : null;
    if (this.#byKey.size > 1_000) this.#byKey.clear();
    this.#byKey.set(key, { site, at: now });
    return site;
  }
}

function unique(origins: string[]): string[] {
  return [...new Set(origins)];
}

function toSite(row: Selectable<WidgetSitesTable>): WidgetSite {
  return { id: row.id, name: row.name, key: row.key, origins: parseJson<string[]>(row.origins, []), createdAt: row.created_at, updatedAt: row.updated_at };
}

export interface IssuedQuote extends ProductQuote {
  /** `q_…`: what the widget hands to the storefront and an order refers to. */
  quoteId: string;
  siteId: number | null;
  issuedAt: string;
  /** After this an order can no longer be priced from it. */
  expiresAt: string;
  files: QuoteFile[];
}

export interface QuoteFile {
  id: string;
  name: string;
  contentType: string;
  size: number;
  createdAt: string;
}

/** How long an issued quote can be ordered from. */
export const QUOTE_LIFETIME_MS = 30 * 24 * 3600_000;
/** Per file and per quote. */
export const MAX_QUOTE_FILE_BYTES = 10 * 1024 * 1024;
export const MAX_QUOTE_FILES = 10;

/** Quotes issued to the widget (and to anyone who asks for an id), with their files and orders. */
export class IssuedQuoteStore {
  constructor(private readonly db: Kysely<Database>) {}

  async issue(quote: ProductQuote, siteId: number | null, now = new Date()): Promise<IssuedQuote> {
    const id = newQuoteId();
    const issuedAt = now.toISOString();
    const expiresAt = new Date(now.getTime() + QUOTE_LIFETIME_MS).toISOString();
    await this.db
      .insertInto('calculator_quotes')
      .values({ id, product_id: quote.productId, site_id: siteId, quantity: quote.quantity, data: toJson(quote), created_at: issuedAt, expires_at: expiresAt })
      .execute();
    return { ...quote, quoteId: id, siteId, issuedAt, expiresAt, files: [] };
  }

  async find(id: string, db: Kysely<Database> = this.db): Promise<IssuedQuote | null> {
    const row = await db.selectFrom('calculator_quotes').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return null;
    const files = await db
      .selectFrom('calculator_files')
      .select(['id', 'name', 'content_type', 'size', 'created_at'])
      .where('quote_id', '=', id)
      .orderBy('created_at', 'asc')
      .orderBy('id', 'asc')
      .execute();
    return {
      ...parseJson<ProductQuote>(row.data, {} as ProductQuote),
      quoteId: row.id,
      siteId: row.site_id,
      issuedAt: row.created_at,
      expiresAt: row.expires_at,
      files: files.map((f) => ({ id: f.id, name: f.name, contentType: f.content_type, size: f.size, createdAt: f.created_at })),
    };
  }

  async get(id: string): Promise<IssuedQuote> {
    const quote = await this.find(id);
    if (!quote) throw notFound('quote', id);
    return quote;
  }

  /** Attaches a file to a quote: at most MAX_QUOTE_FILES per quote (checked in the same transaction). */
  async attachFile(quoteId: string, file: { name: string; contentType: string; content: Buffer }): Promise<QuoteFile> {
    return transact(this.db, async (trx) => {
      const quote = await trx.selectFrom('calculator_quotes').select(['id', 'expires_at']).where('id', '=', quoteId).executeTakeFirst();
      if (!quote || quote.expires_at < nowIso()) throw notFound('quote', quoteId);
      const count = await trx.selectFrom('calculator_files').select((eb) => eb.fn.countAll<number>().as('n')).where('quote_id', '=', quoteId).executeTakeFirstOrThrow();
      if (Number(count.n) >= MAX_QUOTE_FILES) throw new DomainError('conflict', `quote ${quoteId} already has ${MAX_QUOTE_FILES} files`);
      const created: QuoteFile = { id: newFileId(), name: file.name, contentType: file.contentType, size: file.content.length, createdAt: nowIso() };
      await trx
        .insertInto('calculator_files')
        .values({ id: created.id, quote_id: quoteId, name: created.name, content_type: created.contentType, size: created.size, content: file.content, created_at: created.createdAt })
        .execute();
      return created;
    });
  }

  async fileContent(quoteId: string, fileId: string): Promise<{ file: QuoteFile; content: Buffer }> {
    const row = await this.db.selectFrom('calculator_files').selectAll().where('quote_id', '=', quoteId).where('id', '=', fileId).executeTakeFirst();
    if (!row) throw notFound('file', fileId);
    return { file: { id: row.id, name: row.name, contentType: row.content_type, size: row.size, createdAt: row.created_at }, content: Buffer.from(row.content) };
  }

  /** The orders (and lines) priced from a quote. */
  async ordersOf(quoteId: string): Promise<Array<{ orderId: number; position: number }>> {
    const rows = await this.db.selectFrom('order_quotes').select(['order_id', 'position']).where('quote_id', '=', quoteId).orderBy('order_id').execute();
    return rows.map((r) => ({ orderId: r.order_id, position: r.position }));
  }

  /** The quote each line of an order was priced from, by position (1-based). */
  async ofOrder(orderId: number, db: Kysely<Database> = this.db): Promise<Map<number, string>> {
    const rows = await db.selectFrom('order_quotes').select(['position', 'quote_id']).where('order_id', '=', orderId).execute();
    return new Map(rows.map((r) => [r.position, r.quote_id]));
  }

  /** Records the quotes of an order's lines, replacing what was recorded (inside the order's transaction). */
  async linkOrder(trx: Kysely<Database>, orderId: number, quotes: Map<number, string>): Promise<void> {
    await trx.deleteFrom('order_quotes').where('order_id', '=', orderId).execute();
    if (quotes.size === 0) return;
    await trx
      .insertInto('order_quotes')
      .values([...quotes].map(([position, quoteId]) => ({ order_id: orderId, position, quote_id: quoteId })))
      .execute();
  }
}

/** A quote id given on an order line that cannot price it: unknown or expired. */
export function quoteProblem(path: string, quoteId: string, quote: IssuedQuote | null, now = nowIso()): DomainError | null {
  if (!quote) return invalidField(path, `quote ${quoteId} does not exist`);
  if (quote.expiresAt < now) return invalidField(path, `quote ${quoteId} expired at ${quote.expiresAt}; price the line again`);
  return null;
}
