import type { RouteOptions } from 'fastify';
import { errorResponse } from './common.js';

const BODY_METHODS = ['POST', 'PUT', 'PATCH'];

/**
 * Adds to a route's OpenAPI entry the answers the server as a whole may give it, besides those
 * its handler gives: 401 without credentials, 403 for a session without its CSRF token (and for
 * a manager on admin routes, see auth.ts), 413 and 415 for bodies too large or of another type,
 * 500 for a fault — each in the one error shape. An API client reading /docs then knows every
 * status it must handle.
 */
export function documentEveryAnswer(inboundGroups: ReadonlyArray<{ prefix: string; scheme: string }>) {
  return (route: RouteOptions): void => {
    // The integration's scope marks its inbound routes after this hook has run; its prefix tells.
    const inbound = inboundGroups.find((group) => route.url === group.prefix || route.url.startsWith(`${group.prefix}/`));
    if ((!route.url.startsWith('/api/') && !inbound) || route.schema?.hide) return;
    document(route, inbound ?? null);
  };
}

function document(route: RouteOptions, inbound: { scheme: string } | null): void {
  const methods = [route.method].flat().map(String);
  const response = { ...(route.schema?.response as Record<string, unknown> | undefined) };
  const add = (status: number, description: string) => {
    response[status] ??= errorResponse.describe(description);
  };
  if (inbound) {
    add(inbound.scheme === 'basic' ? 401 : 403, `the caller did not prove who it is (${inbound.scheme})`);
  } else if (!route.config?.public) {
    add(401, 'no valid API token or staff session');
    if (methods.some((m) => BODY_METHODS.includes(m) || m === 'DELETE')) add(403, 'a staff session without its CSRF token (x-csrf-token)');
  }
  if (methods.some((m) => BODY_METHODS.includes(m))) {
    add(413, 'the body is larger than the server accepts');
    add(415, 'the body is of a type this route does not read');
  }
  add(500, 'a fault on the server; the message names the request id to quote');
  route.schema = { ...route.schema, response };
}
