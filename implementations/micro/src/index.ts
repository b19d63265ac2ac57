// The micro target as a library: each service's data layer and handlers (plain functions, independent of
// Fastify), the BFF's page composition over typed ports, and the process entry points.
export { type Backend, type Bff, type BffOptions, createBff, httpBackend } from './bff/app.js';
export { startBff } from './bff/main.js';
export { Pages } from './bff/pages.js';
export {
  type CatalogPort,
  httpPorts,
  type InventoryPort,
  type OrdersPort,
  type Ports,
  type PricingPort,
  type ReviewsPort,
} from './bff/ports.js';
export { catalogRoutes } from './catalog/api.js';
export { catalogService, startCatalog } from './catalog/main.js';
export { CatalogStore } from './catalog/store.js';
export { inventoryRoutes } from './inventory/api.js';
export { inventoryService, startInventory } from './inventory/main.js';
export { InventoryStore } from './inventory/store.js';
export {
  ConfigError,
  type ProcessConfig,
  readConfig,
  SERVICES,
  type ServiceName,
  TARGET,
} from './lib/config.js';
export { KeyedLock, updateIf } from './lib/locks.js';
export {
  createApp,
  listenAndServe,
  type Reply,
  type RouteDef,
  type RouteInput,
  type ServerParts,
} from './lib/http.js';
export { connectStore, seedIfNeeded, type Store } from './lib/mongo.js';
export { type ServiceFactory, type ServiceParts } from './lib/service.js';
export { Hops, Upstream, type UpstreamResponse } from './lib/upstream.js';
export { ordersRoutes } from './orders/api.js';
export { httpOrdersBackend, type OrdersBackend, ordersService, startOrders } from './orders/main.js';
export { OrdersStore } from './orders/store.js';
export { pricingRoutes } from './pricing/api.js';
export { pricingService, startPricing } from './pricing/main.js';
export { PricingStore } from './pricing/store.js';
export { reviewsRoutes } from './reviews/api.js';
export { reviewsService, startReviews } from './reviews/main.js';
export { ReviewsStore } from './reviews/store.js';
