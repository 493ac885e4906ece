import { DomainError } from '../../../domain/errors.js';
import type { IntegrationContext } from '../../../platform/context.js';
import type { PortalConnection } from '../export/portal.js';
import type { Bitrix24Settings } from '../settings.js';
import { responsibleOf } from '../mapping/deal.js';
import { Bitrix24Error, forStaff } from '../transport/client.js';
import type { Bitrix24Transport } from '../transport/client.js';

export interface CallStarted {
  callId: string;
  line: string;
  lineName: string;
  /** The order's responsible manager on the portal (the deal's, else the settings'). */
  managerId: number;
  /** The manager has no line of their own: the portal's first line is used. */
  fallback: boolean;
  toNumber: string;
  message: string;
}

/** Not a fault of printsync: staff read it on the card as it is (409). */
const unavailable = (message: string) => new DomainError('conflict', message);

/**
 * «Позвонить клиенту» on the order card (B24-18, reference §4.13): with the telephony toggle on,
 * Bitrix24's built-in telephony rings the order's responsible manager (the deal's «Ответственный»,
 * else the one in settings) on their default outgoing line (`voximplant.user.get` DEFAULT_LINE,
 * one of `voximplant.line.get`), speaks the order's number, then connects the client's phone
 * (`voximplant.callback.start`). A manager without a line of their own is called on the portal's
 * first line, and the answer says so. Anything in the way — the toggle off, no line rented, the client
 * without a phone, the webhook without the `telephony` scope — is said in words a manager
 * understands, and nothing is called.
 */
export async function startCallback(context: IntegrationContext<Bitrix24Settings>, portal: PortalConnection, orderId: number): Promise<CallStarted> {
  const order = await context.stores.orders.get(orderId);
  const saved = await context.settings.get();
  if (!saved) throw unavailable('Телефония Битрикс24 недоступна: интеграция с Битрикс24 не настроена');
  if (!saved.enabled) throw unavailable('Телефония Битрикс24 недоступна: интеграция с Битрикс24 выключена');
  if (!saved.settings.telephonyEnabled) {
    throw unavailable('Телефония Битрикс24 выключена: включите «Использовать телефонию Битрикс24 на странице заказа…» в настройках интеграции');
  }
  const person = order.personId !== null ? await context.stores.persons.get(order.personId) : null;
  const phone = person?.phones[0];
  if (!phone) throw unavailable(person ? `Позвонить нельзя: у клиента ${person.fullName} нет телефона` : 'Позвонить нельзя: у заказа нет клиента-частного лица с телефоном');

  const transport = portal.transport(saved);
  const call = async <T>(method: string, params: Record<string, unknown>): Promise<T> => {
    try {
      return (await transport.call<T>(method, params)).result;
    } catch (error) {
      if (error instanceof Bitrix24Error) {
        if (error.kind === 'scope') throw unavailable('Телефония Битрикс24 недоступна: у входящего вебхука нет права «Телефония» (telephony) — добавьте его в Битрикс24');
        if (error.kind === 'call') throw unavailable(`Битрикс24 не начал звонок: ${error.message}`);
      }
      throw unavailable(`Битрикс24 не начал звонок: ${String(forStaff(error))}`);
    }
  };

  const lines = await call<Record<string, string> | unknown[]>('voximplant.line.get', {});
  const names = new Map(Array.isArray(lines) ? [] : Object.entries(lines));
  if (names.size === 0) throw unavailable('Телефония Битрикс24 недоступна: на портале нет линии для исходящих звонков (арендованного номера или SIP-линии)');
  const managerId = await responsibleManager(context, transport, orderId, saved.settings);
  const own = await managerLine(transport, managerId);
  const line = own && names.has(own) ? own : names.keys().next().value!;
  const lineName = names.get(line) ?? line;

  const toNumber = phone.e164;
  const started = await call<{ RESULT: boolean; CALL_ID: string }>('voximplant.callback.start', {
    FROM_LINE: line,
    TO_NUMBER: toNumber,
    TEXT_TO_PRONOUNCE: `Звонок клиенту по заказу номер ${order.number}`,
  });
  if (!started?.CALL_ID) throw unavailable('Битрикс24 не начал звонок');
  const fallback = line !== own;
  context.logger.info({ orderId, line, managerId, fallback, callId: started.CALL_ID }, 'bitrix24 callback started');
  const then = `затем клиенту ${person.fullName} (${toNumber})`;
  return {
    callId: started.CALL_ID,
    line,
    lineName,
    managerId,
    fallback,
    toNumber,
    message: fallback
      ? `У ответственного менеджера (ID ${managerId} в Битрикс24) нет своей линии для исходящих звонков, поэтому Битрикс24 звонит с линии портала «${lineName}»: сначала на неё, ${then}`
      : `Битрикс24 звонит с линии ответственного менеджера «${lineName}»: сначала менеджеру, ${then}`,
  };
}

/** The order's responsible manager on the portal: whoever the deal is assigned to now, else the one the settings give new deals. */
async function responsibleManager(context: IntegrationContext<Bitrix24Settings>, transport: Bitrix24Transport, orderId: number, settings: Bitrix24Settings): Promise<number> {
  const dealId = await context.stores.links.externalIdOf({ entityType: 'order', entityId: orderId, system: context.name, kind: 'deal' });
  if (dealId) {
    // A manager may hand the deal to someone else in Bitrix24 (B24-4); a deal gone or unreadable leaves the default.
    const deal = await transport.call<{ ASSIGNED_BY_ID?: string | number }>('crm.deal.get', { id: dealId }).catch(() => null);
    const assigned = Number(deal?.result.ASSIGNED_BY_ID);
    if (Number.isInteger(assigned) && assigned > 0) return assigned;
  }
  return responsibleOf(settings);
}

/** The employee's default outgoing line (`voximplant.user.get` DEFAULT_LINE); null when none, or when the portal will not say. */
async function managerLine(transport: Bitrix24Transport, userId: number): Promise<string | null> {
  try {
    const users = (await transport.call<Array<{ ID: string | number; DEFAULT_LINE?: string }>>('voximplant.user.get', { USER_ID: [userId] })).result;
    const line = Array.isArray(users) ? users.find((u) => Number(u.ID) === userId)?.DEFAULT_LINE : undefined;
    return line ? String(line) : null;
  } catch (error) {
    // Without the telephony scope nothing can be called at all: said as for the other methods.
    if (error instanceof Bitrix24Error && error.kind === 'scope') throw error;
    return null;
  }
}
