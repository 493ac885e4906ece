import type { IntegrationContext } from '../../../platform/context.js';
import type { CardDetailsAnswer } from '../../../platform/panel.js';
import type { LastInbound } from '../../../store/inbound-events.js';
import type { Bitrix24Settings } from '../settings.js';

type CardEntity = 'order' | 'person' | 'organization';

/** The Bitrix24 records a card's entity is linked to, whose events it shows. */
const KINDS: Record<CardEntity, readonly string[]> = { order: ['deal'], person: ['contact', 'lead'], organization: ['company', 'lead'] };

// What happened to what, as a noun phrase («Изменение сделки»): no gender to agree with.
const OF_RECORD: Record<string, string> = { DEAL: 'сделки', CONTACT: 'контакта', COMPANY: 'компании', LEAD: 'лида', PRODUCT: 'товара' };
const ACTION: Record<string, string> = { ADD: 'Создание', UPDATE: 'Изменение', DELETE: 'Удаление' };

const OUTCOME: Record<string, string> = {
  pending: 'в очереди на применение',
  applied: 'применено',
  echo: 'не применено: это изменение сделал сам printsync',
  stale: 'не применено: устаревшее, уже есть более новое',
  ignored: 'не применено: к printsync не относится',
  failed: 'не применено: ошибка',
};

/** `ONCRMDEALUPDATE` → «Изменение сделки (ONCRMDEALUPDATE)». */
export function describeEvent(event: string): string {
  const match = /^ONCRM(DEAL|CONTACT|COMPANY|LEAD|PRODUCT)(ADD|UPDATE|DELETE)$/.exec(event);
  return match ? `${ACTION[match[2]!]} ${OF_RECORD[match[1]!]} (${event})` : event;
}

/**
 * «Последнее изменение из Битрикс24» on a card: the newest event Bitrix24 sent about the deal,
 * contact, company or lead the entity is linked to — what it changed, when, which event, and
 * whether printsync applied it.
 */
export async function lastChange(context: IntegrationContext<Bitrix24Settings>, entityType: CardEntity, id: number): Promise<CardDetailsAnswer> {
  // A missing entity is a 404, as on its own page.
  if (entityType === 'order') await context.stores.orders.get(id);
  else if (entityType === 'person') await context.stores.persons.get(id);
  else await context.stores.organizations.get(id);
  const ids = (await context.stores.links.forEntity(entityType, id))[context.name] ?? {};
  let latest: { kind: string; externalId: string; event: LastInbound } | null = null;
  for (const kind of KINDS[entityType]) {
    const externalId = ids[kind];
    if (!externalId) continue;
    const event = await context.inbox.last(kind, externalId);
    if (event && (!latest || event.receivedAt > latest.event.receivedAt)) latest = { kind, externalId, event };
  }
  if (!latest) return { rows: [], empty: 'Изменений из Битрикс24 ещё не приходило' };
  const { event } = latest;
  return {
    rows: [
      { label: 'Что', value: event.note ?? OUTCOME[event.state] ?? event.state },
      { label: 'Когда', value: event.receivedAt, at: event.receivedAt },
      { label: 'Событие', value: `${describeEvent(event.event)}, ID ${latest.externalId}` },
      { label: 'Итог', value: OUTCOME[event.state] ?? event.state },
    ],
  };
}
