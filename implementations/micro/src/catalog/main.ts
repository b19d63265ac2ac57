import { seedIfNeeded } from '../lib/mongo.js';
import { runService, type ServiceFactory } from '../lib/service.js';
import { catalogRoutes } from './api.js';
import { CatalogStore, COLLECTIONS } from './store.js';

/** The catalog service, for its own process (startCatalog) or a composed one (@lab/microlith). */
export const catalogService: ServiceFactory = async (cfg, store) => {
  const catalog = new CatalogStore(store.db);
  const seed = () => seedIfNeeded(store.db, cfg.lab, COLLECTIONS, (d) => catalog.load(d, cfg.insertBatch));
  const outcome = await seed();
  await catalog.ensureIndexes();
  return {
    routes: catalogRoutes(catalog),
    // Catalog data never changes under the contract: reset only re-seeds a database that lost its data.
    reset: async () => {
      if ((await seed()).seeded) await catalog.ensureIndexes();
    },
    banner: outcome.seeded ? `seeded in ${outcome.ms} ms` : 'already seeded',
  };
};

export function startCatalog(): Promise<void> {
  return runService('catalog', catalogService);
}
