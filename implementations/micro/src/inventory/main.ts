import { seedIfNeeded } from '../lib/mongo.js';
import { runService, type ServiceFactory } from '../lib/service.js';
import { inventoryRoutes } from './api.js';
import { COLLECTIONS, InventoryStore } from './store.js';

/** The inventory service, for its own process (startInventory) or a composed one (@lab/microlith). */
export const inventoryService: ServiceFactory = async (cfg, store) => {
  const inventory = new InventoryStore(store.db, store.locks);
  const seed = () => seedIfNeeded(store.db, cfg.lab, COLLECTIONS, (d) => inventory.load(d, cfg.insertBatch));
  const outcome = await seed();
  await inventory.ensureIndexes();
  return {
    routes: inventoryRoutes(inventory),
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
