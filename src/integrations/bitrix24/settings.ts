import { z } from 'zod';
import { ORDER_STATUSES } from '../../domain/order-status.js';
import type { OrderStatus } from '../../domain/order-status.js';
import type { FieldProblem } from '../../domain/errors.js';
import { defineSettings } from '../../settings/definition.js';
import type { ConnectionTestResult, SettingsHookContext } from '../../settings/definition.js';
import { choice, httpAddress, optionalId, optionalText, requiredId, settingsObject, text, toggle } from '../common/fields.js';
import { Bitrix24Error, Bitrix24Transport } from './transport/client.js';
import { PortalPacing } from './transport/pacing.js';
import { dealStages } from './transport/portal-lists.js';

/** Bitrix24's request limit on every plan but «Энтерпрайз» (2 per second, 50 at once). */
const STANDARD_PLAN_LIMIT = { perSecond: 2, burst: 50 } as const;

/**
 * «Битрикс24» under «Заказы / Настройка / Выгрузка заказов / ERP и CRM системы» (B24-1..5, B24-8,
 * B24-18, B24-19). Labels are those of the Pixlpark screens and the seed, so the shop's admin can
 * follow the same instructions. Stages, funnels and employees are offered as lists read from the
 * portal (`x-options`, answered by the integration's API routes in panel.ts): a stage id is never
 * built from a pattern. New fields come with defaults, so older saved versions keep loading.
 */

export const ORDER_TYPES = ['all', 'persons', 'organizations'] as const;
export type OrderTypes = (typeof ORDER_TYPES)[number];

const SETTABLE_STATUSES = ORDER_STATUSES.filter((status) => status.settable);
const orderStatus = z
  .enum(SETTABLE_STATUSES.map((status) => status.code) as [OrderStatus, ...OrderStatus[]], { error: 'Выберите статус заказа из списка' })
  .meta({ title: 'Статус заказа', 'x-labels': Object.fromEntries(SETTABLE_STATUSES.map((status) => [status.code, status.ru])) });
const stageId = z
  .string({ error: 'Выберите стадию сделки' })
  .trim()
  .min(1, 'Выберите стадию сделки')
  .max(50)
  .meta({ title: 'Стадия сделки', 'x-options': { route: 'stages', params: { categoryId: 'categoryId' } } });

/**
 * The general funnel's stages a new connection starts with (their ids are the same on every
 * portal); the admin changes them once the stages are read from the portal.
 */
export const DEFAULT_STAGE_TO_STATUS: ReadonlyArray<{ stageId: string; status: OrderStatus; markPaid: boolean }> = [
  { stageId: 'NEW', status: 'NotProcessed', markPaid: false },
  { stageId: 'WON', status: 'Printed', markPaid: false },
  { stageId: 'LOSE', status: 'Cancelled', markPaid: false },
];
export const DEFAULT_STATUS_TO_STAGE: ReadonlyArray<{ status: OrderStatus; stageId: string }> = [
  { status: 'NotProcessed', stageId: 'NEW' },
  { status: 'Printed', stageId: 'WON' },
  { status: 'Cancelled', stageId: 'LOSE' },
];

export const bitrix24SettingsSchema = settingsObject({
  portalUrl: httpAddress(
    { title: 'URL портала:', description: 'Адрес портала Битрикс24, например https://company.bitrix24.ru' },
    { example: 'https://company.bitrix24.ru', normalize: portalAddress },
  ),
  userId: requiredId({
    title: 'ID сотрудника, создавшего вебхуки:',
    description: 'Число из адреса входящего вебхука: …/rest/ЧИСЛО/код/',
  }),
  webhookCode: text(
    {
      title: 'Код входящего вебхука (batch):',
      description: 'Код из адреса входящего вебхука (…/rest/1/КОД/); в «Настройке прав» вебхука должна быть отмечена CRM',
    },
    {
      max: 100,
      pattern: { regex: /^[A-Za-z0-9_-]+$/, message: 'Только код из адреса вебхука: латинские буквы и цифры, без «/» и адреса портала' },
    },
  ),
  applicationToken: optionalText(
    {
      title: 'Токен исходящего вебхука:',
      description: '«Токен приложения» исходящего вебхука: по нему printsync узнаёт события вашего портала',
    },
    { max: 100 },
  ),
  orderTypes: choice(
    ORDER_TYPES,
    { all: 'Все заказы клиентов', persons: 'Только заказы частных лиц', organizations: 'Только заказы организаций' },
    { title: 'Типы отправляемых заказов:' },
    'all',
  ),
  categoryId: optionalId(
    {
      title: 'Направление сделки:',
      description: 'ID направления (воронки) сделок в Битрикс24; пусто или 0 — общее направление по умолчанию',
    },
    { zero: true },
  ).meta({ 'x-options': { route: 'categories', params: {} } }),
  responsibleId: optionalId({
    title: 'ID ответственного за сделку сотрудника:',
    description: 'Пусто — ответственным за сделки будет сотрудник, создавший вебхуки',
  }).meta({ 'x-options': { route: 'users', params: {} } }),
  stageToStatus: z
    .array(
      z.strictObject({
        stageId,
        status: orderStatus,
        markPaid: z.boolean().default(false).meta({ title: 'Перевести заказ в оплаченный' }),
      }),
    )
    .max(100)
    .default([...DEFAULT_STAGE_TO_STATUS])
    .meta({ title: 'Стадия сделки → статус заказа', description: 'Когда менеджер переводит сделку в стадию, заказ получает статус' }),
  statusToStage: z
    .array(z.strictObject({ status: orderStatus, stageId }))
    .max(100)
    .default([...DEFAULT_STATUS_TO_STAGE])
    .meta({ title: 'Статус заказа → стадия сделки', description: 'Когда заказ получает статус, сделка переходит в стадию' }),
  companyTypes: z
    .array(
      z.strictObject({
        bitrixType: z.string({ error: 'Выберите тип компании' }).trim().min(1).max(50).meta({ title: 'Тип компании в Битрикс24', 'x-options': { route: 'company-types', params: {} } }),
        companyType: z.string({ error: 'Введите тип организации' }).trim().min(1).max(64).meta({ title: 'Тип организации в printsync' }),
      }),
    )
    .max(50)
    .default([])
    .meta({ title: 'Типы компаний', description: 'Когда менеджер меняет тип компании в Битрикс24, организация получает этот тип' }),
  reconcileMinutes: z
    .number({ error: 'Введите число' })
    .int('Введите целое число')
    .min(1, 'Не чаще раза в минуту')
    .max(24 * 60)
    .default(10)
    .meta({ title: 'Сверка с порталом, интервал в минутах:', description: 'Битрикс24 не повторяет потерянные события: сверка находит изменения, о которых портал не сообщил' }),
  requestsPerSecond: z
    .number({ error: 'Введите число' })
    .positive('Введите число больше нуля')
    .max(1_000)
    .default(2)
    .meta({ title: 'Запросов в секунду:', description: 'Лимит портала: 2 на обычных тарифах, 5 на «Энтерпрайз»' }),
  requestBurst: z
    .number({ error: 'Введите число' })
    .int('Введите целое число')
    .min(1, 'Введите число больше нуля')
    .max(10_000)
    .default(50)
    .meta({ title: 'Запросов подряд без паузы:', description: 'Порог портала: 50 на обычных тарифах, 250 на «Энтерпрайз»' }),
  leadsEnabled: toggle({ title: 'Передача новых клиентов в Битрикс в качестве лидов' }),
  telephonyEnabled: toggle({ title: 'Использовать телефонию Битрикс24 на странице заказа в панели управления' }),
});

export type Bitrix24Settings = z.output<typeof bitrix24SettingsSchema>;
export type StageToStatusRow = Bitrix24Settings['stageToStatus'][number];
export type StatusToStageRow = Bitrix24Settings['statusToStage'][number];

/** The portal's own address: a pasted webhook URL or a page of the portal is cut back to it. */
function portalAddress(url: URL): string | { error: string } {
  if (url.pathname.startsWith('/rest/')) {
    return { error: 'Только адрес портала, например https://company.bitrix24.ru; ID сотрудника и код вебхука — в своих полях' };
  }
  return url.origin;
}

interface PortalIdentity {
  userId: number;
  userName: string;
  scopes: string[];
}

/** Scopes that let a webhook read its own employee with `user.current`. */
const USER_SCOPES = ['user', 'user_basic', 'user_brief'];

/**
 * Who the webhook is and what it may do: `scope` (answers for any valid webhook, so a wrong code
 * shows up here), then `user.current` — or `profile`, which needs no scope, when the webhook was
 * made with CRM rights only, as the seed tells admins to do.
 */
async function identify(transport: Bitrix24Transport, signal: AbortSignal): Promise<PortalIdentity> {
  const scopes = (await transport.call<unknown>('scope', {}, { signal })).result;
  const scopeList = Array.isArray(scopes) ? scopes.map(String) : [];
  const method = scopeList.some((s) => USER_SCOPES.includes(s)) ? 'user.current' : 'profile';
  const user = (await transport.call<Record<string, unknown>>(method, {}, { signal })).result ?? {};
  const userName = [user.NAME, user.LAST_NAME].filter((part) => typeof part === 'string' && part.trim()).join(' ');
  return { userId: Number(user.ID), userName: userName || `ID ${String(user.ID)}`, scopes: scopeList };
}

/** A portal-level problem as a field of the form, in words of the form's labels. */
function problemOf(error: unknown, settings: Bitrix24Settings): FieldProblem {
  if (!(error instanceof Bitrix24Error)) throw error;
  switch (error.kind) {
    case 'auth':
      return {
        path: 'webhookCode',
        message:
          `Битрикс24 не принял вебхук (${error.code}): код не подходит к сотруднику с ID ${settings.userId}, или этот сотрудник уволен. ` +
          'Сверьте «Код входящего вебхука» и «ID сотрудника, создавшего вебхуки» с адресом вебхука …/rest/ID/КОД/',
      };
    case 'scope':
      return { path: 'webhookCode', message: `У вебхука не хватает прав: ${error.message}. Отметьте CRM в «Настройке прав» входящего вебхука` };
    case 'unreachable':
    case 'not-bitrix':
      return { path: 'portalUrl', message: capitalize(error.message) };
    case 'refused':
      return { path: 'portalUrl', message: `Портал отказывает в REST API (${error.message}); REST доступен на платных тарифах и только по https` };
    case 'limit':
    case 'server':
      return { path: '', message: `Битрикс24 сейчас не может ответить (${error.message}); попробуйте ещё раз через минуту` };
    case 'call':
      return { path: '', message: `Битрикс24 ответил ошибкой: ${error.message}` };
  }
}

function missingCrm(identity: PortalIdentity): FieldProblem | null {
  if (identity.scopes.includes('crm')) return null;
  return {
    path: 'webhookCode',
    message:
      `У вебхука нет права «CRM (crm)» (сейчас: ${identity.scopes.join(', ') || 'никаких'}). ` +
      'В Битрикс24 откройте входящий вебхук, отметьте CRM в «Настройке прав» и сохраните',
  };
}

/** The export sends everything through `batch`: the webhook must be allowed to call it. */
async function batchRefused(transport: Bitrix24Transport, signal: AbortSignal): Promise<FieldProblem | null> {
  const answer = await transport.batch([{ name: 'crm', method: 'crm.category.list', params: { entityTypeId: 2 } }], { signal });
  const refused = answer.errors.get('crm');
  if (!refused && answer.results.has('crm')) return null;
  return { path: 'webhookCode', message: `Вебхук не может выполнять пакетные запросы (batch)${refused ? `: ${refused.message}` : ''}; printsync отправляет заказы пакетами` };
}

/** On save: does the chosen funnel exist, is the responsible an active employee. */
async function checkChoices(transport: Bitrix24Transport, settings: Bitrix24Settings, identity: PortalIdentity, signal: AbortSignal): Promise<FieldProblem[]> {
  const problems: FieldProblem[] = [];
  if (settings.categoryId !== null) {
    const answer = await transport.call<{ categories?: Array<{ id: number; name: string }> }>('crm.category.list', { entityTypeId: 2 }, { signal });
    const categories = answer.result.categories ?? [];
    if (!categories.some((category) => Number(category.id) === settings.categoryId)) {
      problems.push({
        path: 'categoryId',
        message: `На портале нет направления сделок с ID ${settings.categoryId}; есть: ${categories.map((c) => `${c.id} «${c.name}»`).join(', ')}`,
      });
    }
  }
  // Without a user scope the portal won't list employees; the id is then taken on trust.
  if (settings.responsibleId !== null && identity.scopes.includes('user')) {
    const answer = await transport.call<Array<{ ID: string; ACTIVE: boolean }>>('user.get', { FILTER: { ID: settings.responsibleId } }, { signal });
    const user = answer.result.find((u) => Number(u.ID) === settings.responsibleId);
    if (!user) problems.push({ path: 'responsibleId', message: `На портале нет сотрудника с ID ${settings.responsibleId}` });
    else if (user.ACTIVE === false) problems.push({ path: 'responsibleId', message: `Сотрудник с ID ${settings.responsibleId} уволен (неактивен) на портале` });
  }
  if (problems.length === 0) problems.push(...mappingProblems(settings, await dealStages(transport, settings.categoryId, signal)));
  return problems;
}

/** Every stage of both mappings must be a stage of the chosen funnel, and a stage maps to one status. */
export function mappingProblems(settings: Pick<Bitrix24Settings, 'categoryId' | 'stageToStatus' | 'statusToStage'>, stages: ReadonlyArray<{ id: string; name: string }>): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const known = new Set(stages.map((stage) => stage.id));
  const funnel = settings.categoryId ? `направлении ${settings.categoryId}` : 'общем направлении';
  const listed = stages.map((stage) => `${stage.id} «${stage.name}»`).join(', ');
  const seenStages = new Set<string>();
  settings.stageToStatus.forEach((row, index) => {
    if (!known.has(row.stageId)) problems.push({ path: `stageToStatus[${index}].stageId`, message: `В ${funnel} нет стадии ${row.stageId}; есть: ${listed}` });
    else if (seenStages.has(row.stageId)) problems.push({ path: `stageToStatus[${index}].stageId`, message: `Стадия ${row.stageId} уже сопоставлена статусу выше` });
    seenStages.add(row.stageId);
  });
  const seenStatuses = new Set<string>();
  settings.statusToStage.forEach((row, index) => {
    if (!known.has(row.stageId)) problems.push({ path: `statusToStage[${index}].stageId`, message: `В ${funnel} нет стадии ${row.stageId}; есть: ${listed}` });
    if (seenStatuses.has(row.status)) problems.push({ path: `statusToStage[${index}].status`, message: 'Этот статус уже сопоставлен стадии выше' });
    seenStatuses.add(row.status);
  });
  return problems;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export const bitrix24Settings = defineSettings<Bitrix24Settings>({
  schema: bitrix24SettingsSchema,
  secretFields: ['webhookCode', 'applicationToken'],
  // The code authenticates to that portal, and the token is that portal's: neither is reused for another.
  secretAddresses: { webhookCode: 'portalUrl', applicationToken: 'portalUrl' },
  defaults: {
    orderTypes: 'all',
    categoryId: null,
    responsibleId: null,
    applicationToken: null,
    leadsEnabled: false,
    telephonyEnabled: false,
    stageToStatus: [...DEFAULT_STAGE_TO_STATUS],
    statusToStage: [...DEFAULT_STATUS_TO_STAGE],
    requestsPerSecond: STANDARD_PLAN_LIMIT.perSecond,
    requestBurst: STANDARD_PLAN_LIMIT.burst,
    companyTypes: [],
    reconcileMinutes: 10,
  },

  async validateLive(settings, context) {
    const { signal } = context;
    const transport = pacedTransport(settings, context);
    let identity: PortalIdentity;
    try {
      identity = await identify(transport, signal);
    } catch (error) {
      return [problemOf(error, settings)];
    }
    const noCrm = missingCrm(identity);
    if (noCrm) return [noCrm];
    try {
      const noBatch = await batchRefused(transport, signal);
      if (noBatch) return [noBatch];
      return await checkChoices(transport, settings, identity, signal);
    } catch (error) {
      return [problemOf(error, settings)];
    }
  },

  async testConnection(settings, context): Promise<ConnectionTestResult> {
    const { signal } = context;
    const transport = pacedTransport(settings, context);
    let identity: PortalIdentity;
    try {
      identity = await identify(transport, signal);
    } catch (error) {
      return { ok: false, message: problemOf(error, settings).message };
    }
    const noCrm = missingCrm(identity);
    if (noCrm) return { ok: false, message: noCrm.message };
    return {
      ok: true,
      message: `портал ${transport.portalUrl} отвечает, вебхук сотрудника ${identity.userName} (ID ${identity.userId}), права: ${identity.scopes.join(', ')}`,
    };
  },
});

/**
 * A transport for the settings form's checks that takes its requests from the portal's shared
 * budget, as the export does: «Проверить подключение» during a backfill waits for its turn (and
 * retries a refusal for the rate) instead of being refused with QUERY_LIMIT_EXCEEDED.
 */
function pacedTransport(settings: Bitrix24Settings, context: SettingsHookContext): Bitrix24Transport {
  // A form's limits are not yet known to be the portal's: above the standard plan's, a refusal
  // would fill the shared bucket to a level the saved limits read as a long queue, and hold the
  // export back for minutes. A check makes two or three requests; the standard pace is plenty.
  const bucket = context.rateBucket(settings.portalUrl, {
    perSecond: Math.min(settings.requestsPerSecond, STANDARD_PLAN_LIMIT.perSecond),
    burst: Math.min(settings.requestBurst, STANDARD_PLAN_LIMIT.burst),
  });
  return new Bitrix24Transport(settings, { pacing: new PortalPacing(bucket) });
}
