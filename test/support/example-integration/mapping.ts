import type { Organization, Person } from '../../../src/domain/clients.js';
import type { OrderStatus } from '../../../src/domain/order-status.js';
import type { Order } from '../../../src/domain/orders.js';

/** Our id as the other system keeps it, to find what an attempt made before it crashed. */
export function originOf(entityType: 'person' | 'organization' | 'order', id: number): string {
  return `printsync:${entityType}:${id}`;
}

export function contactFields(person: Person): Record<string, unknown> {
  return { name: person.fullName, phones: person.phones.map((p) => p.e164), emails: person.emails };
}

export function companyFields(organization: Organization): Record<string, unknown> {
  return { title: organization.title, inn: organization.inn };
}

export function dealFields(order: Order, links: { contactId: string | null; companyId: string | null }, stage: string | null): Record<string, unknown> {
  return { title: `Заказ ${order.number}`, amount: order.totals.total, contactId: links.contactId, companyId: links.companyId, stage: stage ?? 'NEW' };
}

/** A deal's stage in the other system → the order's status here; null: not ours to follow. */
export function statusForStage(stage: string): OrderStatus | null {
  return ({ WON: 'Printed', LOSE: 'Cancelled' } as Record<string, OrderStatus>)[stage] ?? null;
}
