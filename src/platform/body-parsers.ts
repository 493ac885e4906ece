import fastifyMultipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import qs from 'qs';
import { DomainError } from '../domain/errors.js';

/**
 * Bodies an integration's routes accept besides JSON, installed in the integration's own route
 * scope (Fastify encapsulation), so the rest of the API keeps answering 415 to them. The body
 * limit of the server applies to all of them, and a body that cannot be read is a 400 in the
 * API's error shape naming `body`.
 */
export interface BodyParser {
  /** Content types it reads, for the 415 message of a route that gets something else. */
  readonly contentTypes: readonly string[];
  install(scope: FastifyInstance): void | Promise<void>;
}

/**
 * `application/x-www-form-urlencoded` as PHP reads it: `auth[application_token]=…&data[FIELDS][ID]=5`
 * becomes `{ auth: { application_token: '…' }, data: { FIELDS: { ID: '5' } } }` — how Bitrix24
 * posts its events. Objects have no prototype and keys like `__proto__` are dropped.
 */
export function phpForm(options: { depth?: number; parameterLimit?: number } = {}): BodyParser {
  const contentTypes = ['application/x-www-form-urlencoded'];
  return {
    contentTypes,
    install(scope) {
      scope.addContentTypeParser(contentTypes[0]!, { parseAs: 'string' }, (_request, body, done) => {
        const parsed = qs.parse(body as string, {
          depth: options.depth ?? 6,
          parameterLimit: options.parameterLimit ?? 2_000,
          arrayLimit: 500,
          allowPrototypes: false,
          plainObjects: true,
          charset: 'utf-8',
        });
        done(null, parsed);
      });
    },
  };
}

/**
 * `application/xml` and `text/xml` (CommerceML from 1C): the document as an object (attributes
 * under `@_name`); the raw text stays in `request.rawXml` for whoever needs it verbatim.
 */
export function xmlBody(): BodyParser {
  const contentTypes = ['application/xml', 'text/xml'];
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false, trimValues: true, processEntities: true });
  return {
    contentTypes,
    install(scope) {
      if (!scope.hasRequestDecorator('rawXml')) scope.decorateRequest('rawXml', null);
      scope.addContentTypeParser(contentTypes, { parseAs: 'string' }, (request, body, done) => {
        const text = body as string;
        const valid = XMLValidator.validate(text);
        if (valid !== true) {
          const where = `line ${valid.err.line}, column ${valid.err.col}`;
          done(new DomainError('validation_failed', `body: not valid XML (${where}: ${valid.err.msg})`, [{ path: 'body', message: `not valid XML at ${where}` }]), undefined);
          return;
        }
        request.rawXml = text;
        done(null, parser.parse(text) as unknown);
      });
    },
  };
}

/**
 * `multipart/form-data` (a file upload from a form or a script): fields as strings, files as
 * Buffers, all in `request.body` by field name. Files count against the server's body limit.
 */
export function multipartBody(options: { maxFiles?: number } = {}): BodyParser {
  return {
    contentTypes: ['multipart/form-data'],
    async install(scope) {
      await scope.register(fastifyMultipart, {
        attachFieldsToBody: 'keyValues',
        limits: { files: options.maxFiles ?? 5, fields: 100, parts: 200, fileSize: scope.initialConfig.bodyLimit },
        throwFileSizeLimit: true,
      });
    },
  };
}

/** Any other content type as raw bytes (a file 1C posts with `mode=file`). */
export function rawBody(contentTypes: readonly string[] = ['application/octet-stream']): BodyParser {
  return {
    contentTypes,
    install(scope) {
      scope.addContentTypeParser([...contentTypes], { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    },
  };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The XML body as text, on routes that accept XML (`xmlBody`). */
    rawXml: string | null;
  }
}
