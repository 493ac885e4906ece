import { DomainError } from '../../../domain/errors.js';
import type { IntegrationContext } from '../../../platform/context.js';
import type { PortalConnection } from '../export/portal.js';
import type { Bitrix24Settings } from '../settings.js';
import { Bitrix24Error, forStaff } from '../transport/client.js';

export interface CallStarted {
  callId: string;
  line: string;
  lineName: string;
  toNumber: string;
  message: string;
}

/** Not a fault of printsync: staff read it on the card as it is (409). */
const unavailable = (message: string) => new DomainError('conflict', message);

/**
 * «Позвонить клиенту» on the order card (B24-18, reference §4.13): with the telephony toggle on,
 * Bitrix24's built-in telephony rings the manager on the portal's outgoing line
 * (`voximplant.line.get`), speaks the order's number, then connects the client's phone
 * (`voximplant.callback.start`). Anything in the way — the toggle off, no line rented, the client
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
  const entries = Array.isArray(lines) ? [] : Object.entries(lines);
  const [line, lineName] = entries[0] ?? [];
  if (!line) throw unavailable('Телефония Битрикс24 недоступна: на портале нет линии для исходящих звонков (арендованного номера или SIP-линии)');

  const toNumber = phone.e164;
  const started = await call<{ RESULT: boolean; CALL_ID: string }>('voximplant.callback.start', {
    FROM_LINE: line,
    TO_NUMBER: toNumber,
    TEXT_TO_PRONOUNCE: `Звонок клиенту по заказу номер ${order.number}`,
  });
  if (!started?.CALL_ID) throw unavailable('Битрикс24 не начал звонок');
  context.logger.info({ orderId, line, callId: started.CALL_ID }, 'bitrix24 callback started');
  return {
    callId: started.CALL_ID,
    line,
    lineName: lineName ?? line,
    toNumber,
    message: `Битрикс24 звонит: сначала вам на линии «${lineName ?? line}», затем клиенту ${person.fullName} (${toNumber})`,
  };
}
