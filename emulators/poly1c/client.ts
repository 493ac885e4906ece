import { randomUUID } from 'node:crypto';
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import iconv from 'iconv-lite';
import { StateFile } from '../common/state-file.js';
import type { Persistable } from '../common/state-file.js';

/**
 * An emulated 1C:Полиграфия on the site-exchange side: the HTTP *client* 1C is (reference §6.1).
 * It runs the exchange against a site — `checkauth` with HTTP Basic, `init`, `query`, keeps the
 * orders it read, `success` — and sends back statuses, its own order numbers and payment and
 * shipment dates with `mode=file`, as a CommerceML document in UTF-8 or windows-1251. Knobs make
 * it misbehave as a real 1C does: a wrong password, a crash between `query` and `success`.
 * Used in-process by the tests and run by `printsync emulate 1c-exchange`.
 */

export type OneCEncoding = 'utf-8' | 'windows-1251';

export interface OneCExchangeOptions {
  /** The site's exchange address, e.g. `http://127.0.0.1:3000/1c_exchange`. */
  url: string;
  login: string;
  password: string;
  /** The encoding of the files it sends back. @default 'utf-8' */
  encoding?: OneCEncoding;
  /** Numbers it gives orders: `<prefix>-000001`. @default 'ПЛ' */
  numberPrefix?: string;
  /** Per-request deadline. @default 10_000 */
  timeoutMs?: number;
  /** Keep the orders it has in this JSON file across runs. */
  stateFile?: string;
}

/** One line of an order as 1C read it. */
export interface OneCLine {
  id: string;
  name: string;
  quantity: number;
  price: number;
  sum: number;
  characteristics: Record<string, string>;
}

/** An order as 1C keeps it after reading the site's document. */
export interface OneCOrder {
  /** The site's `Ид`. */
  siteId: string;
  siteNumber: string;
  /** 1C's own number, given when first read. */
  number: string;
  date: string;
  sum: number;
  currency: string;
  comment: string | null;
  counterparties: Array<{ id: string; name: string; role: string; inn: string | null; contacts: Record<string, string> }>;
  lines: OneCLine[];
  requisites: Record<string, string>;
  /** How many times a `query` carried it. */
  received: number;
  /** What 1C says back about it next time it sends statuses. */
  status: string | null;
  paidAt: string | null;
  shippedAt: string | null;
}

export interface QueryResult {
  /** The bytes as they came, their declared encoding and the decoded text. */
  raw: Buffer;
  encoding: string;
  xml: string;
  contentType: string | null;
  /** The parsed document (`КоммерческаяИнформация`), attributes under `@_`. */
  document: Record<string, unknown>;
  /** The site's documents by `Ид`. */
  orders: OneCOrder[];
}

export interface CycleResult {
  checkauth: ExchangeAnswer;
  /** Orders the `query` carried (none when the login failed). */
  orders: OneCOrder[];
  /** Whether `success` was sent. */
  acknowledged: boolean;
}

/** A plain-text exchange answer: its lines, and the HTTP status. */
export interface ExchangeAnswer {
  status: number;
  ok: boolean;
  lines: string[];
  text: string;
}

/** What a status file says about one order; the order's own fields fill what is left out. */
export interface StatusUpdate {
  /** `Ид` as the site gave it (its order number); an id the site never gave tests its handling of strangers. */
  siteId: string;
  siteNumber?: string;
  number?: string | null;
  status?: string | null;
  cancelled?: boolean;
  paidAt?: string | null;
  shippedAt?: string | null;
}

interface Snapshot {
  version: 1;
  orders: OneCOrder[];
  counter: number;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  trimValues: true,
  removeNSPrefix: true,
  // Character references (`&#178;`) are XML; fast-xml-parser decodes them with this on.
  htmlEntities: true,
  isArray: (name) => ['Документ', 'Контрагент', 'Товар', 'ЗначениеРеквизита', 'ХарактеристикаТовара', 'Контакт'].includes(name),
});
const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: true, suppressEmptyNode: true });

export class OneCExchangeClient implements Persistable<Snapshot> {
  /** The orders 1C has, by the site's `Ид`. */
  readonly orders = new Map<string, OneCOrder>();
  /** Every exchange call it made, in order: `checkauth`, `init`, `query`, `success`, `file`. */
  readonly calls: Array<{ mode: string; status: number; at: string }> = [];
  private cookie: { name: string; value: string } | null = null;
  private counter = 0;
  private readonly state: StateFile<Snapshot> | null;

  constructor(private readonly options: OneCExchangeOptions) {
    this.state = options.stateFile ? new StateFile(options.stateFile, this, 1) : null;
  }

  /** Loads `stateFile` when one is set. */
  async start(): Promise<void> {
    await this.state?.load();
  }

  async stop(): Promise<void> {
    await this.state?.flush();
  }

  snapshot(): Snapshot {
    return { version: 1, orders: [...this.orders.values()], counter: this.counter };
  }

  load(snapshot: Snapshot): void {
    this.orders.clear();
    for (const order of snapshot.orders) this.orders.set(order.siteId, order);
    this.counter = snapshot.counter;
  }

  /** The `Cookie` header value of the current session (after a `checkauth` that passed), or null. */
  sessionCookie(): string | null {
    return this.cookie ? `${this.cookie.name}=${this.cookie.value}` : null;
  }

  /** `checkauth` with HTTP Basic; on `success` the cookie is kept for the calls that follow. */
  async checkauth(credentials: { login?: string; password?: string } = {}): Promise<ExchangeAnswer> {
    const login = credentials.login ?? this.options.login;
    const password = credentials.password ?? this.options.password;
    const answer = await this.text('checkauth', { authorization: `Basic ${Buffer.from(`${login}:${password}`, 'utf8').toString('base64')}` });
    this.cookie = answer.ok && answer.lines.length >= 3 ? { name: answer.lines[1]!, value: answer.lines[2]! } : null;
    return answer;
  }

  /** `init`: what the site accepts (`zip`, `file_limit`). */
  async init(): Promise<{ answer: ExchangeAnswer; zip: boolean; fileLimit: number | null }> {
    const answer = await this.text('init', {}, { version: '2.08' });
    const values = Object.fromEntries(answer.lines.map((line) => line.split('=') as [string, string]));
    return { answer, zip: values.zip === 'yes', fileLimit: values.file_limit ? Number(values.file_limit) : null };
  }

  /** `query`: reads the site's orders and keeps them (a new order gets a 1C number). */
  async query(): Promise<QueryResult> {
    const response = await this.call('GET', 'query');
    const raw = Buffer.from(await response.arrayBuffer());
    if (response.status !== 200) throw new Error(`query: HTTP ${response.status}: ${raw.toString('utf8')}`);
    if (raw.subarray(0, 7).toString('latin1') === 'failure') throw new Error(`query: ${raw.toString('utf8')}`);
    const { text, encoding } = decode(raw);
    const valid = XMLValidator.validate(text);
    if (valid !== true) throw new Error(`query: not XML (line ${valid.err.line}: ${valid.err.msg})`);
    const document = (parser.parse(text) as Record<string, Record<string, unknown>>)['КоммерческаяИнформация'];
    if (!document) throw new Error('query: no КоммерческаяИнформация');
    const orders = asArray(document['Документ']).map((doc) => this.keep(doc as Record<string, unknown>));
    return { raw, encoding, xml: text, contentType: response.headers.get('content-type'), document, orders };
  }

  /** `success`: the orders of the last `query` are taken. */
  success(): Promise<ExchangeAnswer> {
    return this.text('success');
  }

  /**
   * `mode=file`: a CommerceML document with one `Документ` per update, in the client's encoding
   * (or `encoding`); answers the site's reply.
   */
  async sendStatuses(updates: readonly StatusUpdate[], options: { encoding?: OneCEncoding; filename?: string } = {}): Promise<ExchangeAnswer> {
    const encoding = options.encoding ?? this.options.encoding ?? 'utf-8';
    const body = statusDocument(updates.map((update) => this.fill(update)), encoding);
    return this.sendFile(options.filename ?? `orders-${randomUUID()}.xml`, body);
  }

  /** Posts raw bytes as `mode=file` (a broken file, a stranger's encoding). */
  async sendFile(filename: string, body: Buffer): Promise<ExchangeAnswer> {
    const response = await this.call('POST', 'file', {}, { filename }, body);
    return answerOf(response.status, await response.text());
  }

  /**
   * One exchange as 1C runs it on its schedule: `checkauth`, `init`, `query`, `success` — or a
   * crash before `success` (`crashBeforeSuccess`: the cookie is lost too, as with a restarted 1C).
   */
  async cycle(options: { crashBeforeSuccess?: boolean } = {}): Promise<CycleResult> {
    const checkauth = await this.checkauth();
    if (!checkauth.ok) return { checkauth, orders: [], acknowledged: false };
    await this.init();
    const { orders } = await this.query();
    if (options.crashBeforeSuccess) {
      this.cookie = null;
      return { checkauth, orders, acknowledged: false };
    }
    const ack = await this.success();
    if (!ack.ok) throw new Error(`success: ${ack.text}`);
    this.state?.scheduleSave();
    return { checkauth, orders, acknowledged: true };
  }

  /** Sets what 1C will say about an order next time (`sendStatuses` of `reportAll`). */
  setStatus(siteId: string, update: Omit<StatusUpdate, 'siteId'>): void {
    const order = this.orders.get(siteId);
    if (!order) throw new Error(`1C has no order ${siteId}`);
    if (update.status !== undefined) order.status = update.status;
    if (update.paidAt !== undefined) order.paidAt = update.paidAt;
    if (update.shippedAt !== undefined) order.shippedAt = update.shippedAt;
    this.state?.scheduleSave();
  }

  /** Sends a status file about every order it has (what a scheduled 1C exchange uploads). */
  reportAll(options: { encoding?: OneCEncoding } = {}): Promise<ExchangeAnswer> {
    return this.sendStatuses([...this.orders.values()].map((order) => ({ siteId: order.siteId })), options);
  }

  private fill(update: StatusUpdate): Required<StatusUpdate> {
    const order = this.orders.get(update.siteId);
    return {
      siteId: update.siteId,
      siteNumber: update.siteNumber ?? order?.siteNumber ?? update.siteId,
      number: update.number !== undefined ? update.number : order?.number ?? null,
      status: update.status !== undefined ? update.status : order?.status ?? null,
      cancelled: update.cancelled ?? false,
      paidAt: update.paidAt !== undefined ? update.paidAt : order?.paidAt ?? null,
      shippedAt: update.shippedAt !== undefined ? update.shippedAt : order?.shippedAt ?? null,
    };
  }

  private keep(doc: Record<string, unknown>): OneCOrder {
    const siteId = text(doc['Ид']) ?? '';
    const requisites = Object.fromEntries(
      asArray(record(doc['ЗначенияРеквизитов'])['ЗначениеРеквизита']).map((entry) => [text(record(entry)['Наименование']) ?? '', text(record(entry)['Значение']) ?? '']),
    );
    const existing = this.orders.get(siteId);
    const order: OneCOrder = {
      siteId,
      siteNumber: text(doc['Номер']) ?? siteId,
      number: existing?.number ?? `${this.options.numberPrefix ?? 'ПЛ'}-${String(++this.counter).padStart(6, '0')}`,
      date: `${text(doc['Дата']) ?? ''}T${text(doc['Время']) ?? '00:00:00'}`,
      sum: Number(text(doc['Сумма']) ?? 0),
      currency: text(doc['Валюта']) ?? '',
      comment: text(doc['Комментарий']),
      counterparties: asArray(record(doc['Контрагенты'])['Контрагент']).map((raw) => {
        const c = record(raw);
        return {
          id: text(c['Ид']) ?? '',
          name: text(c['Наименование']) ?? '',
          role: text(c['Роль']) ?? '',
          inn: text(c['ИНН']),
          contacts: Object.fromEntries(asArray(record(c['Контакты'])['Контакт']).map((k) => [text(record(k)['Тип']) ?? '', text(record(k)['Значение']) ?? ''])),
        };
      }),
      lines: asArray(record(doc['Товары'])['Товар']).map((raw) => {
        const line = record(raw);
        return {
          id: text(line['Ид']) ?? '',
          name: text(line['Наименование']) ?? '',
          quantity: Number(text(line['Количество']) ?? 0),
          price: Number(text(line['ЦенаЗаЕдиницу']) ?? 0),
          sum: Number(text(line['Сумма']) ?? 0),
          characteristics: Object.fromEntries(
            asArray(record(line['ХарактеристикиТовара'])['ХарактеристикаТовара']).map((ch) => [text(record(ch)['Наименование']) ?? '', text(record(ch)['Значение']) ?? '']),
          ),
        };
      }),
      requisites,
      received: (existing?.received ?? 0) + 1,
      status: existing?.status ?? null,
      paidAt: existing?.paidAt ?? null,
      shippedAt: existing?.shippedAt ?? null,
    };
    this.orders.set(siteId, order);
    return order;
  }

  private async text(mode: string, headers: Record<string, string> = {}, params: Record<string, string> = {}): Promise<ExchangeAnswer> {
    const response = await this.call('GET', mode, headers, params);
    return answerOf(response.status, await response.text());
  }

  private async call(method: string, mode: string, headers: Record<string, string> = {}, params: Record<string, string> = {}, body?: Buffer): Promise<Response> {
    const url = new URL(this.options.url);
    url.searchParams.set('type', 'sale');
    url.searchParams.set('mode', mode);
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    const all: Record<string, string> = { 'user-agent': '1C+Enterprise/8.3', ...headers };
    if (this.cookie && mode !== 'checkauth') all.cookie = `${this.cookie.name}=${this.cookie.value}`;
    if (body) all['content-type'] = 'application/octet-stream';
    const response = await fetch(url, {
      method,
      headers: all,
      ...(body && { body: new Uint8Array(body) }),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
    });
    this.calls.push({ mode, status: response.status, at: new Date().toISOString() });
    return response;
  }
}

/** A status file as 1C uploads it: `Документ` per order with its requisites. */
export function statusDocument(updates: ReadonlyArray<Required<StatusUpdate>>, encoding: OneCEncoding): Buffer {
  const documents = updates.map((update) => {
    const requisites: Array<{ Наименование: string; Значение: string }> = [];
    const add = (name: string, value: string | null | undefined) => {
      if (value) requisites.push({ Наименование: name, Значение: value });
    };
    add('Номер по 1С', update.number);
    add('Дата по 1С', update.number ? new Date().toISOString().slice(0, 10) : null);
    add('Статус заказа', update.status);
    add('Отменен', update.cancelled ? 'true' : 'false');
    add('Дата оплаты по 1С', update.paidAt);
    add('Дата отгрузки по 1С', update.shippedAt);
    add('Проведен', 'true');
    return {
      Ид: update.siteId,
      Номер: update.siteNumber,
      ХозОперация: 'Заказ товара',
      Роль: 'Продавец',
      ЗначенияРеквизитов: { ЗначениеРеквизита: requisites },
    };
  });
  const root = {
    КоммерческаяИнформация: {
      '@_xmlns': 'urn:1C.ru:commerceml_2',
      '@_ВерсияСхемы': '2.08',
      '@_ДатаФормирования': new Date().toISOString().slice(0, 19),
      Документ: documents,
    },
  };
  const xml = `<?xml version="1.0" encoding="${encoding === 'windows-1251' ? 'windows-1251' : 'UTF-8'}"?>\n${builder.build(root) as string}`;
  return encoding === 'windows-1251' ? iconv.encode(xml, 'win1251') : Buffer.from(xml, 'utf8');
}

/** Bytes of an XML document decoded by its declaration (UTF-8 when none). */
export function decode(raw: Buffer): { text: string; encoding: string } {
  const head = raw.subarray(0, 200).toString('latin1');
  const declared = /encoding=["']([^"']+)["']/.exec(head)?.[1]?.toLowerCase() ?? 'utf-8';
  if (declared === 'utf-8' || declared === 'utf8') return { text: raw.toString('utf8').replace(/^\uFEFF/, ''), encoding: 'utf-8' };
  return { text: iconv.decode(raw, declared), encoding: declared };
}

function answerOf(status: number, body: string): ExchangeAnswer {
  const lines = body.split(/\r?\n/);
  return { status, ok: status === 200 && lines[0] === 'success', lines, text: body };
}

function asArray(value: unknown): unknown[] {
  if (value === undefined || value === null || value === '') return [];
  return Array.isArray(value) ? value : [value];
}

function record(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}

function text(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'object') {
    const inner = (value as Record<string, unknown>)['#text'];
    return inner === undefined ? null : String(inner);
  }
  return String(value);
}
