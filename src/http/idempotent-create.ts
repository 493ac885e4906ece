import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { invalidField } from '../domain/errors.js';
import type { IdempotencyStore } from '../store/idempotency.js';

/**
 * Runs a create. With an `Idempotency-Key` header, the same key and body give the same
 * response (marked `Idempotent-Replayed: true`) and a different body with that key gives 409.
 */
export async function idempotentCreate<T>(
  idempotency: IdempotencyStore,
  request: FastifyRequest,
  reply: FastifyReply,
  create: (db: Kysely<Database> | undefined) => Promise<T>,
): Promise<T> {
  const header = request.headers['idempotency-key'];
  if (header === undefined) {
    reply.code(201);
    return create(undefined);
  }
  const key = Array.isArray(header) ? header[0] : header;
  if (!key || key.length > 255) throw invalidField('headers.idempotency-key', 'must be 1 to 255 characters');
  // Keys are per caller and per route: two clients may pick the same key independently.
  const scope = `${request.principal?.kind ?? 'anonymous'}:${request.principal?.id ?? 0}:${request.routeOptions.url}`;
  const result = await idempotency.run(scope, key, { params: request.params, body: request.body }, async (trx) => ({
    statusCode: 201,
    body: await create(trx),
  }));
  reply.code(result.statusCode);
  if (result.replayed) reply.header('idempotent-replayed', 'true');
  return result.body as T;
}
