// The micro target as a library: each service's data layer and handlers (plain functions, independent of
// Fastify), the BFF's page composition over typed ports, and the process entry points.
export { type Bff, createBff } from './bff/app.js';
export { startBff } from './bff/main.js';
export { Pages } from './bff/pages.js';
export { httpPorts, type Ports } from './bff/ports.js';
export { catalogRoutes } from './catalog/api.js';
export { startCatalog } from './catalog/main.js';
export { CatalogStore } from './catalog/store.js';
export { inventoryRoutes } from './inventory/api.js';
export { startInventory } from './inventory/main.js';
export { InventoryStore } from './inventory/store.js';
export { type ProcessConfig, readConfig, SERVICES, type ServiceName, TARGET } from './lib/config.js';
export { KeyedLock, updateIf } from './lib/locks.js';
export { connectStore, seedIfNeeded } from './lib/mongo.js';
export { Hops, Upstream } from './lib/upstream.js';
export { ordersRoutes } from './orders/api.js';
export { startOrders } from './orders/main.js';
export { OrdersStore } from './orders/store.js';
export { pricingRoutes } from './pricing/api.js';
export { startPricing } from './pricing/main.js';
export { PricingStore } from './pricing/store.js';
export { reviewsRoutes } from './reviews/api.js';
export { startReviews } from './reviews/main.js';
export { ReviewsStore } from './reviews/store.js';
