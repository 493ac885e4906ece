/** The API's shapes as the panel uses them (see /docs for the full OpenAPI description). */
export type ExternalIds = Record<string, Record<string, string>>;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface OrderStatusInfo {
  code: string;
  id: number;
  alias: string;
  ru: string;
  en: string;
  settable: boolean;
}

export interface OrderItem {
  id: number;
  position: number;
  productId: number | null;
  name: string;
  quantity: number;
  unitPrice: number;
  total: number;
  parameters: Record<string, string | number | boolean>;
}

export interface OrderSummary {
  id: number;
  number: string;
  site: string | null;
  source: string;
  status: string;
  personId: number | null;
  organizationId: number | null;
  items: OrderItem[];
  delivery: { method: string; address: string | null; recipient: string | null; price: number } | null;
  payment: { status: string; method: string | null };
  currency: string;
  totals: { items: number; delivery: number; discount: number; total: number };
  manager: string | null;
  comment: string | null;
  render: { status: string; archiveUrl: string | null };
  externalIds: ExternalIds;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface Order extends OrderSummary {
  comments: Array<{ id: number; author: string; text: string; createdAt: string }>;
  statusHistory: Array<{ from: string | null; to: string; changedBy: string | null; changedAt: string }>;
}

export interface Person {
  id: number;
  lastName: string | null;
  firstName: string | null;
  middleName: string | null;
  fullName: string;
  phones: Array<{ e164: string; extension: string | null }>;
  emails: string[];
  isGuest: boolean;
  organizationId: number | null;
  externalIds: ExternalIds;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface Organization {
  id: number;
  title: string;
  inn: string | null;
  kpp: string | null;
  companyType: string | null;
  externalIds: ExternalIds;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export type Tiers =
  | { mode: 'presets'; presets: Array<{ quantity: number; price: number }> }
  | { mode: 'range'; min: number; max: number; step: number; prices: Array<{ fromQuantity: number; unitPrice: number }> };

export interface Category {
  id: number;
  name: string;
  parentId: number | null;
  calculatorEngine: 'builtin' | 'asystem' | 'axiom' | 'poly1c';
  calculatorEngineLabel: string;
  calculatorPrimary: boolean;
  version: number;
}

export interface Product {
  id: number;
  categoryId: number | null;
  name: string;
  sku: string | null;
  description: string | null;
  currency: string;
  tiers: Tiers;
  version: number;
}

export interface Session {
  user: { id: number; login: string; displayName: string; role: 'admin' | 'manager' };
  csrfToken: string;
  expiresAt: string;
}

export interface Job {
  id: string;
  name: string;
  key: string | null;
  state: 'pending' | 'retrying' | 'active' | 'completed' | 'dead';
  payload: Record<string, unknown>;
  attempts: number;
  maxAttempts: number;
  runAt: string;
  lastError: string | null;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  failedAt: string | null;
}

export interface JobStats {
  name: string;
  pending: number;
  retrying: number;
  active: number;
  completed: number;
  dead: number;
}

/** One system's state for one order (GET /orders/:id/sync). */
export interface SystemSyncState {
  system: string;
  state: 'ok' | 'error' | 'skipped' | 'never';
  attempts: number;
  lastAttemptAt: string | null;
  lastOperation: string | null;
  lastError: string | null;
  lastSuccessAt: string | null;
  externalId: string | null;
  canResend?: boolean;
}
