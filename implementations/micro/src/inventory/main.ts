import { seedIfNeeded } from '../lib/mongo.js';
import { runService, type ServiceFactory } from '../lib/service.js';
import { inventoryRoutes } from './api.js';
import { COLLECTIONS, InventoryStore } from './store.js';

/** How often stale reservations are looked for. */
const SWEEP_EVERY_MS = 10_000;

/** The inventory service, for its own process (startInventory) or a composed one (@lab/microlith). */
export const inventoryService: ServiceFactory = async (cfg, store, app) => {
  const inventory = new InventoryStore(store.db, store.locks);
  const seed = () => seedIfNeeded(store.db, cfg.lab, COLLECTIONS, (d) => inventory.load(d, cfg.insertBatch));
  const outcome = await seed();
  await inventory.ensureIndexes();
  // A reserve call is bounded by its caller's deadline (the upstream timeout); pending 12 of them is a dead one.
  // LAB_RESERVATION_STALE_MS overrides it (tests).
  const staleMs =
    Number(process.env['LAB_RESERVATION_STALE_MS']) || Math.max(60_000, cfg.upstream.timeoutMs * 12);
  let sweeping = false;
  const sweep = () => {
    if (sweeping) return;
    sweeping = true;
    inventory
      .expireStale(staleMs)
      .catch((e: unknown) => app.log.warn({ err: (e as Error).message }, 'reservation expiry failed'))
      .finally(() => {
        sweeping = false;
      });
  };
  const timer = setInterval(sweep, Math.min(SWEEP_EVERY_MS, staleMs));
  timer.unref();
  return {
    routes: inventoryRoutes(inventory, Buffer.from(cfg.lab.adminToken)),
    close: async () => clearInterval(timer),
    reset: async () => {
      if ((await seed()).seeded) await inventory.ensureIndexes();
      else await inventory.reset();
    },
    banner: outcome.seeded ? `seeded in ${outcome.ms} ms` : 'already seeded',
  };
};

export function startInventory(): Promise<void> {
  return runService('inventory', inventoryService);
}
