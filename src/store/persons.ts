import type { Kysely } from 'kysely';
import { lockedForWrite } from '../db/dialect.js';
import type { Database, PersonRow } from '../db/schema.js';
import type { Person, PersonCreateInput, PersonUpdateInput } from '../domain/clients.js';
import { fullName } from '../domain/clients.js';
import type { Phone } from '../domain/contacts.js';
import { invalidField, notFound, assertVersion } from '../domain/errors.js';
import type { Origin } from '../domain/origin.js';
import { SYSTEM_ORIGIN } from '../domain/origin.js';
import type { Outbox } from '../events/outbox.js';
import type { ExternalLinkStore } from './external-links.js';
import { transact } from './transaction.js';
import { flag, nowIso, parseJson, toJson } from './json.js';
import { containsText, searchText } from './search.js';
import type { Page } from './pagination.js';
import { DEFAULT_PAGE_SIZE, decodeCursor, toPage } from './pagination.js';

export interface PersonFilter {
  /** Matches last, first or middle name, phone digits or e-mail. */
  search?: string | undefined;
  phone?: string | undefined;
  email?: string | undefined;
  organizationId?: number | undefined;
  isGuest?: boolean | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
}

/** Persons («Частные лица»), including employees of organizations. */
export class PersonStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly links: ExternalLinkStore,
    private readonly outbox: Outbox,
    readonly origin: Origin = SYSTEM_ORIGIN,
  ) {}

  /** The same store, writing on behalf of `origin` (a staff member, a token, an integration). */
  as(origin: Origin): PersonStore {
    return new PersonStore(this.db, this.links, this.outbox, origin);
  }

  async create(input: PersonCreateInput, db: Kysely<Database> = this.db): Promise<Person> {
    return transact(db, async (trx) => {
      if (input.organizationId) await assertOrganizationExists(trx, input.organizationId, 'body.organizationId');
      const now = nowIso();
      const row = await trx
        .insertInto('persons')
        .values({
          last_name: input.lastName ?? null,
          first_name: input.firstName ?? null,
          middle_name: input.middleName ?? null,
          phones: toJson(uniquePhones(input.phones)),
          emails: toJson([...new Set(input.emails)]),
          is_guest: flag(input.isGuest),
          organization_id: input.organizationId ?? null,
          search_text: personSearchText({
            lastName: input.lastName ?? null,
            firstName: input.firstName ?? null,
            middleName: input.middleName ?? null,
            phones: input.phones,
            emails: input.emails,
          }),
          created_at: now,
          updated_at: now,
          version: 1,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      if (input.externalIds) await this.links.apply(trx, 'person', row.id, input.externalIds, now);
      await this.outbox.record(trx, { type: 'client.created', entityType: 'person', entityId: row.id, data: {} }, this.origin);
      return this.toPerson(row, await this.links.forEntity('person', row.id, trx));
    });
  }

  async get(id: number): Promise<Person> {
    const row = await this.db.selectFrom('persons').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('person', id);
    return this.toPerson(row, await this.links.forEntity('person', id));
  }

  async update(id: number, input: PersonUpdateInput, db: Kysely<Database> = this.db): Promise<Person> {
    return transact(db, async (trx) => {
      const current = await lockedForWrite(trx, trx.selectFrom('persons').selectAll().where('id', '=', id)).executeTakeFirst();
      if (!current) throw notFound('person', id);
      assertVersion('person', id, input.version, current.version);
      if (input.organizationId) await assertOrganizationExists(trx, input.organizationId, 'body.organizationId');
      const now = nowIso();
      const before = this.toPerson(current, {});
      const next = {
        lastName: input.lastName !== undefined ? input.lastName : before.lastName,
        firstName: input.firstName !== undefined ? input.firstName : before.firstName,
        middleName: input.middleName !== undefined ? input.middleName : before.middleName,
        phones: input.phones !== undefined ? uniquePhones(input.phones) : before.phones,
        emails: input.emails !== undefined ? [...new Set(input.emails)] : before.emails,
      };
      const row = await trx
        .updateTable('persons')
        .set({
          last_name: next.lastName,
          first_name: next.firstName,
          middle_name: next.middleName,
          phones: toJson(next.phones),
          emails: toJson(next.emails),
          search_text: personSearchText(next),
          ...(input.isGuest !== undefined && { is_guest: flag(input.isGuest) }),
          ...(input.organizationId !== undefined && { organization_id: input.organizationId }),
          updated_at: now,
          version: current.version + 1,
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      if (input.externalIds) await this.links.apply(trx, 'person', id, input.externalIds, now);
      await this.outbox.record(trx, { type: 'client.updated', entityType: 'person', entityId: id, data: {} }, this.origin);
      return this.toPerson(row, await this.links.forEntity('person', id, trx));
    });
  }

  async list(filter: PersonFilter = {}): Promise<Page<Person>> {
    const limit = filter.limit ?? DEFAULT_PAGE_SIZE;
    const before = decodeCursor(filter.cursor);
    let query = this.db.selectFrom('persons').selectAll().orderBy('id', 'desc').limit(limit + 1);
    if (before !== null) query = query.where('id', '<', before);
    if (filter.organizationId !== undefined) query = query.where('organization_id', '=', filter.organizationId);
    if (filter.isGuest !== undefined) query = query.where('is_guest', '=', flag(filter.isGuest));
    // Phones and e-mails are stored normalized, so a JSON-text match on the normalized value is exact.
    if (filter.phone) query = query.where(containsText('phones', `"${filter.phone}"`));
    if (filter.email) query = query.where(containsText('emails', `"${filter.email}"`));
    if (filter.search) query = query.where(containsText('search_text', filter.search));
    const rows = await query.execute();
    const links = await this.links.forEntities(this.db, 'person', rows.map((r) => r.id));
    return toPage(rows, limit, (row) => this.toPerson(row, links.get(row.id) ?? {}));
  }

  private toPerson(row: PersonRow, externalIds: Person['externalIds']): Person {
    const names = { lastName: row.last_name, firstName: row.first_name, middleName: row.middle_name };
    return {
      id: row.id,
      ...names,
      fullName: fullName(names),
      phones: parseJson<Phone[]>(row.phones, []),
      emails: parseJson<string[]>(row.emails, []),
      isGuest: row.is_guest === 1,
      organizationId: row.organization_id,
      externalIds,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      version: row.version,
    };
  }
}

export async function assertOrganizationExists(db: Kysely<Database>, id: number, path: string): Promise<void> {
  const found = await db.selectFrom('organizations').select('id').where('id', '=', id).executeTakeFirst();
  if (!found) throw invalidField(path, `organization ${id} does not exist`);
}

function uniquePhones(phones: Phone[]): Phone[] {
  const seen = new Set<string>();
  return phones.filter((p) => {
    const key = `${p.e164};${p.extension ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function personSearchText(person: Pick<Person, 'lastName' | 'firstName' | 'middleName' | 'phones' | 'emails'>): string {
  return searchText([
    person.lastName,
    person.firstName,
    person.middleName,
    ...person.emails,
    ...person.phones.map((p) => p.e164.slice(1)),
  ]);
}

