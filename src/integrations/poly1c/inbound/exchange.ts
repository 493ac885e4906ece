import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../../domain/errors.js';
import { rawBody } from '../../../platform/body-parsers.js';
import type { IntegrationContext } from '../../../platform/context.js';
import type { InboundRoutes } from '../../../platform/routes.js';
import type { Handover } from '../export/handover.js';
import type { Poly1cSettings } from '../settings.js';
import { COOKIE_NAME, ExchangeRefusal } from './sessions.js';
import type { ExchangeSessions } from './sessions.js';
import { FileRefusal } from './status-file.js';
import type { StatusImport } from './status-file.js';

/**
 * The standard 1C site exchange at `/1c_exchange` (reference §6.1; 1C is the HTTP client):
 * - `GET ?type=sale&mode=checkauth` (HTTP Basic) → `success\n<cookie name>\n<cookie value>`;
 * - `mode=init` → `zip=no\nfile_limit=<bytes>`;
 * - `mode=query` → the CommerceML document of the orders due (export/commerceml.ts);
 * - `mode=success` → `success`: what the last `query` of the session handed over is handed over;
 * - `POST mode=file&filename=…` → `success`: statuses, numbers and dates from 1C applied.
 * Answers are plain text; anything refused is `failure\n<reason>` (401 when 1C did not prove
 * who it is). The file comes with whatever content type 1C puts on it, so the group reads any
 * body as bytes and decodes it by its XML declaration.
 */

export const EXCHANGE_PATH = '/1c_exchange';
const MODES = ['checkauth', 'init', 'query', 'success', 'file'] as const;
type Mode = (typeof MODES)[number];

type Context = IntegrationContext<Poly1cSettings>;

export function exchangeRoutes(context: Context, deps: { sessions: ExchangeSessions; handover: Handover; statuses: StatusImport }): InboundRoutes {
  const { sessions, handover, statuses } = deps;
  const auth = sessions.auth();

  const text = (reply: FastifyReply, body: string) => reply.type('text/plain; charset=utf-8').send(body);
  const failure = (reply: FastifyReply, reason: string, status = 200) => reply.code(status).type('text/plain; charset=utf-8').send(`failure\n${reason}`);

  async function handle(request: FastifyRequest, reply: FastifyReply, bodyLimit: number): Promise<FastifyReply> {
    const query = (request.query ?? {}) as Record<string, unknown>;
    const type = typeof query.type === 'string' ? query.type : '';
    const mode = (typeof query.mode === 'string' ? query.mode : '') as Mode;
    if (type !== 'sale') return failure(reply, `Поддерживается только обмен заказами (type=sale), получено type=${type || '—'}`);
    if (!MODES.includes(mode)) return failure(reply, `Неизвестный режим обмена: mode=${mode || '—'}`);
    if (request.method === 'POST' && mode !== 'file') return failure(reply, `mode=${mode} вызывается методом GET`);

    switch (mode) {
      case 'checkauth': {
        const credentials = auth.credentialsOf(request)!;
        const cookie = await sessions.open(credentials);
        void reply.header('set-cookie', `${COOKIE_NAME}=${cookie}; Path=${EXCHANGE_PATH}; HttpOnly; SameSite=Strict`);
        return text(reply, `success\n${COOKIE_NAME}\n${cookie}`);
      }
      case 'init':
        return text(reply, `zip=no\nfile_limit=${bodyLimit}`);
      case 'query': {
        const session = sessions.of(request);
        const { body, contentType, handed } = await handover.query();
        session.data = { ...session.data, lastQuery: { at: context.clock.now().toISOString(), orders: handed } };
        await sessions.save(session);
        context.logger.info({ orders: handed.length }, '1C took the orders due');
        return reply.type(contentType).send(body);
      }
      case 'success': {
        const session = sessions.of(request);
        const last = session.data.lastQuery;
        if (last) {
          const result = await handover.confirm(last.orders, last.at);
          session.data = { ...session.data, lastQuery: null };
          await sessions.save(session);
          context.logger.info(result, '1C confirmed the orders it took');
        }
        return text(reply, 'success');
      }
      case 'file': {
        sessions.of(request);
        const filename = typeof query.filename === 'string' && query.filename.trim() ? query.filename.trim() : null;
        if (!filename) return failure(reply, 'Не указано имя файла (filename=…)');
        if (!/^[\p{L}\p{N}._ -]{1,200}$/u.test(filename) || filename.startsWith('.')) return failure(reply, `Недопустимое имя файла: ${filename}`);
        const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        try {
          const journal = await statuses.apply(filename, body);
          context.logger.info({ file: filename, applied: journal.applied.length, unknown: journal.unknown.length }, '1C sent back order statuses');
        } catch (error) {
          if (error instanceof FileRefusal) return failure(reply, `${filename}: ${error.message}`);
          throw error;
        }
        return text(reply, 'success');
      }
    }
  }

  return {
    prefix: EXCHANGE_PATH,
    auth,
    bodies: [rawBody(['*'])],
    register(router) {
      // 1C reads the first line of every answer: errors of this group are `failure\n<reason>` too.
      router.setErrorHandler((error: FastifyError, request, reply) => {
        if (error instanceof ExchangeRefusal || (error instanceof DomainError && (error.code === 'unauthorized' || error.code === 'forbidden'))) {
          return failure(reply, error.message, error.code === 'forbidden' ? 403 : 401);
        }
        if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return failure(reply, `Файл больше допустимых ${request.routeOptions.bodyLimit} байт`, 413);
        if (error instanceof DomainError) return failure(reply, error.message);
        request.log.error({ err: error }, '1C exchange failed');
        return failure(reply, `Внутренняя ошибка printsync; в журнале сервера — запрос ${request.id}`, 500);
      });
      const bodyLimit = router.initialConfig.bodyLimit ?? 1_048_576;
      const schema = {
        summary: 'The 1C site exchange (CommerceML 2): checkauth, init, query, success',
        description: 'Plain-text answers: `success…`, `zip=no\\nfile_limit=…`, the CommerceML document, or `failure\\n<reason>`.',
      };
      router.get('', { schema }, (request, reply) => handle(request, reply, bodyLimit));
      router.post('', { schema: { ...schema, summary: 'The 1C site exchange: mode=file — statuses, «Номер по 1С», payment and shipment dates from 1C' } }, (request, reply) =>
        handle(request, reply, bodyLimit),
      );
    },
  };
}
