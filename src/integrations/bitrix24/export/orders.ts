import type { Organization, Person } from '../../../domain/clients.js';
import { DomainError } from '../../../domain/errors.js';
import type { Order } from '../../../domain/orders.js';
import type { IntegrationContext } from '../../../platform/context.js';
import type { EntityState } from '../../../store/integration-state.js';
import { companyFields, contactFields } from '../mapping/clients.js';
import { DEAL_USER_FIELDS, commentMarker, dealFields, productRows, responsibleOf, timelineComment } from '../mapping/deal.js';
import type { Bitrix24Settings } from '../settings.js';
import { randomUUID } from 'node:crypto';
import { Bitrix24Error, forStaff } from '../transport/client.js';
import type { Bitrix24Transport } from '../transport/client.js';
import { ref, runCommands } from './command-queue.js';
import type { CommandOutcome, PlannedCommand } from './command-queue.js';
import { lookUp } from './lookup.js';
import type { PortalConnection } from './portal.js';

export interface OrderExportOutcome {
  orderId: number;
  outcome: 'ok' | 'error' | 'skipped';
  dealId: string | null;
  error?: Bitrix24Error | Error;
  reason?: string;
}

export interface ExportRun {
  outcomes: OrderExportOutcome[];
  /** HTTP requests made to the portal. */
  requests: number;
}

export interface ExportOptions {
  signal?: AbortSignal;
  jobId?: string | null;
  /** Send even when nothing changed since the last export («Отправить повторно»). */
  force?: boolean;
  /** A retry: the last attempt may have posted comments whose answer was lost. */
  recovering?: boolean;
}

/** How long a run holds the orders and new clients it is sending, renewed while it runs; a crashed run's hold lapses then. */
const HOLD_MS = 30_000;

interface HeldEntity {
  type: 'order' | 'person' | 'organization';
  id: number;
}

/** What the export remembers per order (integration_state). */
interface OrderState extends EntityState {
  /** The order's version last sent in full. */
  version?: number;
  /** The status last sent as a stage: the stage is set only when the status changes. */
  status?: string;
  /** Comments already on the deal's timeline. */
  comments?: number[];
  /** The stage both sides last agreed on (see inbound/deals.ts `OrderSyncState`). */
  sentStage?: string;
}

/**
 * Orders → deals (B24-6): for a set of orders, at most one request of lookups (only for what is
 * not linked yet) and as few batches of writes as the 50-command limit allows — contacts and
 * companies for new clients, the deal (added or updated), its full product rows, and the
 * comments not yet on its timeline. A single new order takes two requests; a change of a linked
 * one, one. Links and what was sent are recorded after each batch, before the next.
 */
export class OrderExporter {
  constructor(
    private readonly context: IntegrationContext<Bitrix24Settings>,
    private readonly portal: PortalConnection,
  ) {}

  async export(orderIds: readonly number[], options: ExportOptions = {}): Promise<ExportRun> {
    // Read once, before waiting for the locks: a change made while this run waits gets a job of its own.
    const orders: Order[] = [];
    const deleted: number[] = [];
    for (const id of orderIds) {
      try {
        orders.push(await this.context.stores.orders.get(id));
      } catch (error) {
        if (error instanceof DomainError && error.code === 'not_found') deleted.push(id);
        else throw error;
      }
    }
    const keys = new Set<string>();
    for (const order of orders) {
      keys.add(`order:${order.id}`);
      if (order.personId) keys.add(`person:${order.personId}`);
      if (order.organizationId) keys.add(`organization:${order.organizationId}`);
    }
    return this.portal.locks.run(
      [...keys],
      async () => {
        try {
          return await this.exportLocked(orderIds, orders, deleted, options);
        } catch (error) {
          // The whole attempt failed (the portal unreachable, a dropped answer, a limit, refused
          // credentials): it goes to the sync log like any other, and the job retries or parks.
          for (const orderId of orderIds) {
            await this.context.syncLog.record({ entityType: 'order', entityId: orderId, operation: 'deal.export', outcome: 'error', jobId: options.jobId ?? null, error: forStaff(error) });
          }
          throw error;
        }
      },
      options.signal,
    );
  }

  private async exportLocked(orderIds: readonly number[], orders: readonly Order[], deleted: readonly number[], options: ExportOptions): Promise<ExportRun> {
    const { context } = this;
    const saved = await this.portal.settings();
    const { settings } = saved;
    const transport = this.portal.transport(saved);
    const outcomes = new Map<number, OrderExportOutcome>();
    for (const id of deleted) outcomes.set(id, { orderId: id, outcome: 'skipped', dealId: null, reason: 'заказ удалён' });
    const states = await context.state.getMany('order', orders.map((o) => o.id));
    const sendable = orders.filter((order) => {
      const reason = skipReason(order, settings);
      if (reason) outcomes.set(order.id, { orderId: order.id, outcome: 'skipped', dealId: null, reason });
      return !reason;
    });
    const linkedDeals = await this.links('order', 'deal', sendable.map((o) => o.id));
    const todo = sendable.filter((order) => {
      const state = (states.get(order.id) ?? {}) as OrderState;
      if (!options.force && linkedDeals.has(order.id) && state.version === order.version) {
        outcomes.set(order.id, { orderId: order.id, outcome: 'skipped', dealId: linkedDeals.get(order.id)!, reason: 'без изменений' });
        return false;
      }
      return true;
    });

    const persons = await this.load(todo.flatMap((o) => (o.personId ? [o.personId] : [])), (id) => context.stores.persons.get(id));
    const organizations = await this.load(todo.flatMap((o) => (o.organizationId ? [o.organizationId] : [])), (id) => context.stores.organizations.get(id));
    const contacts = await this.links('person', 'contact', [...persons.keys()]);
    const leads = await this.links('person', 'lead', [...persons.keys()]);
    const companies = await this.links('organization', 'company', [...organizations.keys()]);

    // 1. Ask the portal about what is not linked yet (and about our deal fields, once).
    const needUserFields = !this.portal.userFieldsReady.has(settings.portalUrl);
    const lookup = await lookUp(
      context,
      transport,
      {
        orderIds: todo.filter((o) => !linkedDeals.has(o.id)).map((o) => o.id),
        persons: [...persons.values()].filter((p) => !contacts.has(p.id)),
        organizations: [...organizations.values()].filter((o) => !companies.has(o.id)),
        userFields: needUserFields,
      },
      options.signal,
    );
    let requests = lookup.requests;
    for (const [id, dealId] of lookup.found.deals) linkedDeals.set(id, dealId);
    for (const [id, contactId] of lookup.found.contacts) contacts.set(id, contactId);
    for (const [id, companyId] of lookup.found.companies) companies.set(id, companyId);

    // A deal made by an attempt whose answer was lost may already carry some comments.
    const recovering = todo.filter((o) => o.comments.length > 0 && linkedDeals.has(o.id) && (lookup.found.deals.has(o.id) || options.recovering));
    if (recovering.length > 0) requests += await this.recoverPostedComments(transport, recovering, linkedDeals, states, options.signal);

    // 2. Hold what this run is about to make, so a parallel job (another order of the same new
    // client, a later change of the same order) waits instead of making it a second time.
    const owner = options.jobId ?? `run-${randomUUID()}`;
    const held = await this.hold(owner, todo, linkedDeals, persons, contacts, organizations, companies);
    const deferred = new Set<number>();
    for (const order of todo) {
      const busy = held.busy.find((entity) => (entity.type === 'order' && entity.id === order.id) || (entity.type === 'person' && entity.id === order.personId) || (entity.type === 'organization' && entity.id === order.organizationId));
      if (!busy) continue;
      deferred.add(order.id);
      outcomes.set(order.id, { orderId: order.id, outcome: 'error', dealId: null, error: new Bitrix24Error('limit', `${busy.type === 'order' ? 'этот заказ' : 'клиент заказа'} сейчас отправляется другим заданием; повторим через 3 с`, 'BUSY', null, 3_000) });
    }
    // Renewed while the run lasts (its writes may wait long for the rate limit); a crashed run's hold lapses within HOLD_MS.
    const renewal = setInterval(() => {
      for (const entity of held.mine) void context.state.claim(entity.type, entity.id, owner, HOLD_MS).catch(() => undefined);
    }, HOLD_MS / 3);
    try {
      return await this.write(todo.filter((o) => !deferred.has(o.id)), { orderIds, options, settings, transport, outcomes, states, linkedDeals, persons, organizations, contacts, companies, leads, lookup, requests });
    } finally {
      clearInterval(renewal);
      for (const entity of held.mine) await context.state.release(entity.type, entity.id, owner);
    }
  }

  /**
   * Claims the orders and the new clients of this run (see `IntegrationStateStore.claim`). After a
   * claim the link is read again: the job that held it may have just made the object.
   */
  private async hold(
    owner: string,
    orders: Order[],
    deals: Map<number, string>,
    persons: Map<number, Person>,
    contacts: Map<number, string>,
    organizations: Map<number, Organization>,
    companies: Map<number, string>,
  ): Promise<{ mine: HeldEntity[]; busy: HeldEntity[] }> {
    const wanted: HeldEntity[] = [
      ...orders.map((o) => ({ type: 'order' as const, id: o.id })),
      ...[...persons.keys()].filter((id) => !contacts.has(id)).map((id) => ({ type: 'person' as const, id })),
      ...[...organizations.keys()].filter((id) => !companies.has(id)).map((id) => ({ type: 'organization' as const, id })),
    ];
    const mine: HeldEntity[] = [];
    const busy: HeldEntity[] = [];
    for (const entity of wanted) {
      if (await this.context.state.claim(entity.type, entity.id, owner, HOLD_MS)) mine.push(entity);
      else busy.push(entity);
    }
    const relinked = async (type: HeldEntity['type'], kind: string, map: Map<number, string>) => {
      const ids = mine.filter((e) => e.type === type).map((e) => e.id);
      for (const [id, externalId] of await this.links(type, kind, ids)) map.set(id, externalId);
    };
    await relinked('order', 'deal', deals);
    await relinked('person', 'contact', contacts);
    await relinked('organization', 'company', companies);
    return { mine, busy };
  }

  private async write(
    todo: Order[],
    run: {
      orderIds: readonly number[];
      options: ExportOptions;
      settings: Bitrix24Settings;
      transport: Bitrix24Transport;
      outcomes: Map<number, OrderExportOutcome>;
      states: Map<number, EntityState>;
      linkedDeals: Map<number, string>;
      persons: Map<number, Person>;
      organizations: Map<number, Organization>;
      contacts: Map<number, string>;
      companies: Map<number, string>;
      leads: Map<number, string>;
      lookup: Awaited<ReturnType<typeof lookUp>>;
      requests: number;
    },
  ): Promise<ExportRun> {
    const { orderIds, options, settings, transport, outcomes, states, linkedDeals, persons, organizations, contacts, companies, leads, lookup } = run;
    let { requests } = run;
    const commands: PlannedCommand[] = [];
    if (lookup.found.userFields) {
      for (const field of DEAL_USER_FIELDS) {
        if (!lookup.found.userFields.has(field.FIELD_NAME)) commands.push({ name: `uf_${field.FIELD_NAME}`, method: 'crm.deal.userfield.add', params: { fields: { ...field, EDIT_FORM_LABEL: field.LABEL, LIST_COLUMN_LABEL: field.LABEL } }, unit: 'setup' });
      }
    }
    const responsibleId = responsibleOf(settings);
    const plannedClients = new Set<string>();
    const plannedByComm = new Map<string, string>();
    /** Order → the stage its deal is sent to; an order whose deal did not get there is in `stageMisses`. */
    const wantedStages = new Map<number, string>();
    /** New deals sent without a stage (the order's status is not mapped): the portal puts them in the funnel's first stage. */
    const unstaged = new Set<number>();
    const stageMisses = new Map<number, Bitrix24Error>();
    const sentComments = new Map<number, number[]>();
    for (const order of todo) {
      const unit = `order:${order.id}`;
      const organization = order.organizationId ? organizations.get(order.organizationId) : undefined;
      const person = order.personId ? persons.get(order.personId) : undefined;
      let companyId: unknown = null;
      if (organization) {
        companyId = companies.get(organization.id) ?? ref(`company_${organization.id}`);
        if (!companies.has(organization.id) && !plannedClients.has(`company_${organization.id}`)) {
          commands.push({ name: `company_${organization.id}`, method: 'crm.company.add', params: { fields: companyFields(organization, { responsibleId, companyTypes: settings.companyTypes }) }, unit });
          plannedClients.add(`company_${organization.id}`);
        }
      }
      let contactId: unknown = null;
      if (person) {
        // Another new client of this run with the same phone or e-mail: the same new contact (B24-7).
        const comms = [...person.phones.map((p) => p.e164), ...person.emails.map((e) => e.toLowerCase())];
        const twin = comms.map((c) => plannedByComm.get(c)).find((name) => name !== undefined);
        contactId = contacts.get(person.id) ?? ref(twin ?? `contact_${person.id}`);
        if (!contacts.has(person.id) && !twin && !plannedClients.has(`contact_${person.id}`)) {
          commands.push({ name: `contact_${person.id}`, method: 'crm.contact.add', params: { fields: contactFields(person, { companyId: companyId as string | null, responsibleId }) }, unit });
          plannedClients.add(`contact_${person.id}`);
          for (const comm of comms) plannedByComm.set(comm, `contact_${person.id}`);
        }
      }
      const state = (states.get(order.id) ?? {}) as OrderState;
      const dealId = linkedDeals.get(order.id);
      const fields = dealFields(order, { contactId: contactId as string | null, companyId: companyId as string | null, orderUrl: this.orderUrl(order.id) }, settings, { isNew: !dealId });
      // The stage follows the order only when its status changed: a manager's move in Bitrix24 is not undone by an unrelated edit.
      if (dealId && state.status === order.status) delete fields.STAGE_ID;
      const leadId = person ? leads.get(person.id) : undefined;
      if (leadId) fields.UF_CRM_PRINTSYNC_LEAD = leadId;
      const deal = dealId ?? ref(`deal_${order.id}`);
      commands.push(dealId ? { name: `deal_${order.id}`, method: 'crm.deal.update', params: { id: dealId, fields }, unit } : { name: `deal_${order.id}`, method: 'crm.deal.add', params: { fields }, unit });
      if (typeof fields.STAGE_ID === 'string') wantedStages.set(order.id, fields.STAGE_ID);
      else if (!dealId) unstaged.add(order.id);
      commands.push({ name: `rows_${order.id}`, method: 'crm.deal.productrows.set', params: { id: deal, rows: productRows(order) }, unit });
      const posted = new Set(state.comments ?? []);
      const fresh = order.comments.filter((comment) => !posted.has(comment.id));
      sentComments.set(order.id, fresh.map((c) => c.id));
      for (const comment of fresh) {
        commands.push({ name: `comment_${order.id}_${comment.id}`, method: 'crm.timeline.comment.add', params: { fields: { ENTITY_ID: deal, ENTITY_TYPE: 'deal', COMMENT: timelineComment(comment) } }, unit });
      }
    }

    // The portal ignores a stage it does not know (removed since the mapping was saved) and keeps
    // the deal where it was. One command at the head of the first batch lists the funnel's stages,
    // so a deal sent to a stage that is not there is told, at no extra request. The same list says
    // which stage a new deal sent without one lands in: the stage both sides then agree on, so its
    // events are echoes, not a manager moving the order back to «Новый».
    if (wantedStages.size > 0 || unstaged.size > 0) commands.unshift({ name: 'stages', method: 'crm.dealcategory.stage.list', params: { id: settings.categoryId ?? 0 }, unit: 'setup' });
    const byOrder = new Map(todo.map((o) => [o.id, o]));
    const written = await runCommands(transport, commands, {
      signal: options.signal,
      afterBatch: (fresh) => {
        const stages = fresh.get('stages');
        if (stages && !stages.error && Array.isArray(stages.result)) {
          const listed = (stages.result as Array<{ STATUS_ID: string; SORT?: string | number }>).slice().sort((a, b) => Number(a.SORT ?? 0) - Number(b.SORT ?? 0));
          const known = new Set(listed.map((stage) => String(stage.STATUS_ID)));
          for (const [orderId, wanted] of wantedStages) if (!known.has(wanted)) stageMisses.set(orderId, stageMissing(wanted, settings.categoryId));
          const first = listed[0]?.STATUS_ID;
          if (first) for (const orderId of unstaged) wantedStages.set(orderId, String(first));
        }
        return this.record(fresh, byOrder, linkedDeals, contacts, companies, states, stageMisses, wantedStages);
      },
    });
    requests += written.requests;
    if (lookup.found.userFields) this.portal.userFieldsReady.add(settings.portalUrl);

    for (const order of todo) {
      const failed = firstError(written.outcomes, commands, `order:${order.id}`) ?? stageMisses.get(order.id) ?? null;
      outcomes.set(order.id, failed ? { orderId: order.id, outcome: 'error', dealId: linkedDeals.get(order.id) ?? null, error: failed } : { orderId: order.id, outcome: 'ok', dealId: linkedDeals.get(order.id) ?? null });
    }
    await this.log(orderIds, outcomes, commands, options.jobId ?? null);
    return { outcomes: orderIds.map((id) => outcomes.get(id)!).filter(Boolean), requests };
  }

  /** After each batch: the new objects' links and each order's sent state, in one transaction. */
  private async record(
    fresh: Map<string, CommandOutcome>,
    orders: Map<number, Order>,
    deals: Map<number, string>,
    contacts: Map<number, string>,
    companies: Map<number, string>,
    states: Map<number, EntityState>,
    stageMisses: Map<number, Bitrix24Error>,
    sentStages: Map<number, string>,
  ): Promise<void> {
    const { context } = this;
    const now = new Date().toISOString();
    const touched = new Set<number>();
    await context.transaction(async (trx) => {
      for (const [name, outcome] of fresh) {
        const [kind, idText, commentText] = name.split('_');
        const id = Number(idText);
        if (outcome.error || outcome.result === undefined) continue;
        if (kind === 'contact' || kind === 'company' || (kind === 'deal' && typeof outcome.result !== 'boolean')) {
          const externalId = String(outcome.result);
          const entityType = kind === 'contact' ? 'person' : kind === 'company' ? 'organization' : 'order';
          await context.stores.links.set(trx, { entityType, entityId: id, system: context.name, kind, externalId }, now);
          (kind === 'contact' ? contacts : kind === 'company' ? companies : deals).set(id, externalId);
        }
        if (kind === 'comment') {
          const state = (states.get(id) ?? {}) as OrderState;
          state.comments = [...(state.comments ?? []), Number(commentText)];
          states.set(id, state);
          touched.add(id);
        }
        if (kind === 'rows') {
          const order = orders.get(id)!;
          const state = (states.get(id) ?? {}) as OrderState;
          state.version = order.version;
          // A stage that did not take is sent again with the next export.
          if (!stageMisses.has(id)) {
            state.status = order.status;
            // The stage both sides now agree on: its event coming back is an echo (inbound/deals.ts).
            const stage = sentStages.get(id);
            if (stage) state.sentStage = stage;
          }
          states.set(id, state);
          touched.add(id);
        }
      }
      for (const id of touched) await context.state.set('order', id, states.get(id)!, trx);
    });
  }

  /** Reads the timeline of deals an earlier attempt may have written to, and marks the comments found there as posted. */
  private async recoverPostedComments(
    transport: Bitrix24Transport,
    orders: Order[],
    deals: Map<number, string>,
    states: Map<number, EntityState>,
    signal: AbortSignal | undefined,
  ): Promise<number> {
    const commands: PlannedCommand[] = orders.map((order) => ({
      name: `timeline_${order.id}`,
      method: 'crm.timeline.comment.list',
      params: { filter: { ENTITY_ID: deals.get(order.id), ENTITY_TYPE: 'deal' }, select: ['ID', 'COMMENT'] },
      unit: 'lookup',
    }));
    const { outcomes, requests } = await runCommands(transport, commands, { signal });
    for (const order of orders) {
      const outcome = outcomes.get(`timeline_${order.id}`);
      if (outcome?.error) throw outcome.error;
      const texts = (Array.isArray(outcome?.result) ? (outcome.result as Array<{ COMMENT?: string }>) : []).map((c) => String(c.COMMENT ?? ''));
      const state = (states.get(order.id) ?? {}) as OrderState;
      const posted = new Set(state.comments ?? []);
      for (const comment of order.comments) if (texts.some((text) => text.includes(commentMarker(comment)))) posted.add(comment.id);
      state.comments = [...posted];
      states.set(order.id, state);
      await this.context.state.set('order', order.id, state);
    }
    return requests;
  }

  private async log(orderIds: readonly number[], outcomes: Map<number, OrderExportOutcome>, commands: PlannedCommand[], jobId: string | null): Promise<void> {
    for (const id of orderIds) {
      const outcome = outcomes.get(id);
      if (!outcome) continue;
      const sent = commands.filter((c) => c.unit === `order:${id}`).map((c) => c.method);
      await this.context.syncLog.record({
        entityType: 'order',
        entityId: id,
        operation: 'deal.export',
        outcome: outcome.outcome,
        externalId: outcome.dealId,
        jobId,
        request: sent.length > 0 ? { commands: sent } : { reason: outcome.reason },
        ...(outcome.error ? { error: forStaff(outcome.error) } : {}),
      });
    }
  }

  private orderUrl(orderId: number): string | null {
    return this.context.publicUrl ? `${this.context.publicUrl.replace(/\/+$/, '')}/orders/${orderId}` : null;
  }

  private async links(entityType: 'order' | 'person' | 'organization', kind: string, ids: number[]): Promise<Map<number, string>> {
    const result = new Map<number, string>();
    if (ids.length === 0) return result;
    const all = await this.context.transaction((trx) => this.context.stores.links.forEntities(trx, entityType, [...new Set(ids)]));
    for (const [id, systems] of all) {
      const externalId = systems[this.context.name]?.[kind];
      if (externalId) result.set(id, externalId);
    }
    return result;
  }

  private async load<T>(ids: number[], get: (id: number) => Promise<T>): Promise<Map<number, T>> {
    const result = new Map<number, T>();
    for (const id of new Set(ids)) result.set(id, await get(id));
    return result;
  }
}

/** Why an order is not sent: «Типы отправляемых заказов» (B24-2). */
export function skipReason(order: Pick<Order, 'personId' | 'organizationId' | 'status'>, settings: Pick<Bitrix24Settings, 'orderTypes'>): string | null {
  if (order.status === 'Deleted') return 'заказ удалён';
  if (settings.orderTypes === 'persons' && order.organizationId !== null) return 'выгружаются только заказы частных лиц';
  if (settings.orderTypes === 'organizations' && order.organizationId === null) return 'выгружаются только заказы организаций';
  return null;
}

/** The mapped stage is not on the portal: the deal stayed where it was. */
function stageMissing(wanted: string, categoryId: number | null): Bitrix24Error {
  const funnel = categoryId ? `направлении ${categoryId}` : 'общем направлении';
  return new Bitrix24Error(
    'call',
    `стадии ${wanted} нет в ${funnel} сделок на портале (её удалили?): сделка осталась в прежней стадии. ` +
      'Выберите существующую стадию в «Статус заказа → стадия сделки» настроек Битрикс24 и отправьте заказ повторно',
    'STAGE_NOT_FOUND',
  );
}

function firstError(outcomes: Map<string, CommandOutcome>, commands: PlannedCommand[], unit: string): Error | null {
  for (const command of commands) {
    if (command.unit !== unit) continue;
    const error = outcomes.get(command.name)?.error;
    if (error) return error;
  }
  return null;
}

export type { Person, Organization };
