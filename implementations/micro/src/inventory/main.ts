import { seedIfNeeded } from '../lib/mongo.js';
import { runService, type ServiceFactory } from '../lib/service.js';
import { startSweep } from '../lib/sweep.js';
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
  const stopSweep = startSweep(
    () => inventory.expireStale(staleMs),
    Math.min(SWEEP_EVERY_MS, staleMs),
    (e) => app.log.warn({ err: e.message }, 'reservation expiry failed'),
  );
  return {
    routes: inventoryRoutes(inventory, Buffer.from(cfg.lab.adminToken)),
    close: async () => stopSweep(),
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
