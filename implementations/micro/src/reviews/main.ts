import { seedIfNeeded } from '../lib/mongo.js';
import { runService, type ServiceFactory } from '../lib/service.js';
import { reviewsRoutes } from './api.js';
import { COLLECTIONS, ReviewsStore } from './store.js';

/** The reviews service, for its own process (startReviews) or a composed one (@lab/microlith). */
export const reviewsService: ServiceFactory = async (cfg, store) => {
  const reviews = new ReviewsStore(store.db);
  const seed = () => seedIfNeeded(store.db, cfg.lab, COLLECTIONS, (d) => reviews.load(d, cfg.insertBatch));
  const outcome = await seed();
  await reviews.ensureIndexes();
  return {
    routes: reviewsRoutes(reviews),
    // Reviews never change under the contract: reset only re-seeds a database that lost its data.
    reset: async () => {
      if ((await seed()).seeded) await reviews.ensureIndexes();
    },
    banner: outcome.seeded ? `seeded in ${outcome.ms} ms` : 'already seeded',
  };
};

export function startReviews(): Promise<void> {
  return runService('reviews', reviewsService);
}
