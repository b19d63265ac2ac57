import { ContractError, errors } from '@lab/contract';
import type { ProcessConfig } from '../lib/config.js';
import { runService, type ServiceFactory } from '../lib/service.js';
import { startSweep } from '../lib/sweep.js';
import { makeUpstreams, type Upstream } from '../lib/upstream.js';
import { ordersRoutes } from './api.js';
import { type OrdersDeps, OrdersStore } from './store.js';

const SWEEP_EVERY_MS = 10_000;

/** The saga's ports and how to release them. */
export interface OrdersBackend {
  deps: Omit<OrdersDeps, 'log'>;
  /** For the start-up line. */
  banner: string;
  close(): Promise<void>;
}

/** The saga's ports over HTTP: pricing and inventory's internal APIs, one undici Pool each. */
export function httpOrdersBackend(cfg: ProcessConfig): OrdersBackend {
  const up = makeUpstreams(['pricing', 'inventory'] as const, cfg.urls, cfg.upstream);
  // inventory moves stock only for holders of the lab's token (inventory/api.ts).
  const headers = { 'x-lab-token': cfg.lab.adminToken };
  const post = (u: Upstream, path: string) => u.call(path, { method: 'POST', headers });
  return {
    deps: {
      pricing: {
        unitPrice: async (productId, deadline) =>
          (
            await up.pricing.getJson<{ amount: number }>(
              `/prices/${productId}`,
              undefined,
              () => new ContractError(errors.productNotFound()),
              deadline,
            )
          ).amount,
      },
      inventory: {
        reserve: (id, items, deadline) =>
          up.inventory.call(`/reservations/${id}`, {
            method: 'POST',
            headers,
            deadline,
            body: JSON.stringify({ items }),
          }),
        commit: (id) => post(up.inventory, `/reservations/${id}/commit`),
        release: (id) => post(up.inventory, `/reservations/${id}/release`),
      },
    },
    banner: `pricing ${cfg.urls.pricing}, inventory ${cfg.urls.inventory}, timeout ${cfg.upstream.timeoutMs} ms`,
    close: async () => {
      await Promise.all([up.pricing.close(), up.inventory.close()]);
    },
  };
}

/** The orders service over any backend for its saga (HTTP here; in-process calls in @lab/microlith). */
export function ordersService(backend: (cfg: ProcessConfig) => OrdersBackend): ServiceFactory {
  return async (cfg, store, app) => {
    const b = backend(cfg);
    const orders = new OrdersStore(store.db, store.locks, { ...b.deps, log: app.log });
    await orders.ensureIndexes();
    // A saga step is bounded by the upstream timeout; a claim older than 12 of them is an interrupted checkout.
    const staleMs = Math.max(60_000, cfg.upstream.timeoutMs * 12);
    const stopSweep = startSweep(
      () => orders.recover(staleMs),
      SWEEP_EVERY_MS,
      (e) => app.log.warn({ err: e.message }, 'recovery sweep failed'),
    );
    return {
      routes: ordersRoutes(orders),
      reset: () => orders.reset(),
      banner: b.banner,
      close: async () => {
        stopSweep();
        await b.close();
      },
    };
  };
}

export function startOrders(): Promise<void> {
  return runService('orders', ordersService(httpOrdersBackend));
}
