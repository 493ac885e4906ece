import type { Order, OrderItem } from '../../../domain/orders.js';
import type { IntegrationContext } from '../../../platform/context.js';
import { IntegrationError } from '../../../platform/errors.js';
import { sameChoices } from '../../../calculator/engine.js';
import type { ParameterValue } from '../../../calculator/engine.js';
import { resolveChoices, toErpValues } from './choices.js';
import { ErpError } from './client.js';
import { EXTRA_PARAMS, extraParamValues } from './extras.js';
import type { ErpMember, ErpSettingsBase } from './family.js';
import type { ErpTemplate } from './template.js';
import { orderParamByName } from './template.js';
import type { TemplateLibrary } from './templates.js';

/** An order as the ERP has it. */
export interface ErpOrder {
  externalId: string;
  id: string;
  number: string | null;
  status: string | null;
  /** Our order line it was made from. */
  itemId: number;
  templateId: string;
  sentAt: string;
}

/** What printsync remembers per order (integration state): the ERP orders made from it. */
export interface SentState {
  erpOrders?: ErpOrder[];
}

interface ErpOrderAnswer {
  id?: unknown;
  number?: unknown;
  status?: unknown;
  externalId?: unknown;
}

interface BoundItem {
  item: OrderItem;
  template: ErpTemplate;
  labels: Record<string, string>;
  /** What is sent: the quote's own choices (keys, stable across renames) while the line still shows them, else the line's. */
  choices: Record<string, ParameterValue>;
  externalId: string;
}

export interface SendRun {
  sent: ErpOrder[];
  /** Already in the ERP before this run (sent earlier, or made by an attempt whose answer was lost). */
  found: ErpOrder[];
}

/**
 * «Отправить в ASystem» (AS-7, AX-3): each order line whose product has a template of this ERP
 * becomes an ERP order. The external id is our order number (`<number>-<position>` when several
 * lines go), and it makes sending idempotent (AS-8): a line already recorded is skipped, and
 * before creating one the ERP is asked for that external id — so a retry after a timeout, a
 * resend, or a crash between the ERP's answer and our commit never makes a second ERP order.
 */
export class OrderSender<S extends ErpSettingsBase> {
  constructor(
    private readonly context: IntegrationContext<S>,
    private readonly member: ErpMember<S>,
    private readonly templates: TemplateLibrary<S>,
  ) {}

  async sentOrders(orderId: number): Promise<ErpOrder[]> {
    return ((await this.context.state.get('order', orderId)) as SentState | null)?.erpOrders ?? [];
  }

  /** Whether the order has a line this ERP can take (auto-send asks before queueing). */
  async hasBoundItems(order: Order): Promise<boolean> {
    for (const item of order.items) if (item.productId !== null && (await this.templates.binding(item.productId))) return true;
    return false;
  }

  /** Sends the order; every failure is in the order's sync log before it is thrown. */
  async send(orderId: number, options: { signal?: AbortSignal; jobId?: string | null } = {}): Promise<SendRun> {
    const order = await this.context.stores.orders.get(orderId);
    const started = Date.now();
    try {
      return await this.#send(order, options);
    } catch (error) {
      if (!this.#logged.has(error as object)) await this.#log(order, 'order.send', 'error', { order: order.number }, null, null, started, options.jobId, error);
      throw error;
    }
  }

  readonly #logged = new WeakSet<object>();

  async #send(order: Order, options: { signal?: AbortSignal; jobId?: string | null }): Promise<SendRun> {
    const orderId = order.id;
    const bound = await this.#boundItems(order);
    const run: SendRun = { sent: [], found: [] };
    const settings = (await this.context.settings.require()).settings;
    const client = this.member.client(settings);
    for (const line of bound) {
      const recorded = (await this.sentOrders(orderId)).find((o) => o.externalId === line.externalId);
      if (recorded) {
        run.found.push(recorded);
        continue;
      }
      const started = Date.now();
      const existing = await client.get<ErpOrderAnswer[]>(`/orders?externalId=${encodeURIComponent(line.externalId)}`, { ...(options.signal && { signal: options.signal }) });
      const already = Array.isArray(existing) ? existing.find((o) => String(o.externalId ?? line.externalId) === line.externalId) : undefined;
      if (already) {
        const erpOrder = await this.#record(order, line, already);
        run.found.push(erpOrder);
        await this.#log(order, 'order.find', 'ok', { externalId: line.externalId }, already, erpOrder.id, started, options.jobId);
        continue;
      }
      const body = { ...this.#request(order, line, settings), customer: await this.#customer(order) };
      let answer: ErpOrderAnswer;
      try {
        answer = await client.post<ErpOrderAnswer>('/orders', body, { ...(options.signal && { signal: options.signal }) });
      } catch (error) {
        const duplicate = error instanceof ErpError && error.code === 'DUPLICATE_EXTERNAL_ID' ? (error.answer as { order?: ErpOrderAnswer } | null)?.order : undefined;
        if (!duplicate) {
          await this.#log(order, 'order.create', 'error', body, null, null, started, options.jobId, error);
          if (typeof error === 'object' && error !== null) this.#logged.add(error);
          throw error;
        }
        answer = duplicate;
      }
      const erpOrder = await this.#record(order, line, answer);
      run.sent.push(erpOrder);
      await this.#log(order, 'order.create', 'ok', body, answer, erpOrder.id, started, options.jobId);
    }
    return run;
  }

  async #boundItems(order: Order): Promise<BoundItem[]> {
    const lines: Array<Omit<BoundItem, 'externalId'>> = [];
    const quoted = await this.context.stores.issuedQuotes.ofOrder(order.id);
    for (const item of order.items) {
      if (item.productId === null || !(await this.templates.binding(item.productId))) continue;
      const { template, binding, missingSince } = await this.templates.templateOf(item.productId);
      if (missingSince) throw this.#rejected(`шаблон «${template.name}» товара «${item.name}» удалён в ${this.member.product}: выберите для товара другой шаблон`);
      lines.push({ item, template, labels: binding.labels, choices: await this.#choicesOf(item, quoted.get(item.position)) });
    }
    if (!lines.length) throw this.#rejected(`в заказе ${order.number} нет товаров, связанных с шаблоном ${this.member.product}`);
    return lines.map((line) => ({ ...line, externalId: lines.length === 1 ? order.number : `${order.number}-${line.item.position}` }));
  }

  /**
   * A line priced from a quote shows the choices as a person reads them; the quote keeps them by
   * key, which survives a label renamed since. Used while the line still says what the quote
   * says — a manager who changed the line's parameters meant the new ones.
   */
  async #choicesOf(item: OrderItem, quoteId: string | undefined): Promise<Record<string, ParameterValue>> {
    const quote = quoteId ? await this.context.stores.issuedQuotes.find(quoteId) : null;
    if (quote && (sameChoices(item.parameters, quote.parameters) || (quote.readable && sameChoices(item.parameters, quote.readable)))) return quote.parameters;
    return item.parameters;
  }

  #request(order: Order, line: BoundItem, settings: S): Record<string, unknown> {
    const index = order.items.indexOf(line.item);
    const { values, problems } = resolveChoices(line.template, line.labels, line.choices, `items[${index}].parameters`);
    if (problems.length) throw this.#rejected(`строка «${line.item.name}» не подходит шаблону «${line.template.name}»: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
    const erpValues = toErpValues(line.template, values);
    const extras = extraParamValues(order);
    for (const extra of EXTRA_PARAMS) {
      const value = extras[extra.key];
      const param = orderParamByName(line.template, settings.extraParamNames[extra.key] ?? extra.name);
      // A template without this optional parameter simply does not get it (Pixlpark does the same).
      if (value !== undefined && param) erpValues.orderParams[param.name] = value as ParameterValue;
    }
    return {
      externalId: line.externalId,
      templateId: line.template.id,
      quantity: line.item.quantity,
      title: line.item.name,
      ...erpValues,
      ...this.member.orderDefaults(settings),
    };
  }

  /** Who ordered: the organization when there is one (with its INN), else the person. */
  async #customer(order: Order): Promise<{ name: string; phone?: string; email?: string; inn?: string }> {
    const person = order.personId === null ? null : await this.context.stores.persons.get(order.personId);
    const contact = { ...(person?.phones[0] && { phone: person.phones[0].e164 }), ...(person?.emails[0] && { email: person.emails[0] }) };
    if (order.organizationId !== null) {
      const organization = await this.context.stores.organizations.get(order.organizationId);
      return { name: organization.title, ...contact, ...(organization.inn && { inn: organization.inn }) };
    }
    return { name: person?.fullName || `Заказ ${order.number}`, ...contact };
  }

  async #record(order: Order, line: BoundItem, answer: ErpOrderAnswer): Promise<ErpOrder> {
    if (typeof answer.id !== 'string' && typeof answer.id !== 'number') {
      throw new IntegrationError(this.member.name, 'server', `${this.member.product} принял заказ ${line.externalId}, но не назвал его номер`);
    }
    const erpOrder: ErpOrder = {
      externalId: line.externalId,
      id: String(answer.id),
      number: typeof answer.number === 'string' ? answer.number : null,
      status: typeof answer.status === 'string' ? answer.status : null,
      itemId: line.item.id,
      templateId: line.template.id,
      sentAt: this.context.clock.now().toISOString(),
    };
    await this.context.transaction(async (trx) => {
      const state = ((await this.context.state.get('order', order.id, trx)) as SentState | null) ?? {};
      const erpOrders = [...(state.erpOrders ?? []).filter((o) => o.externalId !== erpOrder.externalId), erpOrder];
      await this.context.state.set('order', order.id, { ...state, erpOrders }, trx);
      if (erpOrders.length === 1) {
        const now = erpOrder.sentAt;
        await this.context.stores.links.set(trx, { entityType: 'order', entityId: order.id, system: this.member.name, kind: 'order', externalId: erpOrder.id }, now);
        if (erpOrder.number) await this.context.stores.links.set(trx, { entityType: 'order', entityId: order.id, system: this.member.name, kind: 'number', externalId: erpOrder.number }, now);
      }
    });
    return erpOrder;
  }

  #rejected(message: string): IntegrationError {
    return new IntegrationError(this.member.name, 'rejected', message);
  }

  async #log(order: Order, operation: string, outcome: 'ok' | 'error', request: unknown, response: unknown, externalId: string | null, started: number, jobId?: string | null, error?: unknown): Promise<void> {
    await this.context.syncLog.record({
      entityType: 'order',
      entityId: order.id,
      operation,
      outcome,
      request,
      response,
      externalId,
      durationMs: Date.now() - started,
      jobId: jobId ?? null,
      ...(error !== undefined && { error }),
    });
  }
}
