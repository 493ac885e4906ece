import type { Locale } from './i18n';

/**
 * The API speaks English in its error messages (`"12345" is not a valid phone number`, zod's
 * defaults, `already linked to person 2`). The panel is Russian first, so the messages a person
 * can meet while working are said in Russian here, with what to do; anything unknown is shown
 * as the server said it. In English the server's text is shown as is.
 */
const RULES: Array<[RegExp, (m: RegExpMatchArray) => string]> = [
  // Contacts (src/domain/contacts.ts)
  [/^"(.*)" is not a valid phone number$/s, (m) => `«${m[1]}» — не номер телефона. Введите номер с кодом страны, например +7 912 345-67-89`],
  [/^phone is empty$/i, () => 'Введите номер телефона'],
  [/^"(.*)" is not a valid e-mail address$/s, (m) => `«${m[1]}» — не адрес эл. почты. Введите адрес вида name@example.ru`],
  [/^e-mail is empty$/i, () => 'Введите адрес эл. почты'],
  // External ids (src/store/external-links.ts): the field's message and the conflict's message
  [/already linked to (person|organization|order) (\d+)$/, (m) => `Этот ID уже указан у ${OWNER[m[1]!]} № ${m[2]}. Проверьте номер или сначала уберите его там`],
  [/already linked to another record$/, () => 'Этот ID уже указан у другой записи. Проверьте номер'],
  // Quantity tiers (src/domain/catalog.ts)
  [/^must be greater than the previous preset \((\d+)\)/, (m) => `Должен быть больше предыдущего тиража (${m[1]}): тиражи идут по возрастанию без повторов`],
  [/^must not be less than min \((\d+)\)/, (m) => `Не меньше начального тиража (${m[1]})`],
  [/^must be min \((\d+)\) plus a whole number of steps \((\d+)\); e\.g\. (\d+) or (\d+)/, (m) => `Должно быть ${m[1]} плюс целое число шагов по ${m[2]}: например, ${m[3]} или ${m[4]}`],
  [/^must equal min \((\d+)\)/, (m) => `Первая цена — от начального тиража (${m[1]}), чтобы у каждого тиража была цена`],
  [/^must be greater than the previous break \((\d+)\)/, (m) => `Должен быть больше предыдущего порога (${m[1]})`],
  [/^must not exceed max \((\d+)\)/, (m) => `Не больше конечного тиража (${m[1]}): иначе эта цена никогда не применится`],
  [/^times max \((\d+)\) exceeds the largest total/, (m) => `Слишком большая цена: цена × ${m[1]} шт. превышает допустимую сумму`],
  [/^needs at least one preset/, () => 'Добавьте хотя бы один тираж'],
  [/^needs at least one price/, () => 'Добавьте хотя бы одну цену'],
  [/^at most (\d+) (presets|price breaks)/, (m) => `Не больше ${m[1]} строк`],
  // Orders (src/domain/orders.ts)
  [/^is more than the order amount$/, () => 'Больше суммы заказа'],
  [/^unknown order status/, () => 'Такого статуса нет: выберите статус из списка'],
  [/is set by the system and cannot be chosen$/, () => 'Этот статус ставит система, вручную его выбрать нельзя'],
  // Jobs (src/http/routes/jobs.ts)
  [/^job \S+ is \w+, not dead/, () => 'Это задание уже не в списке неотправленных. Нажмите «Обновить»'],
  [/^job \S+ could not be replayed; try again$/, () => 'Задание не удалось поставить в очередь. Повторите'],
  // Integrations (src/store/settings.ts)
  [/is not configured yet: save its settings first$/, () => 'Интеграция ещё не настроена: сначала заполните и сохраните её настройки'],
  // «Отправить повторно» (src/sync/resend.ts)
  [/^(.+) is switched off in its settings; switch it on to send$/, (m) => `${m[1]} выключена в настройках: включите её в «Настройка / Выгрузка заказов», чтобы отправить`],
  // zod's defaults
  [/expected (string|number|boolean|object|array), received (undefined|null)/i, () => 'Заполните поле'],
  [/^Required$/i, () => 'Заполните поле'],
  [/Invalid (URL|url)/, () => 'Введите адрес вида https://…'],
  [/Invalid email/i, () => 'Введите адрес эл. почты вида name@example.ru'],
  [/expected int, received/i, () => 'Введите целое число'],
  [/expected (number|int), received/i, () => 'Введите число'],
  [/expected string, received/i, () => 'Введите текст'],
  [/Invalid option: expected one of/i, () => 'Выберите значение из списка'],
  [/Too small: expected string to have >=?(\d+) characters?/i, (m) => (m[1] === '1' ? 'Заполните поле' : `Не короче ${m[1]} символов`)],
  [/Too big: expected string to have <=?(\d+) characters?/i, (m) => `Не длиннее ${m[1]} символов`],
  [/Too small: expected number to be >=(-?[\d.]+)/i, (m) => `Не меньше ${m[1]}`],
  [/Too small: expected number to be >(-?[\d.]+)/i, (m) => `Больше ${m[1]}`],
  [/Too big: expected number to be <=(-?[\d.]+)/i, (m) => `Не больше ${m[1]}`],
  [/Too big: expected number to be <(-?[\d.]+)/i, (m) => `Меньше ${m[1]}`],
  [/Too small: expected array to have >=?(\d+) items?/i, (m) => `Добавьте хотя бы ${m[1]}`],
  [/expected int/i, () => 'Введите целое число'],
  [/is not a known field/i, () => 'Неизвестное поле'],
  [/^Invalid input$/i, () => 'Неверное значение'],
  [/^must not be empty$/i, () => 'Заполните поле'],
];

const OWNER: Record<string, string> = { person: 'клиента', organization: 'организации', order: 'заказа' };

/** One message of the server (a field's complaint or an error's message) in the panel's language. */
export function localizeMessage(message: string, locale: Locale): string {
  if (locale !== 'ru') return message;
  for (const [pattern, say] of RULES) {
    const match = message.match(pattern);
    if (match) return say(match);
  }
  return message;
}

/** `internal error; see the server log for request req-1a` → `req-1a` (what to tell the administrator). */
export function requestReference(message: string): string {
  return /request (\S+)$/.exec(message)?.[1] ?? message;
}

/**
 * Why a job is dead (src/jobs/retry-policy.ts `decideAfterFailure`), for the health page:
 * `permanent error: IntegrationError: в заказе 36 нет товаров…` → «Повтор не поможет: в заказе 36
 * нет товаров…». The error's class name is for developers; the message after it is the news
 * (an integration's own messages are Russian already).
 */
export function jobFailureReason(lastError: string, locale: Locale): string {
  if (locale !== 'ru') return lastError;
  const withoutClass = (text: string) => localizeMessage(text.replace(/^(?:[A-Z]\w*Error): /, ''), locale);
  const permanent = /^permanent error: (.*)$/s.exec(lastError);
  if (permanent) return `Повтор не поможет: ${withoutClass(permanent[1]!)}`;
  const gaveUp = /^gave up after (\d+) attempts?: (.*)$/s.exec(lastError);
  if (gaveUp) return `Не получилось (попыток: ${gaveUp[1]}): ${withoutClass(gaveUp[2]!)}`;
  return withoutClass(lastError);
}

