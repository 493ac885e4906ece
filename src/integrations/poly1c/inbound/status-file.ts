import { XMLParser, XMLValidator } from 'fast-xml-parser';
import iconv from 'iconv-lite';
import { DomainError } from '../../../domain/errors.js';
import { findOrderStatus, isSettableStatus, ORDER_STATUSES } from '../../../domain/order-status.js';
import type { OrderStatus } from '../../../domain/order-status.js';
import type { Order } from '../../../domain/orders.js';
import type { IntegrationContext } from '../../../platform/context.js';
import type { Poly1cSettings } from '../settings.js';

/**
 * What 1C sends back with `mode=file` (reference §6.1, §6.2): a CommerceML document with one
 * `Документ` per order it has, carrying in its `ЗначенияРеквизитов` «Номер по 1С», «Дата по 1С»,
 * the 1C status («Статус заказа», «Статуса заказа ИД»), «Отменен», «Дата оплаты по 1С» and
 * «Дата отгрузки по 1С». Each document is matched to our order by `Ид` or `Номер` (both are our
 * order number, as `query` sent them) and applied through the integration's stores, so the
 * history says «1С:Полиграфия» and nothing is handed back to 1C:
 * - «Номер по 1С» becomes the order's external id (shown on the card);
 * - a 1C status that names one of our statuses (by its code, or its Russian name, with or
 *   without Bitrix's `[X] ` prefix), or «Отменен» = true, moves the order there — only when 1C's
 *   status differs from the one it reported last, so a file that repeats an old status does not
 *   undo a manager's later move;
 * - a new «Дата оплаты по 1С» marks the order paid in full;
 * - everything 1C said is kept as its report on the order («Статус 1С», the dates) for the card.
 * A document for an order we do not have is logged and changes nothing.
 */

export const REPORT = 'report';
export const FILE = 'file';

/** What 1C last said about one of our orders (integration record `report`, keyed by our order id). */
export interface OneCReport {
  number: string | null;
  date: string | null;
  status: string | null;
  cancelled: boolean;
  paidAt: string | null;
  shippedAt: string | null;
  receivedAt: string;
  file: string;
  /** Our status the 1C status was applied as; null when it names none of ours. */
  appliedStatus: OrderStatus | null;
  notes: string[];
}

/** One received file (integration record `file`, keyed by its name): what came of each document. */
export interface FileJournal {
  receivedAt: string;
  encoding: string;
  documents: number;
  applied: Array<{ orderId: number; number: string; changes: string[] }>;
  unknown: Array<{ id: string | null; number: string | null }>;
}

interface OneCDocument {
  id: string | null;
  number: string | null;
  requisites: Map<string, string>;
}

type Context = IntegrationContext<Poly1cSettings>;

/** A refusal 1C shows its operator after `failure`. */
export class FileRefusal extends Error {}

/** The text of an XML document in the encoding its declaration names (a UTF-8 BOM wins; none named: UTF-8). */
export function decodeXml(bytes: Buffer): { text: string; encoding: string } {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { text: bytes.subarray(3).toString('utf8'), encoding: 'utf-8' };
  const head = bytes.subarray(0, 256).toString('latin1');
  const declared = /^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head)?.[1]?.toLowerCase() ?? 'utf-8';
  if (declared === 'utf-8' || declared === 'utf8') return { text: bytes.toString('utf8'), encoding: 'utf-8' };
  if (!iconv.encodingExists(declared)) throw new FileRefusal(`Неизвестная кодировка документа: ${declared}`);
  return { text: iconv.decode(bytes, declared), encoding: declared };
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  removeNSPrefix: true,
  processEntities: true,
  // Character references (`&#178;`) are XML; fast-xml-parser decodes them with this on.
  htmlEntities: true,
  isArray: (name) => ['Документ', 'Контейнер', 'ЗначениеРеквизита'].includes(name),
});

/** The documents of a file 1C sent; a file that is not a CommerceML document is refused with the reason. */
export function parseStatusFile(bytes: Buffer): { documents: OneCDocument[]; encoding: string } {
  if (bytes.length === 0) throw new FileRefusal('Пустой файл');
  const { text, encoding } = decodeXml(bytes);
  // 1C never sends a DTD; one is refused rather than expanded.
  if (/<!DOCTYPE/i.test(text)) throw new FileRefusal('Документ с DOCTYPE не принимается');
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new FileRefusal(`Файл не является XML (строка ${valid.err.line}, позиция ${valid.err.col}: ${valid.err.msg})`);
  const parsed = parser.parse(text) as Record<string, unknown>;
  const root = parsed['КоммерческаяИнформация'] as Record<string, unknown> | undefined;
  if (!root || typeof root !== 'object') throw new FileRefusal('Ожидался документ CommerceML (корневой элемент КоммерческаяИнформация)');
  // Schema 3.x wraps documents in containers.
  const raw = [...asArray(root['Документ']), ...asArray(root['Контейнер']).flatMap((container) => asArray((container as Record<string, unknown>)['Документ']))];
  return { documents: raw.map(toDocument), encoding };
}

function toDocument(raw: unknown): OneCDocument {
  const doc = (raw ?? {}) as Record<string, unknown>;
  const requisites = new Map<string, string>();
  const values = (doc['ЗначенияРеквизитов'] as Record<string, unknown> | undefined)?.['ЗначениеРеквизита'];
  for (const entry of asArray(values)) {
    const item = entry as Record<string, unknown>;
    const name = textOf(item['Наименование']);
    if (name) requisites.set(name.toLowerCase(), textOf(item['Значение']) ?? '');
  }
  return { id: textOf(doc['Ид']), number: textOf(doc['Номер']), requisites };
}

export class StatusImport {
  constructor(private readonly context: Context) {}

  /** Applies a file 1C sent; answers what came of it (also kept as the file's journal). */
  async apply(filename: string, bytes: Buffer): Promise<FileJournal> {
    const { documents, encoding } = parseStatusFile(bytes);
    const receivedAt = this.context.clock.now().toISOString();
    const journal: FileJournal = { receivedAt, encoding, documents: documents.length, applied: [], unknown: [] };
    for (const [index, doc] of documents.entries()) {
      // Each document is an event from 1C: the health page counts them with the other systems'.
      const externalId = doc.id ?? doc.number ?? `${filename}#${index}`;
      await this.context.inbox.accept({ dedupeKey: `${filename}#${index}@${receivedAt}`, event: 'commerceml.status', entityKind: 'order', externalId });
      const order = await this.findOrder(doc);
      if (!order) {
        journal.unknown.push({ id: doc.id, number: doc.number });
        this.context.logger.warn({ file: filename, id: doc.id, number: doc.number }, '1C sent a document for an order printsync does not have; nothing changed');
        await this.context.inbox.settle('order', externalId, 'ignored', 'такого заказа нет в printsync');
        continue;
      }
      const { changes, notes, sameAsOrder } = await this.applyDocument(order, doc, filename, receivedAt);
      journal.applied.push({ orderId: order.id, number: order.number, changes });
      const [outcome, note] = notes.length
        ? (['failed', notes.join('; ')] as const)
        : changes.length
          ? (['applied', changes.join(', ')] as const)
          : sameAsOrder
            ? (['echo', 'то же, что уже в printsync'] as const)
            : (['ignored', 'ничего нового с прошлого раза'] as const);
      await this.context.inbox.settle('order', externalId, outcome, note);
    }
    await this.context.records.put(FILE, filename, journal);
    return journal;
  }

  private async findOrder(doc: OneCDocument): Promise<Order | null> {
    for (const candidate of [doc.id, doc.number]) {
      if (!candidate) continue;
      const order = await this.context.stores.orders.findByNumber(candidate);
      if (order) return order;
    }
    return null;
  }

  private async applyDocument(order: Order, doc: OneCDocument, filename: string, receivedAt: string): Promise<{ changes: string[]; notes: string[]; sameAsOrder: boolean }> {
    const { context } = this;
    const get = (name: string) => {
      const value = doc.requisites.get(name.toLowerCase());
      return value === undefined || value === '' ? null : value;
    };
    const previous = (await context.records.get<OneCReport>(REPORT, String(order.id)))?.data ?? null;
    const status = get('Статус заказа');
    const statusId = get('Статуса заказа ИД');
    const cancelled = get('Отменен')?.toLowerCase() === 'true';
    const report: OneCReport = {
      number: get('Номер по 1С'),
      date: get('Дата по 1С'),
      status: status ?? statusId,
      cancelled,
      paidAt: get('Дата оплаты по 1С'),
      shippedAt: get('Дата отгрузки по 1С'),
      receivedAt,
      file: filename,
      appliedStatus: cancelled ? 'Cancelled' : ourStatus(statusId) ?? ourStatus(status),
      notes: [],
    };
    const changes: string[] = [];
    let current = order;

    const statusNews = report.appliedStatus !== null && (previous?.appliedStatus !== report.appliedStatus || previous.status !== report.status);
    if (statusNews && report.appliedStatus !== current.status) {
      try {
        current = await context.stores.orders.changeStatus(order.id, { status: report.appliedStatus! });
        changes.push(`статус: ${report.appliedStatus}`);
      } catch (error) {
        report.notes.push(`Статус не применён: ${messageOf(error)}`);
      }
    }
    if (report.paidAt && report.paidAt !== previous?.paidAt && current.payment.status !== 'paid') {
      try {
        current = await this.markPaid(current);
        changes.push('оплачен');
      } catch (error) {
        report.notes.push(`Оплата не отмечена: ${messageOf(error)}`);
      }
    }
    await context.transaction(async (trx) => {
      if (report.number && report.number !== previous?.number) {
        try {
          await context.stores.links.set(trx, { entityType: 'order', entityId: order.id, system: context.name, kind: 'number', externalId: report.number }, receivedAt);
          changes.push(`номер по 1С: ${report.number}`);
        } catch (error) {
          report.notes.push(`Номер по 1С не записан: ${messageOf(error)}`);
        }
      }
      await context.records.put(REPORT, String(order.id), report, trx);
    });
    await context.syncLog.record({
      entityType: 'order',
      entityId: order.id,
      operation: 'commerceml.status',
      outcome: 'ok',
      externalId: report.number,
      request: { file: filename, id: doc.id, number: doc.number, requisites: Object.fromEntries(doc.requisites) },
      response: { changes, notes: report.notes },
    });
    return { changes, notes: report.notes, sameAsOrder: report.appliedStatus !== null && report.appliedStatus === current.status };
  }

  /** Marks the order paid in full; a staff edit in between is a version conflict, read again once. */
  private async markPaid(order: Order): Promise<Order> {
    const orders = this.context.stores.orders;
    try {
      return await orders.update(order.id, { version: order.version, payment: { status: 'paid' } });
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'version_conflict') throw error;
      const fresh = await orders.get(order.id);
      return fresh.payment.status === 'paid' ? fresh : orders.update(order.id, { version: fresh.version, payment: { status: 'paid' } });
    }
  }
}

/** Our status a 1C status names: `Printed`, `Выполнен`, `[F] Выполнен`; null for none (or one staff may not set). */
export function ourStatus(value: string | null): OrderStatus | null {
  if (!value) return null;
  const name = value.replace(/^\s*\[[^\]]*\]\s*/, '').trim();
  const byCode = findOrderStatus(name);
  const found = byCode ?? ORDER_STATUSES.find((status) => status.ru.toLowerCase() === name.toLowerCase());
  return found && isSettableStatus(found.code) ? found.code : null;
}

function asArray(value: unknown): unknown[] {
  if (value === undefined || value === null || value === '') return [];
  return Array.isArray(value) ? value : [value];
}

function textOf(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'object') {
    const text = (value as Record<string, unknown>)['#text'];
    return text === undefined ? null : String(text).trim() || null;
  }
  return String(value).trim() || null;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
