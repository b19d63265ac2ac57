import { seedIfNeeded } from '../lib/mongo.js';
import { runService, type ServiceFactory } from '../lib/service.js';
import { pricingRoutes } from './api.js';
import { COLLECTIONS, PricingStore } from './store.js';

/** The pricing service, for its own process (startPricing) or a composed one (@lab/microlith). */
export const pricingService: ServiceFactory = async (cfg, store) => {
  const pricing = new PricingStore(store.db);
  const seed = () => seedIfNeeded(store.db, cfg.lab, COLLECTIONS, (d) => pricing.load(d, cfg.insertBatch));
  const outcome = await seed();
  await pricing.ensureIndexes();
  return {
    routes: pricingRoutes(pricing),
    // Prices never change under the contract: reset only re-seeds a database that lost its data.
    reset: async () => {
      await seed();
    },
    banner: outcome.seeded ? `seeded in ${outcome.ms} ms` : 'already seeded',
  };
};

export function startPricing(): Promise<void> {
  return runService('pricing', pricingService);
}
