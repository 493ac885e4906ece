import type { z } from 'zod';
import type { FieldProblem } from '../../domain/errors.js';
import { defineSettings } from '../../settings/definition.js';
import type { ConnectionTestResult } from '../../settings/definition.js';
import { choice, httpAddress, optionalId, optionalText, requiredId, settingsObject, text, toggle } from '../common/fields.js';
import { Bitrix24Error, Bitrix24Transport } from './transport.js';

/**
 * «Битрикс24» under «Заказы / Настройка / Выгрузка заказов / ERP и CRM системы» (B24-1..4, B24-8,
 * B24-18). Labels are those of the Pixlpark screens and the seed, so the shop's admin can follow
 * the same instructions. The stage ↔ status mapping (B24-5) joins this schema once stages are
 * read from the portal: add its field to `bitrix24SettingsSchema` with a default, and older saved
 * versions keep loading (the store fills new fields from `defaults`).
 */

export const ORDER_TYPES = ['all', 'persons', 'organizations'] as const;
export type OrderTypes = (typeof ORDER_TYPES)[number];

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
  ),
  responsibleId: optionalId({
    title: 'ID ответственного за сделку сотрудника:',
    description: 'Пусто — ответственным за сделки будет сотрудник, создавший вебхуки',
  }),
  leadsEnabled: toggle({ title: 'Передача новых клиентов в Битрикс в качестве лидов' }),
  telephonyEnabled: toggle({ title: 'Использовать телефонию Битрикс24 на странице заказа в панели управления' }),
});

export type Bitrix24Settings = z.output<typeof bitrix24SettingsSchema>;

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
  defaults: { orderTypes: 'all', categoryId: null, responsibleId: null, applicationToken: null, leadsEnabled: false, telephonyEnabled: false },

  async validateLive(settings, { signal }) {
    const transport = new Bitrix24Transport(settings);
    let identity: PortalIdentity;
    try {
      identity = await identify(transport, signal);
    } catch (error) {
      return [problemOf(error, settings)];
    }
    const noCrm = missingCrm(identity);
    if (noCrm) return [noCrm];
    try {
      return await checkChoices(transport, settings, identity, signal);
    } catch (error) {
      return [problemOf(error, settings)];
    }
  },

  async testConnection(settings, { signal }): Promise<ConnectionTestResult> {
    const transport = new Bitrix24Transport(settings);
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
