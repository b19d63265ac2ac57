export * from './catalog.js';
export * from './client-error.js';
export * from './config.js';
export * from './dataset/generate.js';
export { Prng } from './dataset/prng.js';
export * from './errors.js';
export * from './oracle.js';
export * from './routes.js';
export * as shape from './shapes.js';
export {
  COMPARATORS,
  compareCategoriesByName,
  compareReviewsNewestFirst,
  FEATURED_COUNT,
  PRODUCT_PAGE_REVIEWS,
  ratingAverage,
  type SortKey,
} from './shapes.js';
export * from './spec.js';
export type * from './types.js';
export * from './validation.js';
