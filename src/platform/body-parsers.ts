import fastifyMultipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import qs from 'qs';
import { DomainError } from '../domain/errors.js';
import { emptyMap, isReservedKey } from '../domain/keys.js';

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
        done(null, parsePhpForm(body as string, options));
      });
    },
  };
}

/** How `phpForm` reads a body: as qs reads it with these options. */
export function parsePhpForm(body: string, options: { depth?: number; parameterLimit?: number } = {}): Record<string, unknown> {
  const depth = options.depth ?? 6;
  const parameterLimit = options.parameterLimit ?? 2_000;
  return (
    parseSimpleForm(body, depth, parameterLimit) ??
    qs.parse(body, { depth, parameterLimit, arrayLimit: 500, allowPrototypes: false, plainObjects: true, charset: 'utf-8' })
  );
}

const SIMPLE_NAME = '[A-Za-z_][A-Za-z0-9_]*';
const SIMPLE_KEY = new RegExp(`^${SIMPLE_NAME}(?:\\[${SIMPLE_NAME}\\])*$`);
const KEY_SEGMENT = /[A-Za-z0-9_]+/g;

/**
 * The usual form — every key a plain name with plain names in brackets (`auth[application_token]`,
 * `data[FIELDS][ID]`), each key once — read exactly as qs reads it, in a fraction of the time (qs
 * was the largest single cost of a Bitrix24 event, bench bitrix24-events). Anything else —
 * numeric or empty brackets (arrays), a key given twice, a key that is both a value and a group,
 * names objects inherit, keys deeper than `depth`, more than `parameterLimit` pairs, encoded
 * characters in keys, an empty pair — is null, and qs reads it. A test holds the two equal.
 */
function parseSimpleForm(body: string, depth: number, parameterLimit: number): Record<string, unknown> | null {
  if (body === '') return null;
  // qs reads encoded brackets as brackets, in keys and values alike.
  const text = body.replace(/%5B/gi, '[').replace(/%5D/gi, ']');
  const pairs = text.split('&');
  if (pairs.length > parameterLimit) return null;
  const form = emptyMap<unknown>();
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals <= 0) return null;
    const key = pair.slice(0, equals);
    const value = pair.slice(equals + 1);
    // qs splits a pair at its first `]=` when there is one: a value holding one is left to it.
    if (!SIMPLE_KEY.test(key) || value.includes(']=')) return null;
    const names = key.match(KEY_SEGMENT)!;
    if (names.length > depth + 1) return null;
    let group = form;
    for (let index = 0; index < names.length; index++) {
      const name = names[index]!;
      if (isReservedKey(name)) return null;
      const existing = group[name];
      if (index === names.length - 1) {
        if (existing !== undefined) return null;
        group[name] = decodeFormValue(value);
      } else if (existing === undefined) {
        group = group[name] = emptyMap<unknown>();
      } else if (typeof existing === 'object') {
        group = existing as Record<string, unknown>;
      } else {
        return null;
      }
    }
  }
  return form;
}

/** qs's decoder for UTF-8 forms: `+` is a space, then percent-decoding; a malformed escape leaves the text as it is. */
function decodeFormValue(value: string): string {
  const spaced = value.includes('+') ? value.replace(/\+/g, ' ') : value;
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
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
 * Buffers, all in `request.body` by field name; each file's name as the sender gave it in
 * `request.uploads`. Files count against the server's body limit; a route that takes larger
 * files says so with `config: { multipartOptions: { limits: { fileSize } } }` (a larger file is a 413).
 */
export function multipartBody(options: { maxFiles?: number } = {}): BodyParser {
  return {
    contentTypes: ['multipart/form-data'],
    async install(scope) {
      if (!scope.hasRequestDecorator('uploads')) scope.decorateRequest('uploads', null);
      await scope.register(fastifyMultipart, {
        attachFieldsToBody: 'keyValues',
        limits: { files: options.maxFiles ?? 5, fields: 100, parts: 200, fileSize: scope.initialConfig.bodyLimit },
        throwFileSizeLimit: true,
        async onFile(this: FastifyRequest, part) {
          await part.toBuffer();
          this.uploads ??= {};
          this.uploads[part.fieldname] = { fileName: part.filename, mimeType: part.mimetype };
        },
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
    /** On routes that accept `multipartBody`: each uploaded file's name and type by its field name. */
    uploads: Record<string, { fileName: string; mimeType: string }> | null;
  }
}
