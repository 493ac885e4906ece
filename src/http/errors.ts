import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { DomainError } from '../domain/errors.js';
import type { DomainErrorCode, FieldProblem } from '../domain/errors.js';

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

function body(code: string, message: string, details: FieldProblem[]): ApiErrorBody {
  return { code, message, details };
}
