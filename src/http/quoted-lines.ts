import type { FastifyRequest, preValidationAsyncHookHandler } from 'fastify';
import type { Kysely } from 'kysely';
import { sameChoices } from '../calculator/engine.js';
import type { Database } from '../db/schema.js';
import { invalidField } from '../domain/errors.js';
import type { Order } from '../domain/orders.js';
import type { ProductStore } from '../store/products.js';
import type { IssuedQuote, IssuedQuoteStore } from '../store/widget.js';
import { quoteProblem } from '../store/widget.js';

/**
 * Order lines priced from an issued quote (`items[].quoteId`): what the line leaves out is taken
 * from the quote before validation (product, name, quantity, parameters, price), what it gives
 * must agree with the quote, and the order keeps which quote priced each line.
 */
const found = new WeakMap<FastifyRequest, Map<string, IssuedQuote | null>>();

type LooseItem = Record<string, unknown>;

export function fillFromQuotes(issued: IssuedQuoteStore, products: ProductStore): preValidationAsyncHookHandler {
  return async (request) => {
    const body = request.body as { items?: unknown } | null;
    if (!body || typeof body !== 'object' || !Array.isArray(body.items)) return;
    const quotes = new Map<string, IssuedQuote | null>();
    for (const item of body.items as unknown[]) {
      if (!item || typeof item !== 'object' || Array.isArray(item)) continue;
      const line = item as LooseItem;
      if (typeof line.quoteId !== 'string' || !/^q_[a-z2-7]{24}$/.test(line.quoteId)) continue;
      const quote = quotes.has(line.quoteId) ? quotes.get(line.quoteId)! : await issued.find(line.quoteId);
      quotes.set(line.quoteId, quote);
      if (!quote) continue;
      line.productId ??= quote.productId;
      line.quantity ??= quote.quantity;
      // As a person reads them (the engine's codes would show as `p-paper: coated-300`).
      line.parameters ??= { ...(quote.readable ?? quote.parameters) };
      if (line.total === undefined && line.unitPrice === undefined) {
        line.total = quote.total;
        line.unitPrice = quote.unitPrice;
      }
      if (line.name === undefined) line.name = await products.get(quote.productId).then((p) => p.name, () => `#${quote.productId}`);
    }
    if (quotes.size) found.set(request, quotes);
  };
}

/**
 * The lines' quotes by position (1-based), each checked: it exists, has not expired, and prices
 * exactly this line. Throws a 400 naming `body.items[i].<field>` otherwise.
 */
export async function quotesOfLines(
  request: FastifyRequest,
  issued: IssuedQuoteStore,
  items: ReadonlyArray<{ productId?: number | null | undefined; quantity: number; total: number; parameters: Record<string, unknown>; quoteId?: string | undefined }>,
): Promise<Map<number, string>> {
  const known = found.get(request) ?? new Map<string, IssuedQuote | null>();
  const result = new Map<number, string>();
  for (const [index, item] of items.entries()) {
    if (!item.quoteId) continue;
    const path = `body.items[${index}]`;
    const quote = known.has(item.quoteId) ? known.get(item.quoteId)! : await issued.find(item.quoteId);
    const problem = quoteProblem(`${path}.quoteId`, item.quoteId, quote);
    if (problem) throw problem;
    const q = quote!;
    if ((item.productId ?? null) !== q.productId) throw invalidField(`${path}.productId`, `quote ${q.quoteId} is for product ${q.productId}`);
    if (item.quantity !== q.quantity) throw invalidField(`${path}.quantity`, `quote ${q.quoteId} is for ${q.quantity}`);
    if (item.total !== q.total) throw invalidField(`${path}.total`, `quote ${q.quoteId} prices this line at ${q.total}; leave the price out to take it from the quote`);
    if (!sameChoices(item.parameters, q.parameters) && !(q.readable && sameChoices(item.parameters, q.readable))) throw invalidField(`${path}.parameters`, `differ from those of quote ${q.quoteId}; leave them out to take them from the quote`);
    result.set(index + 1, q.quoteId);
  }
  return result;
}

/** The order with each line's quote id (null for a line priced otherwise). */
export async function withQuoteIds(issued: IssuedQuoteStore, order: Order, db?: Kysely<Database>): Promise<Order & { items: Array<Order['items'][number] & { quoteId: string | null }> }> {
  const byPosition = await issued.ofOrder(order.id, db);
  return { ...order, items: order.items.map((item) => ({ ...item, quoteId: byPosition.get(item.position) ?? null })) };
}
