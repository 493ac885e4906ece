import type { AppServices } from '../app.js';
import { seedCatalog } from './catalog-seed.js';
import { seedClients } from './clients-seed.js';
import { seedOrders } from './orders-seed.js';

export interface DemoSummary {
  categories: number;
  products: number;
  persons: number;
  organizations: number;
  orders: number;
}

/** Fills a fresh database with a print shop's catalog, clients and orders. */
export async function seedDemo(services: AppServices): Promise<DemoSummary> {
  const { stores } = services;
  const catalog = await seedCatalog(stores);
  const clients = await seedClients(stores);
  const products = Object.values(catalog.products);
  const orders = await seedOrders(services.database.db, stores.orders, clients, products);
  return {
    categories: Object.keys(catalog.categories).length,
    products: products.length,
    persons: clients.persons.length + clients.organizations.reduce((n, o) => n + o.employees.length, 0),
    organizations: clients.organizations.length,
    orders: orders.length,
  };
}
