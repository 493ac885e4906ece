import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { demoShopPage } from './demo-shop-page.js';
import type { DemoShopProduct } from './demo-shop-page.js';

/**
 * The demo's sample shop: a print shop's page on its own port — another origin than printsync, as
 * a shop's site would be — with the calculator widget for a few demo products. The demo registers
 * it as a widget site (its public key, this origin allowed) through the staff API, as an admin
 * would in the panel, and switches on «В корзину» and the unit price for the categories shown.
 */
export interface DemoShop {
  url: string;
  key: string;
  stop(): Promise<void>;
}

/** The products on the page: two priced by their quantity tiers, one by the ASystem emulator. */
const PRODUCTS: Array<{ name: string; note: string }> = [
  { name: 'Визитки 90×50, 4+4, мелованная 300 г/м²', note: 'Цена по тиражным скидкам printsync (встроенный калькулятор).' },
  { name: 'Фото 10×15', note: 'Цена по тиражным скидкам printsync (встроенный калькулятор).' },
  { name: 'Визитная карточка ASystem', note: 'Цену считает ASystem (эмулятор ERP) по выбранным параметрам.' },
];

export async function startDemoShop(host: string, appUrl: string, token: string): Promise<DemoShop> {
  let page = '';
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://shop').pathname;
    if (path === '/favicon.ico') {
      response.writeHead(204).end();
      return;
    }
    if (request.method !== 'GET' || (path !== '/' && path !== '/index.html')) {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Страница не найдена');
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(page);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  try {
    const { port } = server.address() as AddressInfo;
    const url = `http://${new URL(appUrl).hostname}:${port}`;
    const origins = [url, ...(new URL(url).hostname === '127.0.0.1' ? [`http://localhost:${port}`] : [])];
    const call = apiCaller(appUrl, token);
    const site = await call<{ key: string }>('POST', '/api/v1/widget-sites', { name: 'Демо-магазин «Оттиск»', origins });
    const products: DemoShopProduct[] = [];
    for (const { name, note } of PRODUCTS) {
      const found = await call<{ items: Array<{ id: number; name: string; categoryId: number }> }>('GET', `/api/v1/products?search=${encodeURIComponent(name)}`);
      const product = found.items.find((item) => item.name === name);
      if (product) products.push({ id: product.id, categoryId: product.categoryId, name, note });
    }
    for (const categoryId of new Set(products.map((p) => p.categoryId))) {
      await call('PATCH', `/api/v1/categories/${categoryId}`, { widget: { addToCart: true, unitPrice: true } });
    }
    page = demoShopPage(appUrl, site.key, products);
    return { url, key: site.key, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function apiCaller(appUrl: string, token: string) {
  return async <T = unknown>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${appUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const answer = (await response.json()) as T & { message?: string };
    if (!response.ok) throw new Error(`demo shop: ${method} ${path} failed (${response.status}): ${answer.message ?? ''}`);
    return answer;
  };
}
