/**
 * A refusal in the contract's envelope: a non-2xx status with
 * `{ "error": { "code", "message", "param"?, "group"? } }` and, for a duplicate order, `order`
 * beside `error`. Messages are in Russian, as the ERPs write them.
 */
export class ErpApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly where: { param?: string; group?: string } = {},
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }

  toBody(): Record<string, unknown> {
    return { error: { code: this.code, message: this.message, ...this.where }, ...this.extra };
  }
}

/** `group`: the detail or operation a parameter belongs to (absent for order parameters). */
const refusal = (code: string, message: string, param: string, group?: string) =>
  new ErpApiError(422, code, message, { param, ...(group === undefined ? {} : { group }) });

export const erpErrors = {
  unauthorized: (message: string) => new ErpApiError(401, 'UNAUTHORIZED', message),
  badJson: () => new ErpApiError(400, 'BAD_REQUEST', 'Тело запроса не является JSON-объектом'),
  badField: (field: string, message: string) => new ErpApiError(400, 'BAD_REQUEST', message, { param: field }),
  tooLarge: () => new ErpApiError(413, 'REQUEST_TOO_LARGE', 'Слишком большой запрос'),
  internal: () => new ErpApiError(500, 'INTERNAL_ERROR', 'Внутренняя ошибка сервера'),
  templateNotFound: (id: string) => new ErpApiError(404, 'TEMPLATE_NOT_FOUND', `Шаблон «${id}» не найден`),
  orderNotFound: (id: string) => new ErpApiError(404, 'ORDER_NOT_FOUND', `Заказ «${id}» не найден`),
  templateNotFoundInBody: (id: string) => refusal('TEMPLATE_NOT_FOUND', `Шаблон «${id}» не найден`, 'templateId'),
  paramRequired: (param: string, group?: string) => refusal('PARAM_REQUIRED', `Не указан обязательный параметр «${param}»`, param, group),
  paramUnknown: (param: string, group?: string) => refusal('PARAM_UNKNOWN', `В шаблоне нет параметра «${param}»`, param, group),
  groupUnknown: (kind: 'detail' | 'operation', name: string) =>
    refusal('PARAM_UNKNOWN', kind === 'detail' ? `В шаблоне нет детали «${name}»` : `В шаблоне нет операции «${name}»`, name),
  paramValueInvalid: (param: string, reason: string, group?: string) =>
    refusal('PARAM_VALUE_INVALID', `Недопустимое значение параметра «${param}»: ${reason}`, param, group),
  quantityInvalid: (reason: string) => refusal('QUANTITY_INVALID', `Недопустимый тираж: ${reason}`, 'quantity'),
  noPrices: (name: string) => new ErpApiError(422, 'TEMPLATE_HAS_NO_PRICES', `Для шаблона «${name}» не задан прайс-лист`),
  duplicateExternalId: (externalId: string, order: Record<string, unknown>) =>
    new ErpApiError(409, 'DUPLICATE_EXTERNAL_ID', `Заказ с внешним номером «${externalId}» уже существует`, { param: 'externalId' }, { order }),
};
