import type { Bitrix24Transport } from './client.js';

/** What the settings form offers from the portal: funnels, their stages, employees. */
export interface PortalOption {
  value: string | number;
  label: string;
}

export interface DealStage {
  id: string;
  name: string;
  /** `S` success, `F` failure, null in progress. */
  semantics: 'S' | 'F' | null;
}

/** The stages of a deal funnel, in the portal's order (0 or null: the general funnel). */
export async function dealStages(transport: Bitrix24Transport, categoryId: number | null, signal?: AbortSignal): Promise<DealStage[]> {
  const answer = await transport.call<Array<{ STATUS_ID: string; NAME: string; SORT?: string | number; SEMANTICS?: string | null }>>(
    'crm.dealcategory.stage.list',
    { id: categoryId ?? 0 },
    { signal },
  );
  const rows = Array.isArray(answer.result) ? answer.result : [];
  return rows
    .slice()
    .sort((a, b) => Number(a.SORT ?? 0) - Number(b.SORT ?? 0))
    .map((row) => ({ id: String(row.STATUS_ID), name: String(row.NAME), semantics: row.SEMANTICS === 'S' || row.SEMANTICS === 'F' ? row.SEMANTICS : null }));
}

export async function dealCategories(transport: Bitrix24Transport, signal?: AbortSignal): Promise<PortalOption[]> {
  const answer = await transport.call<{ categories?: Array<{ id: number; name: string }> }>('crm.category.list', { entityTypeId: 2 }, { signal });
  return (answer.result.categories ?? []).map((category) => ({ value: Number(category.id), label: `${category.name} (${category.id})` }));
}

/** Active employees (needs the webhook's `user` scope). */
export async function portalUsers(transport: Bitrix24Transport, signal?: AbortSignal): Promise<PortalOption[]> {
  const users: PortalOption[] = [];
  let start: number | undefined = 0;
  while (start !== undefined && users.length < 500) {
    const answer: { result: Array<{ ID: string; NAME?: string; LAST_NAME?: string; ACTIVE?: boolean }>; next?: number } = await transport.call(
      'user.get',
      { FILTER: { ACTIVE: true }, start },
      { signal },
    );
    for (const user of answer.result) {
      const name = [user.NAME, user.LAST_NAME].filter((part) => part && part.trim()).join(' ');
      users.push({ value: Number(user.ID), label: `${name || 'Сотрудник'} (ID ${user.ID})` });
    }
    start = answer.next;
  }
  return users;
}

/** The portal's company types («Тип компании»: CUSTOMER, PARTNER, …), for the company-type mapping. */
export async function companyTypes(transport: Bitrix24Transport, signal?: AbortSignal): Promise<PortalOption[]> {
  const answer = await transport.call<Array<{ STATUS_ID: string; NAME: string }>>('crm.status.list', { filter: { ENTITY_ID: 'COMPANY_TYPE' }, order: { SORT: 'ASC' } }, { signal });
  return (Array.isArray(answer.result) ? answer.result : []).map((row) => ({ value: String(row.STATUS_ID), label: `${row.NAME} (${row.STATUS_ID})` }));
}
