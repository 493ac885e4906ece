import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppServices } from '../../app.js';
import type { ProductQuote, ProductCalculator } from '../../calculator/quotes.js';
import { quoteRequestSchema } from '../../domain/catalog.js';
import { DomainError } from '../../domain/errors.js';
import type { FieldProblem } from '../../domain/errors.js';
import type { WidgetSite } from '../../domain/widget.js';
import { SHOPPER_MESSAGES, quoteIdSchema } from '../../domain/widget.js';
import { IntegrationError } from '../../platform/errors.js';
import { MAX_QUOTE_FILE_BYTES } from '../../store/widget.js';
import { readChosenParameters } from '../chosen-parameters.js';
import type { ChosenParameters } from '../chosen-parameters.js';
import { TokenBuckets } from '../rate-limit.js';
import { fieldPath } from '../errors.js';
import { calculatorResponse, quoteResponse, widgetOptionsResponse } from '../schemas/catalog.js';
import { errorResponse, idParams } from '../schemas/common.js';

const tags = ['Calculator widget (public)'];

/** Where the public quote API lives; the widget builds its URLs from it. */
export const WIDGET_API_PREFIX = '/widget';

/** Requests of the widget are small; a file upload has its own limit. */
const PUBLIC_BODY_LIMIT = 16 * 1024;
/** How long a price or a form is reused for the same question (all engines; see decisions.md). */
const ANSWER_TTL_MS = 5_000;
const MAX_CACHED_ANSWERS = 5_000;

declare module 'fastify' {
  interface FastifyRequest {
    widgetSite: WidgetSite | null;
  }
}

/** Every public answer that is not a success: a code, the shopper's message (Russian), the fields at fault. */
class ShopperError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: FieldProblem[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const keyQuery = { key: z.string().min(1).max(100).describe("the site's public key (the snippet's data-key)") };
const publicErrors = { 400: errorResponse, 403: errorResponse, 404: errorResponse, 413: errorResponse, 429: errorResponse, 503: errorResponse };

const issuedQuoteResponse = quoteResponse.extend({
  quoteId: z.string().describe('hand this to the storefront: an order line with this quoteId is priced from it'),
  issuedAt: z.string(),
  expiresAt: z.string(),
  files: z.array(z.object({ id: z.string(), name: z.string(), contentType: z.string(), size: z.number(), createdAt: z.string() })),
});

/**
 * The public quote API the storefront widget calls (CALC-2): read-only pricing, no staff
 * authentication. Each request names a site by its public key (`?key=`); a browser's `Origin` must
 * be one the site allows (CORS), requests are limited per client address, and errors come with a
 * message a shopper can read. The only writes are issuing a quote id (continue / add to cart) and
 * attaching the shopper's files to it.
 */
export const widgetPublicRoutes: FastifyPluginAsyncZod<{ services: AppServices }> = async (server, { services }) => {
  const { widgetSites, issuedQuotes, categories, products } = services.stores;
  const buckets = new TokenBuckets(services.config.widgetRatePerSecond, services.config.widgetRateBurst);
  const answers = new AnswerCache(ANSWER_TTL_MS, MAX_CACHED_ANSWERS);

  server.decorateRequest('widgetSite', null);
  server.addHook('onRoute', (route) => {
    route.config = { ...route.config, public: true };
    route.bodyLimit ??= PUBLIC_BODY_LIMIT;
  });

  // The site first (its key and origin), so that even a refusal can be read by the page it allows.
  server.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    reply.header('vary', 'Origin');
    const key = new URLSearchParams(request.url.split('?')[1] ?? '').get('key');
    const site = key ? await widgetSites.byKey(key) : null;
    // A refusal may be read by any page (it says nothing about the shop); data only by allowed ones.
    if (origin) reply.header('access-control-allow-origin', origin);
    if (!site) throw new ShopperError(403, 'site_unknown', SHOPPER_MESSAGES.badKey, [{ path: 'query.key', message: key ? 'is not a known site key' : 'is required' }]);
    if (origin && !site.origins.includes(origin)) {
      if (request.method === 'OPTIONS') reply.removeHeader('access-control-allow-origin');
      throw new ShopperError(403, 'origin_refused', SHOPPER_MESSAGES.badOrigin, [{ path: 'headers.origin', message: `${origin} is not among the origins of site «${site.name}»` }]);
    }
    request.widgetSite = site;
    const wait = buckets.take(request.ip);
    if (wait > 0) throw new ShopperError(429, 'rate_limited', SHOPPER_MESSAGES.tooMany, [], { 'retry-after': String(wait) });
  });

  server.setErrorHandler((error: FastifyError, request, reply) => sendShopperError(toShopperError(error, request), reply));

  // The browser's preflight for POSTs with a JSON body; the hook above has checked the origin.
  server.options('/*', { schema: { hide: true } }, async (_request, reply) =>
    reply
      .code(204)
      .header('access-control-allow-methods', 'GET, POST, OPTIONS')
      .header('access-control-allow-headers', 'content-type')
      .header('access-control-max-age', '600')
      .send(),
  );

  server.get(
    '/categories/:id',
    {
      schema: {
        tags,
        summary: "A category's widget: its options and its products",
        params: idParams,
        querystring: z.strictObject({ ...keyQuery }),
        response: {
          200: z.object({
            id: z.number(),
            name: z.string(),
            options: widgetOptionsResponse,
            products: z.array(z.object({ id: z.number(), name: z.string() })).describe("the category's products: the first is shown when the snippet names none; with grouping on the shopper switches between them"),
          }),
          ...publicErrors,
        },
      },
    },
    async (request) => {
      // Read fresh each time (one per widget start): an admin's change of the options shows at the next page load.
      const id = request.params.id;
      const category = await categories.get(id).catch(unknownAs(SHOPPER_MESSAGES.unknownProduct));
      const list = (await products.list({ categoryId: id, limit: 200 })).items;
      return {
        id: category.id,
        name: category.name,
        options: category.widget,
        products: list.map((p) => ({ id: p.id, name: p.name })).sort((a, b) => a.id - b.id),
      };
    },
  );

  server.get(
    '/products/:id/calculator',
    {
      schema: {
        tags,
        summary: "A product's calculator: its name, category, parameters and quantities",
        description: 'With `parameters` (the values already chosen, JSON by key) an engine whose options depend on each other offers only those still possible.',
        params: idParams,
        querystring: z.strictObject({ ...keyQuery, parameters: z.string().max(8_000).optional().describe('values already chosen, as a JSON object by parameter key') }),
        response: { 200: calculatorResponse.extend({ name: z.string(), categoryId: z.number().nullable(), currency: z.string() }), ...publicErrors },
      },
    },
    async (request, reply) => {
      const id = request.params.id;
      reply.header('cache-control', 'public, max-age=5');
      const chosen = chosenParameters(request.query.parameters);
      return answers.get(`form:${id}:${chosen ? canonical(chosen) : ''}`, async () => {
        const product = await products.get(id).catch(unknownAs(SHOPPER_MESSAGES.unknownProduct));
        const form: ProductCalculator = await services.quotes.form(id, chosen);
        return { ...form, name: product.name, categoryId: product.categoryId, currency: product.currency };
      });
    },
  );

  server.post(
    '/products/:id/quote',
    {
      schema: {
        tags,
        summary: 'Price a choice (nothing is kept)',
        description: 'The same quote as POST /api/v1/products/{id}/quote, reused for 5 s for the same question.',
        params: idParams,
        querystring: z.strictObject({ ...keyQuery }),
        body: quoteRequestSchema,
        response: { 200: quoteResponse, ...publicErrors },
      },
    },
    async (request) => {
      const { id } = request.params;
      const key = `quote:${id}:${request.body.quantity}:${canonical(request.body.parameters)}`;
      return answers.get(key, () => priced(services, id, request.body));
    },
  );

  server.post(
    '/products/:id/quotes',
    {
      schema: {
        tags,
        summary: 'Price a choice and keep it: a quote id for continue / add to cart',
        description: 'Priced anew (never from the cache). An order line with `quoteId` is priced from the kept quote.',
        params: idParams,
        querystring: z.strictObject({ ...keyQuery }),
        body: quoteRequestSchema,
        response: { 201: issuedQuoteResponse, ...publicErrors },
      },
    },
    async (request, reply) => {
      const quote = await priced(services, request.params.id, request.body);
      reply.code(201);
      return issuedQuotes.issue(quote, request.widgetSite?.id ?? null);
    },
  );

  await server.register(async (scope) => {
    const files = scope.withTypeProvider<ZodTypeProvider>();
    // The file's bytes are the body, whatever their type: the name and type come in the query.
    files.removeAllContentTypeParsers();
    files.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_QUOTE_FILE_BYTES }, (_request, body, done) => done(null, body));
    files.post(
      '/quotes/:quoteId/files',
      {
        bodyLimit: MAX_QUOTE_FILE_BYTES,
        schema: {
          tags,
          summary: 'Attach a file to an issued quote (the body is the file)',
          description: `At most ${MAX_QUOTE_FILE_BYTES} bytes a file and 10 files a quote.`,
          params: z.strictObject({ quoteId: quoteIdSchema }),
          querystring: z.strictObject({
            ...keyQuery,
            name: z.string().trim().min(1).max(255).describe('the file name as the shopper chose it'),
            type: z.string().trim().max(100).regex(/^[\w.+-]+\/[\w.+-]+$/, 'must be a media type').optional(),
          }),
          response: { 201: z.object({ id: z.string(), name: z.string(), contentType: z.string(), size: z.number(), createdAt: z.string() }), ...publicErrors },
        },
      },
      async (request, reply) => {
        const content = request.body as unknown;
        if (!Buffer.isBuffer(content) || content.length === 0) throw new ShopperError(400, 'validation_failed', 'Файл пустой', [{ path: 'body', message: 'send the file as the body' }]);
        const quote = await issuedQuotes.find(request.params.quoteId);
        if (!quote || (quote.siteId !== null && quote.siteId !== request.widgetSite?.id)) {
          throw new ShopperError(404, 'not_found', SHOPPER_MESSAGES.unknownQuote, [{ path: 'params.quoteId', message: 'no such quote for this site' }]);
        }
        const file = await issuedQuotes.attachFile(quote.quoteId, { name: request.query.name, contentType: request.query.type ?? 'application/octet-stream', content });
        reply.code(201);
        return file;
      },
    );
  });
};

/** An unknown product is the quote service's not-found: «Товар не найден» (toShopperError). */
function priced(services: AppServices, productId: number, request: z.output<typeof quoteRequestSchema>): Promise<ProductQuote> {
  return services.quotes.quote(productId, request, 'body');
}

function unknownAs(message: string) {
  return (error: unknown): never => {
    if (error instanceof DomainError && error.code === 'not_found') throw new ShopperError(404, 'not_found', message, [{ path: 'params.id', message: error.message }]);
    throw error;
  };
}

/** `?parameters={"paper":"matte"}`: checked like a quote's parameters; a problem is a 400 on `querystring.parameters`. */
function chosenParameters(text: string | undefined): ChosenParameters | undefined {
  return readChosenParameters(text, (problem) =>
    problem.kind === 'not_json'
      ? new ShopperError(400, 'validation_failed', SHOPPER_MESSAGES.badRequest, [{ path: 'querystring.parameters', message: 'must be a JSON object of values by key' }])
      : new ShopperError(400, 'option_unavailable', SHOPPER_MESSAGES.unavailableOption, [{ path: problem.path, message: problem.message }]),
  );
}

/** Parameters in one order, so the same choice is the same cache key. */
function canonical(parameters: Record<string, unknown>): string {
  return JSON.stringify(Object.keys(parameters).sort().map((key) => [key, parameters[key]]));
}

/**
 * Successful answers reused for `ttlMs`; concurrent askers of the same question share one
 * computation; failures are never kept. Bounded: the oldest entries go first.
 */
class AnswerCache {
  readonly #entries = new Map<string, { at: number; value: Promise<unknown> }>();

  constructor(
    private readonly ttlMs: number,
    private readonly max: number,
  ) {}

  get<T>(key: string, compute: () => Promise<T>): Promise<T> {
    const now = performance.now();
    const hit = this.#entries.get(key);
    if (hit && now - hit.at < this.ttlMs) return hit.value as Promise<T>;
    const value = compute();
    this.#entries.delete(key);
    this.#entries.set(key, { at: now, value });
    value.catch(() => {
      if (this.#entries.get(key)?.value === value) this.#entries.delete(key);
    });
    while (this.#entries.size > this.max) this.#entries.delete(this.#entries.keys().next().value!);
    return value;
  }
}

function isChoicePath(path: string): boolean {
  return /^body\.(quantity|parameters)\b/.test(path);
}

/** What a shopper is told, whatever went wrong; the details keep the precise reason for the shop's developer. */
function toShopperError(error: FastifyError, request: FastifyRequest): ShopperError {
  if (error instanceof ShopperError) return error;
  if (error instanceof DomainError) {
    switch (error.code) {
      case 'validation_failed': {
        const details = error.details.length ? error.details : [{ path: 'body', message: error.message }];
        const message = details.some((d) => isChoicePath(d.path)) ? SHOPPER_MESSAGES.unavailableOption : SHOPPER_MESSAGES.badRequest;
        return new ShopperError(400, 'option_unavailable', message, details);
      }
      case 'not_found':
        return new ShopperError(404, 'not_found', SHOPPER_MESSAGES.unknownProduct, [{ path: 'params', message: error.message }]);
      case 'conflict':
        return new ShopperError(409, 'conflict', SHOPPER_MESSAGES.tooManyFiles, [{ path: 'params', message: error.message }]);
      default:
        return unavailable(request, error);
    }
  }
  if (error instanceof IntegrationError) {
    // The engine's system refused this choice: for the shopper, the option is not available.
    if (error.failure === 'rejected') return new ShopperError(400, 'option_unavailable', SHOPPER_MESSAGES.unavailableOption, [{ path: 'body', message: error.message }]);
    return unavailable(request, error);
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const context = error.validationContext ?? 'body';
    const details = error.validation.map((issue) => ({ path: fieldPath(context, issue.instancePath ?? ''), message: issue.message ?? 'is invalid' }));
    const message = details.some((d) => isChoicePath(d.path)) ? SHOPPER_MESSAGES.unavailableOption : SHOPPER_MESSAGES.badRequest;
    return new ShopperError(400, details.some((d) => isChoicePath(d.path)) ? 'option_unavailable' : 'validation_failed', message, details);
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ShopperError(400, 'validation_failed', SHOPPER_MESSAGES.badRequest, [{ path: 'body', message: 'not valid JSON' }]);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ShopperError(413, 'body_too_large', SHOPPER_MESSAGES.tooLarge, [{ path: 'body', message: `larger than ${request.routeOptions.bodyLimit} bytes` }]);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ShopperError(415, 'unsupported_media_type', SHOPPER_MESSAGES.badRequest, [{ path: 'headers.content-type', message: 'send application/json' }]);
  }
  const status = error.statusCode ?? 500;
  if (status < 500) return new ShopperError(status, error.code ?? 'bad_request', SHOPPER_MESSAGES.badRequest, [{ path: 'request', message: error.message }]);
  return unavailable(request, error);
}

function unavailable(request: FastifyRequest, error: Error): ShopperError {
  request.log.warn({ err: error }, 'widget: calculator unavailable');
  return new ShopperError(503, 'calculator_unavailable', SHOPPER_MESSAGES.unavailableCalculator, [], { 'retry-after': '10' });
}

function sendShopperError(error: ShopperError, reply: FastifyReply): FastifyReply {
  for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  return reply.code(error.status).send({ code: error.code, message: error.message, details: error.details });
}

