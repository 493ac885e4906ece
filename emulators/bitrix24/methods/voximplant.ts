import { randomUUID } from 'node:crypto';
import type { MethodRegistry } from '../context.js';
import { RestError } from '../errors.js';
import { normalizePhone } from '../multifields.js';
import { asList, pick } from '../params.js';
import { TELEPHONY_LINES, USER_DEFAULT_LINES } from '../seed.js';

/** Built-in telephony: the outgoing lines and click-to-call callbacks (recorded for the admin page). */
export function registerVoximplantMethods(registry: MethodRegistry): void {
  registry.add('telephony', 'voximplant.line.get', () => ({ ...TELEPHONY_LINES }));

  // The telephony settings of employees (`USER_ID`: a list of ids): their default outgoing line and extension.
  registry.add('telephony', 'voximplant.user.get', (params, ctx) => {
    const raw = pick(params, 'USER_ID');
    const ids = (asList(raw) ?? (raw === undefined ? [] : [raw])).map(Number).filter((id) => Number.isInteger(id) && id > 0);
    if (ids.length === 0) throw new RestError(400, 'INVALID_USER_ID', 'User ID is not specified');
    return ids.flatMap((id) => {
      const user = ctx.portal.store.get('user', id);
      if (!user) return [];
      return [{ ID: String(id), DEFAULT_LINE: USER_DEFAULT_LINES[id] ?? '', INNER_NUMBER: String(user.UF_PHONE_INNER ?? ''), PHONE_ENABLED: 'N', SIP_SERVER: '', SIP_LOGIN: '', SIP_PASSWORD: '' }];
    });
  });

  registry.add('telephony', 'voximplant.callback.start', (params, ctx) => {
    const line = String(pick(params, 'FROM_LINE') ?? '');
    if (!(line in TELEPHONY_LINES)) throw new RestError(400, 'ERROR_CORE', 'Could not find line ' + line);
    const number = String(pick(params, 'TO_NUMBER') ?? '');
    if (normalizePhone(number).replace(/\D/g, '').length < 10) throw new RestError(400, 'ERROR_CORE', 'Phone number is not correct');
    const callId = `callback.${randomUUID().replace(/-/g, '')}.${Math.floor(Date.now() / 1000)}`;
    const id = ctx.portal.store.nextId('callback');
    ctx.portal.store.put('callback', {
      ID: id,
      CALL_ID: callId,
      FROM_LINE: line,
      TO_NUMBER: number,
      TEXT_TO_PRONOUNCE: String(pick(params, 'TEXT_TO_PRONOUNCE') ?? ''),
      USER_ID: ctx.userId,
      CREATED: Date.now(),
    });
    return { RESULT: true, CALL_ID: callId };
  });
}
