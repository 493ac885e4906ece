/**
 * The API's shapes as the panel uses them (see /docs for the full OpenAPI description): the
 * server's own types, imported as types only (nothing of the server reaches the bundle).
 */
import type { SystemSyncState as StoredSyncState } from '../../src/store/sync-log';
import type { StaffSession } from '../../src/store/sessions';

export type { ExternalIds, Organization, Person } from '../../src/domain/clients';
export type { Order, OrderItem, OrderSummary } from '../../src/domain/orders';
export type { OrderStatusInfo } from '../../src/domain/order-status';
export type { Category, Product, QuantityTiers as Tiers } from '../../src/domain/catalog';
export type { JobNameStats as JobStats, JobView as Job } from '../../src/jobs/driver';
export type { Page } from '../../src/store/pagination';

/** GET/POST /session: the stored session without its `id` (a hash of the cookie, never sent). */
export type Session = Omit<StaffSession, 'id'>;

/** One system's state for one order (GET /orders/:id/sync): the route adds `canResend`. */
export type SystemSyncState = StoredSyncState & { canResend: boolean };
