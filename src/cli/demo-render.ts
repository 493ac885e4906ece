import type { AppServices } from '../app.js';

/**
 * The demo's print-file renderer. In a shop, a renderer reports each new order's files
 * (`POST /orders/{id}/render`), and the ERPs may take the order only then («Автоматически
 * отправлять заказы … после рендера»). Nothing renders in the demo, so this stands in: a few
 * seconds after an order is placed, its files are reported ready, with a placeholder archive
 * link. Orders from before the demo started are left as the seed made them.
 */
export interface DemoRenderer {
  stop(): Promise<void>;
}

const EVERY_MS = 2_000;
/** How long a new order waits «В очереди» before its files are «Готово». */
const RENDER_TAKES_MS = 5_000;

export function startDemoRenderer(services: AppServices, options: { everyMs?: number; takesMs?: number } = {}): DemoRenderer {
  const startedAt = new Date().toISOString();
  let running: Promise<void> = Promise.resolve();
  const render = () => {
    running = (async () => {
      try {
        const readyBefore = new Date(Date.now() - (options.takesMs ?? RENDER_TAKES_MS)).toISOString();
        const due = await services.database.db
          .selectFrom('orders')
          .select(['id', 'number'])
          .where('render_status', '=', 'pending')
          .where('created_at', '>=', startedAt)
          .where('created_at', '<=', readyBefore)
          .limit(20)
          .execute();
        for (const order of due) {
          await services.stores.orders.reportRender(order.id, { status: 'ready', archiveUrl: `https://files.example.ru/demo/${encodeURIComponent(order.number)}.zip` });
        }
      } catch (error) {
        services.logger.warn({ err: error }, 'demo renderer failed');
      }
    })();
  };
  const timer = setInterval(render, options.everyMs ?? EVERY_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
