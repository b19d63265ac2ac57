import { runService } from '../lib/service.js';
import { makeUpstreams } from '../lib/upstream.js';
import { ordersRoutes } from './api.js';
import { OrdersStore } from './store.js';

const SWEEP_EVERY_MS = 10_000;

export function startOrders(): Promise<void> {
  return runService('orders', async (cfg, store, app) => {
    const up = makeUpstreams(['pricing', 'inventory'] as const, cfg.urls, cfg.upstream);
    const orders = new OrdersStore(store.db, store.locks, { ...up, log: app.log, token: cfg.lab.adminToken });
    await orders.ensureIndexes();
    // A saga step is bounded by the upstream timeout; a claim older than 12 of them is an interrupted checkout.
    const staleMs = Math.max(60_000, cfg.upstream.timeoutMs * 12);
    let sweeping = false;
    const sweep = () => {
      if (sweeping) return;
      sweeping = true;
      orders
        .recover(staleMs)
        .catch((e: unknown) => app.log.warn({ err: (e as Error).message }, 'recovery sweep failed'))
        .finally(() => {
          sweeping = false;
        });
    };
    const timer = setInterval(sweep, SWEEP_EVERY_MS);
    timer.unref();
    return {
      routes: ordersRoutes(orders),
      reset: () => orders.reset(),
      banner: `pricing ${cfg.urls.pricing}, inventory ${cfg.urls.inventory}, timeout ${cfg.upstream.timeoutMs} ms`,
      close: async () => {
        clearInterval(timer);
        await Promise.all([up.pricing.close(), up.inventory.close()]);
      },
    };
  });
}
