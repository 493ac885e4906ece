import type { Kysely } from 'kysely';
import { lockedForWrite } from '../db/dialect.js';
import type { Database, OrganizationRow } from '../db/schema.js';
import type { Organization, OrganizationCreateInput, OrganizationUpdateInput } from '../domain/clients.js';
import { notFound, assertVersion } from '../domain/errors.js';
import type { Origin } from '../domain/origin.js';
import { SYSTEM_ORIGIN } from '../domain/origin.js';
import type { Outbox } from '../events/outbox.js';
import type { ExternalLinkStore } from './external-links.js';
import { transact } from './transaction.js';
import { nowIso } from './json.js';
import type { Page } from './pagination.js';
import { DEFAULT_PAGE_SIZE, decodeCursor, toPage } from './pagination.js';
import { containsText, searchText } from './search.js';

export interface OrganizationFilter {
  /** Matches title, INN or KPP. */
  search?: string | undefined;
  inn?: string | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
}

/** Organizations («Организации»); their employees are persons with `organizationId`. */
export class OrganizationStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly links: ExternalLinkStore,
    private readonly outbox: Outbox,
    readonly origin: Origin = SYSTEM_ORIGIN,
  ) {}

  /** The same store, writing on behalf of `origin` (a staff member, a token, an integration). */
  as(origin: Origin): OrganizationStore {
    return new OrganizationStore(this.db, this.links, this.outbox, origin);
  }

  async create(input: OrganizationCreateInput, db: Kysely<Database> = this.db): Promise<Organization> {
    return transact(db, async (trx) => {
      const now = nowIso();
      const fields = { title: input.title, inn: input.inn ?? null, kpp: input.kpp ?? null, company_type: input.companyType ?? null };
      const row = await trx
        .insertInto('organizations')
        .values({ ...fields, search_text: organizationSearchText(fields), created_at: now, updated_at: now, version: 1 })
        .returningAll()
        .executeTakeFirstOrThrow();
      if (input.externalIds) await this.links.apply(trx, 'organization', row.id, input.externalIds, now);
      await this.outbox.record(trx, { type: 'client.created', entityType: 'organization', entityId: row.id, data: {} }, this.origin);
      return toOrganization(row, await this.links.forEntity('organization', row.id, trx));
    });
  }

  async get(id: number): Promise<Organization> {
    const row = await this.db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('organization', id);
    return toOrganization(row, await this.links.forEntity('organization', id));
  }

  async update(id: number, input: OrganizationUpdateInput, db: Kysely<Database> = this.db): Promise<Organization> {
    return transact(db, async (trx) => {
      const current = await lockedForWrite(trx, trx.selectFrom('organizations').selectAll().where('id', '=', id)).executeTakeFirst();
      if (!current) throw notFound('organization', id);
      assertVersion('organization', id, input.version, current.version);
      const now = nowIso();
      const fields = {
        title: input.title ?? current.title,
        inn: input.inn !== undefined ? input.inn : current.inn,
        kpp: input.kpp !== undefined ? input.kpp : current.kpp,
        company_type: input.companyType !== undefined ? input.companyType : current.company_type,
      };
      const row = await trx
        .updateTable('organizations')
        .set({ ...fields, search_text: organizationSearchText(fields), updated_at: now, version: current.version + 1 })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      if (input.externalIds) await this.links.apply(trx, 'organization', id, input.externalIds, now);
      await this.outbox.record(trx, { type: 'client.updated', entityType: 'organization', entityId: id, data: {} }, this.origin);
      return toOrganization(row, await this.links.forEntity('organization', id, trx));
    });
  }

  async list(filter: OrganizationFilter = {}): Promise<Page<Organization>> {
    const limit = filter.limit ?? DEFAULT_PAGE_SIZE;
    const before = decodeCursor(filter.cursor);
    let query = this.db.selectFrom('organizations').selectAll().orderBy('id', 'desc').limit(limit + 1);
    if (before !== null) query = query.where('id', '<', before);
    if (filter.inn) query = query.where('inn', '=', filter.inn);
    if (filter.search) query = query.where(containsText('search_text', filter.search));
    const rows = await query.execute();
    const links = await this.links.forEntities(this.db, 'organization', rows.map((r) => r.id));
    return toPage(rows, limit, (row) => toOrganization(row, links.get(row.id) ?? {}));
  }
}

function organizationSearchText(fields: { title: string; inn: string | null; kpp: string | null }): string {
  return searchText([fields.title, fields.inn, fields.kpp]);
}

function toOrganization(row: OrganizationRow, externalIds: Organization['externalIds']): Organization {
  return {
    id: row.id,
    title: row.title,
    inn: row.inn,
    kpp: row.kpp,
    companyType: row.company_type,
    externalIds,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: row.version,
  };
}
