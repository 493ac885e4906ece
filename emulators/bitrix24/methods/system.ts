import type { MethodRegistry } from '../context.js';
import { ALL_SCOPES } from '../portal.js';
import { pick } from '../params.js';
import { RestError } from '../errors.js';

/** `scope`, `method.get`, `server.time`, `profile`: what an integration uses to check its webhook. */
export function registerSystemMethods(registry: MethodRegistry): void {
  // Methods that need an application (OAuth) context: a webhook is refused before they run,
  // so an integration cannot subscribe its outgoing webhook programmatically.
  const applicationOnly: [string, string][] = [
    ['_global', 'event.bind'],
    ['_global', 'event.unbind'],
    ['_global', 'placement.bind'],
    ['telephony', 'telephony.externalCall.register'],
    ['telephony', 'telephony.externalCall.finish'],
  ];
  for (const [scope, name] of applicationOnly) {
    registry.add(scope, name, () => {
      throw new RestError(403, 'WRONG_AUTH_TYPE', 'Current authorization type is denied for this method');
    });
  }

  registry.add('_global', 'scope', (params, ctx) => (String(pick(params, 'full') ?? '') === 'true' ? [...ALL_SCOPES] : [...ctx.scopes]));

  registry.add('_global', 'method.get', (params, ctx) => {
    const method = registry.get(String(pick(params, 'name') ?? ''));
    if (!method) return { isExisting: false, isAvailable: false };
    return { isExisting: true, isAvailable: method.scope === '_global' || ctx.scopes.includes(method.scope) };
  });

  registry.add('_global', 'server.time', (_params, ctx) => ctx.portal.clock.iso(Date.now()));

  registry.add('_global', 'profile', (_params, ctx) => {
    const user = ctx.portal.store.get('user', ctx.userId);
    return {
      ID: String(ctx.userId),
      ADMIN: Boolean(user?.IS_ADMIN),
      NAME: user?.NAME ?? '',
      LAST_NAME: user?.LAST_NAME ?? '',
      PERSONAL_GENDER: '',
      TIME_ZONE: '',
      TIME_ZONE_OFFSET: 0,
    };
  });
}
