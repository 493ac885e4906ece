import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { DomainError } from '../domain/errors.js';
import type { DomainErrorCode, FieldProblem } from '../domain/errors.js';
import { IntegrationError } from '../platform/errors.js';
import type { IntegrationFailure } from '../platform/errors.js';

/** Every error the API returns has this shape. */
export interface ApiErrorBody {
  code: string;
  message: string;
  details: FieldProblem[];
}

const STATUS_BY_CODE: Record<DomainErrorCode, number> = {
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  version_conflict: 409,
  unavailable: 503,
};

/**
 * An integration's failure inside a staff request («Отправить в ASystem», «Синхронизировать
 * шаблоны»): its message is already for people and masked, so it is passed on with a status
 * that says whose fault it was — 503 the other system is down, 502 it refused our settings, 422
 * it refused this data, 404 the object is gone there.
 */
const STATUS_BY_FAILURE: Record<IntegrationFailure, number> = {
  unreachable: 503,
  server: 503,
  rate_limited: 503,
  aborted: 503,
  credentials: 502,
  permission: 502,
  misconfigured: 502,
  rejected: 422,
  not_found: 404,
};

/** `/items/0/quantity` in `body` → `body.items[0].quantity`. */
export function fieldPath(context: string, instancePath: string): string {
  const segments = instancePath.split('/').filter(Boolean);
  return segments.reduce((path, segment) => (/^\d+$/.test(segment) ? `${path}[${segment}]` : `${path}.${segment}`), context);
}

export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof DomainError) {
    return reply.code(STATUS_BY_CODE[error.code]).send(body(error.code, error.message, error.details));
  }
  if (error instanceof IntegrationError) {
    return reply.code(STATUS_BY_FAILURE[error.failure]).send(body(`integration_${error.failure}`, error.message, []));
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const context = error.validationContext ?? 'body';
    const details = error.validation.flatMap((issue): FieldProblem[] => {
      const path = fieldPath(context, issue.instancePath ?? '');
      const unknownKeys = (issue.params as { keys?: string[] }).keys;
      if (issue.keyword === 'unrecognized_keys' && unknownKeys) {
        return unknownKeys.map((key) => ({ path: `${path}.${key}`, message: 'is not a known field' }));
      }
      return [{ path, message: issue.message ?? 'is invalid' }];
    });
    const message = details.map((d) => `${d.path}: ${d.message}`).join('; ');
    return reply.code(400).send(body('validation_failed', message, details));
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return reply
        .code(400)
        .send(body('validation_failed', `body: not valid JSON (${error.message})`, [{ path: 'body', message: 'not valid JSON' }]));
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return reply
        .code(413)
        .send(body('body_too_large', `body: larger than the limit of ${request.routeOptions.bodyLimit} bytes`, [
          { path: 'body', message: 'too large' },
        ]));
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': {
      const accepted = request.routeOptions.config.inbound?.contentTypes ?? ['application/json'];
      return reply.code(415).send(body('unsupported_media_type', `send the body as ${accepted.join(' or ')}`, []));
    }
  }
  const statusCode = error.statusCode ?? 500;
  if (statusCode >= 500) {
    request.log.error({ err: error }, 'request failed');
    // 5xx text may carry internals (SQL, paths); clients get a reference instead.
    return reply.code(statusCode).send(body('internal_error', `internal error; see the server log for request ${request.id}`, []));
  }
  return reply.code(statusCode).send(body(error.code ?? 'bad_request', error.message, []));
}

/**
 * What Fastify itself refuses before routing: a URL it cannot decode (400), a path parameter
 * longer than its limit (414).
 */
export function frameworkErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    void reply.code(414).send(body('uri_too_long', 'a path segment is longer than this API accepts', [{ path: 'params', message: 'too long' }]));
    return;
  }
  if (error.code === 'FST_ERR_BAD_URL') {
    void reply.code(400).send(body('validation_failed', 'the URL is not valid (a malformed %-escape?)', [{ path: 'url', message: 'not a valid URL' }]));
    return;
  }
  void reply.code(error.statusCode ?? 400).send(body('bad_request', error.message, []));
}

const CLIENT_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, code: 'headers_too_large', message: 'the request headers are larger than this server accepts' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, code: 'request_timeout', message: 'the request was not received in time' },
};

/**
 * Requests Node refuses on the socket, before Fastify sees them (headers too large, a
 * malformed request line): answered in the API's error shape, then the connection is closed.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed || !socket.writable) return;
  const known = CLIENT_ERRORS[error.code ?? ''] ?? { status: 400, code: 'bad_request', message: 'the request could not be read' };
  const payload = JSON.stringify(body(known.code, known.message, []));
  socket.end(
    `HTTP/1.1 ${known.status} ${STATUS_CODES[known.status]}\r\n` +
      `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(payload)}\r\nConnection: close\r\n\r\n${payload}`,
  );
}

function body(code: string, message: string, details: FieldProblem[]): ApiErrorBody {
  return { code, message, details };
}
