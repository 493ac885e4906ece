import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/**
 * Table shapes shared by SQLite and PostgreSQL. To keep one code path for both:
 * - timestamps are ISO 8601 UTC strings (`2026-11-28T10:00:00.000Z`), which sort as text;
 * - booleans are integers 0/1;
 * - structured values (phones, tiers, parameters, payloads) are JSON text, parsed in the store.
 */
type Id = Generated<number>;
type Timestamp = string;
type Flag = number;
type JsonText = string;

export interface ApiTokensTable {
  id: Id;
  name: string;
  token_hash: string;
  created_at: Timestamp;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface PersonsTable {
  id: Id;
  last_name: string | null;
  first_name: string | null;
  middle_name: string | null;
  /** JSON: Array<{ e164: string; extension: string | null }> */
  phones: JsonText;
  /** JSON: string[] (trimmed, lower-cased) */
  emails: JsonText;
  is_guest: Flag;
  organization_id: number | null;
  /** Lower-cased names, e-mails and phone digits; SQLite's lower() only folds ASCII. */
  search_text: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  version: number;
}

export interface OrganizationsTable {
  id: Id;
  title: string;
  inn: string | null;
  kpp: string | null;
  company_type: string | null;
  /** Lower-cased title, INN and KPP. */
  search_text: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  version: number;
}

/** Ids of our entities in external systems: one row per entity, system and kind of link. */
export interface ExternalLinksTable {
  entity_type: string;
  entity_id: number;
  system: string;
  kind: string;
  external_id: string;
  updated_at: Timestamp;
}

export interface CategoriesTable {
  id: Id;
  name: string;
  parent_id: number | null;
  calculator_engine: string;
  calculator_primary: Flag;
  /** The widget's options (domain/widget.ts), JSON; null: the defaults. */
  widget: ColumnType<JsonText | null, JsonText | null | undefined, JsonText | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
  version: number;
}

export interface ProductsTable {
  id: Id;
  category_id: number | null;
  name: string;
  sku: string | null;
  description: string | null;
  currency: string;
  /** JSON: the quantity tiers («тиражность»), see domain/catalog. */
  tiers: JsonText;
  created_at: Timestamp;
  updated_at: Timestamp;
  version: number;
}

export interface OrdersTable {
  id: Id;
  number: string;
  site: string | null;
  source: string;
  person_id: number | null;
  organization_id: number | null;
  status: string;
  payment_status: string;
  payment_method: string | null;
  currency: string;
  items_total: number;
  delivery_price: number;
  discount: number;
  total: number;
  /** JSON: { method, address, recipient, price } or null */
  delivery: JsonText | null;
  manager: string | null;
  comment: string | null;
  /** When the order is to be ready for the client («Дата готовности» / «Дата выдачи»), ISO UTC. */
  ready_at: Timestamp | null;
  render_status: string;
  archive_url: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  version: number;
}

export interface OrderItemsTable {
  id: Id;
  order_id: number;
  position: number;
  product_id: number | null;
  name: string;
  quantity: number;
  unit_price: number;
  total: number;
  /** JSON: Record<string, string | number | boolean> — parameters the client chose. */
  parameters: JsonText;
}

export interface OrderCommentsTable {
  id: Id;
  order_id: number;
  author: string;
  text: string;
  created_at: Timestamp;
}

export interface OrderStatusHistoryTable {
  id: Id;
  order_id: number;
  from_status: string | null;
  to_status: string;
  /** Who made the change, as a label for people (a staff member's name, «Битрикс24»). */
  changed_by: string | null;
  changed_at: Timestamp;
  /** JSON: the `Origin` of the change (migration 005); null on older rows. */
  origin: JsonText | null;
}

/** Every change integrations care about, written in the transaction of the change. */
export interface DomainEventsTable {
  id: Id;
  type: string;
  entity_type: string;
  entity_id: number;
  payload: JsonText;
  occurred_at: Timestamp;
  /** JSON: the `Origin` of the change (migration 005); null on older rows. */
  origin: ColumnType<JsonText | null, JsonText | null | undefined, JsonText | null>;
}

export interface SettingsTable {
  integration: string;
  version: number;
  data: JsonText;
  created_at: Timestamp;
  created_by: string | null;
  /** The integration's on/off toggle as of this version (migration 003). */
  enabled: ColumnType<Flag, Flag | undefined, Flag>;
}

export interface SyncLogTable {
  id: Id;
  entity_type: string;
  entity_id: number;
  system: string;
  operation: string;
  outcome: string;
  request: JsonText | null;
  response: JsonText | null;
  external_id: string | null;
  error: string | null;
  duration_ms: number | null;
  job_id: string | null;
  created_at: Timestamp;
}

export interface IdempotencyKeysTable {
  scope: string;
  key: string;
  request_hash: string;
  status_code: ColumnType<number | null, number | null, number | null>;
  response_body: JsonText | null;
  created_at: Timestamp;
}

export interface Database {
  api_tokens: ApiTokensTable;
  persons: PersonsTable;
  organizations: OrganizationsTable;
  external_links: ExternalLinksTable;
  categories: CategoriesTable;
  products: ProductsTable;
  orders: OrdersTable;
  order_items: OrderItemsTable;
  order_comments: OrderCommentsTable;
  order_status_history: OrderStatusHistoryTable;
  domain_events: DomainEventsTable;
  settings: SettingsTable;
  sync_log: SyncLogTable;
  idempotency_keys: IdempotencyKeysTable;
  jobs: JobsTable;
  users: UsersTable;
  sessions: SessionsTable;
  login_throttle: LoginThrottleTable;
  schedules: SchedulesTable;
  integration_alerts: IntegrationAlertsTable;
  rate_buckets: RateBucketsTable;
  integration_state: IntegrationStateTable;
  inbound_events: InboundEventsTable;
  integration_records: IntegrationRecordsTable;
  widget_sites: WidgetSitesTable;
  calculator_quotes: CalculatorQuotesTable;
  calculator_files: CalculatorFilesTable;
  order_quotes: OrderQuotesTable;
}

/** Sites that embed the calculator widget (migration 011). */
export interface WidgetSitesTable {
  id: Id;
  name: string;
  /** Public: it sits in the shop's page. It names the site; the origins are what protect it. */
  key: string;
  /** JSON array of origins, `https://shop.example`. */
  origins: JsonText;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** Quotes issued to the widget, kept for orders to refer to. */
export interface CalculatorQuotesTable {
  id: string;
  product_id: number;
  site_id: number | null;
  quantity: number;
  /** The whole quote as answered (calculator/quotes.ts ProductQuote), JSON. */
  data: JsonText;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface CalculatorFilesTable {
  id: string;
  quote_id: string;
  name: string;
  content_type: string;
  size: number;
  content: Buffer;
  created_at: Timestamp;
}

export interface OrderQuotesTable {
  order_id: number;
  /** The line's position (1-based), as order_items.position. */
  position: number;
  quote_id: string;
}

export type PersonRow = Selectable<PersonsTable>;
export type NewPersonRow = Insertable<PersonsTable>;
export type PersonRowUpdate = Updateable<PersonsTable>;
export type OrganizationRow = Selectable<OrganizationsTable>;
export type CategoryRow = Selectable<CategoriesTable>;
export type ProductRow = Selectable<ProductsTable>;
export type OrderRow = Selectable<OrdersTable>;
export type OrderItemRow = Selectable<OrderItemsTable>;
export type OrderCommentRow = Selectable<OrderCommentsTable>;
export type SyncLogRow = Selectable<SyncLogTable>;

/** The embedded (SQLite) job queue; see src/jobs/sqlite.driver.ts. */
export interface JobsTable {
  id: Id;
  name: string;
  /** Collapse key; unique among pending jobs of one name. */
  key: string | null;
  payload: JsonText;
  /** pending | retrying | active | completed | dead */
  state: string;
  attempts: number;
  max_attempts: number;
  run_at: Timestamp;
  /** Lease: which worker holds the job and until when. */
  locked_by: string | null;
  locked_until: Timestamp | null;
  last_error: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  started_at: Timestamp | null;
  completed_at: Timestamp | null;
  failed_at: Timestamp | null;
}

/** Staff accounts of the admin panel (src/store/users.ts). */
export interface UsersTable {
  id: Id;
  login: string;
  /** `scrypt$N$r$p$salt$hash`, base64url parts; see src/auth/passwords.ts. */
  password_hash: string;
  display_name: string;
  /** admin | manager */
  role: string;
  disabled: ColumnType<Flag, Flag | undefined, Flag>;
  created_at: Timestamp;
}

/** Staff sessions; `id` is the SHA-256 of the cookie value. */
export interface SessionsTable {
  id: string;
  user_id: number;
  csrf_token: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  last_seen_at: Timestamp;
}

/** Failed-login counters per `login:<login>` and `ip:<address>`. */
export interface LoginThrottleTable {
  key: string;
  failures: number;
  /** Meaningful only while `failures` > 0. */
  last_failure_at: Timestamp;
  blocked_until: Timestamp | null;
  /** Attempts reserved and still being checked (src/auth/login-throttle.ts). */
  pending: ColumnType<number, number | undefined, number>;
  /** When the latest reservation lapses and the unsettled ones count as failures. */
  reserved_until: ColumnType<Timestamp | null, Timestamp | null | undefined, Timestamp | null>;
  /** Attempts came without waiting for answers: each refused one extends the wait. */
  burst: ColumnType<Flag, Flag | undefined, Flag>;
}

/** When each recurring job last fired (src/platform/scheduler.ts). */
export interface SchedulesTable {
  /** The schedule's job name, e.g. `bitrix24.reconcile`. */
  name: string;
  last_fired_at: Timestamp | null;
  last_job_id: string | null;
  updated_at: Timestamp;
}

/** An integration parked because its system refused the credentials (src/store/integration-alerts.ts). */
export interface IntegrationAlertsTable {
  integration: string;
  /** `credentials` | `permission` | `misconfigured` */
  kind: string;
  message: string;
  job_name: string | null;
  raised_at: Timestamp;
}

/** A leaky bucket of a remote system's request limit, shared by every process (src/store/rate-bucket.ts). */
export interface RateBucketsTable {
  /** e.g. `bitrix24:https://shop.bitrix24.ru`. */
  key: string;
  /** Requests counted and not yet drained, as of `at_ms`; may exceed the burst (reserved slots). */
  level: number;
  /** Milliseconds since the epoch (bigint: PostgreSQL returns it as a string). */
  at_ms: ColumnType<number | string, number, number>;
}

/** What an integration remembers about one entity (src/store/integration-state.ts). */
export interface IntegrationStateTable {
  system: string;
  entity_type: string;
  entity_id: number;
  state: JsonText;
  updated_at: Timestamp;
}

/** A document an integration keeps about a thing of the other system (src/store/integration-records.ts). */
export interface IntegrationRecordsTable {
  system: string;
  kind: string;
  key: string;
  data: JsonText;
  updated_at: Timestamp;
  missing_since: Timestamp | null;
}

/** An event another system sent (src/store/inbound-events.ts). */
export interface InboundEventsTable {
  id: Id;
  system: string;
  /** The sender's identity of the event (Bitrix24: event, id and `ts`): a second delivery is dropped. */
  dedupe_key: string;
  /** e.g. `ONCRMDEALUPDATE`. */
  event: string;
  /** `deal`, `contact`, `company`, `lead`, `product`. */
  entity_kind: string;
  external_id: string;
  received_at: Timestamp;
  /** `pending`, then `applied` | `echo` | `stale` | `ignored` | `failed`. */
  state: string;
  settled_at: Timestamp | null;
  note: string | null;
}
