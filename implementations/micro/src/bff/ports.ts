import { ContractError, errors, type Review, type Sort } from '@lab/contract';
import type { ServiceName } from '../lib/config.js';
import type { Hops, Upstream, UpstreamResponse } from '../lib/upstream.js';

// The BFF's view of each service, as typed ports. The HTTP adapters below are what runs; a composed
// single-process build would implement the same interfaces by calling the services' handlers directly.

export interface ListingRow {
  id: number;
  name: string;
  categoryId: number;
  image: string;
}

export interface CategoryView {
  id: number;
  slug: string;
  name: string;
  productCount: number;
}

export interface ProductView extends ListingRow {
  description: string;
  category: { id: number; slug: string; name: string };
}

export interface PriceView {
  amount: number;
  currency: 'USD';
  compareAt: number | null;
}

export interface RatingView {
  count: number;
  sum: number;
}

export type ReviewView = Review;

export interface CatalogPort {
  home(h: Hops): Promise<{ categories: CategoryView[]; featured: ListingRow[] }>;
  categoryPage(
    slug: string,
    page: number,
    pageSize: number,
    sort: Sort,
    h: Hops,
  ): Promise<{ category: CategoryView; total: number; products: ListingRow[] } | null>;
  search(
    tokens: readonly string[],
    limit: number,
    h: Hops,
  ): Promise<{ total: number; products: ListingRow[] }>;
  product(id: number, h: Hops): Promise<ProductView | null>;
}

export interface PricingPort {
  prices(ids: readonly number[], h: Hops): Promise<(PriceView | null)[]>;
  price(id: number, h: Hops): Promise<PriceView | null>;
}

export interface InventoryPort {
  available(ids: readonly number[], h: Hops): Promise<(number | null)[]>;
  availableOne(id: number, h: Hops): Promise<number | null>;
}

export interface ReviewsPort {
  ratings(ids: readonly number[], h: Hops): Promise<(RatingView | null)[]>;
  productReviews(id: number, h: Hops): Promise<{ count: number; sum: number; recent: ReviewView[] } | null>;
}

/** Carts and orders: the service answers contract bodies, which the BFF forwards as they are. */
export interface OrdersPort {
  createCart(h: Hops): Promise<UpstreamResponse>;
  getCart(id: string, h: Hops): Promise<UpstreamResponse>;
  addItem(id: string, productId: number, quantity: number, h: Hops): Promise<UpstreamResponse>;
  checkout(id: string, h: Hops): Promise<UpstreamResponse>;
}

export interface Ports {
  catalog: CatalogPort;
  pricing: PricingPort;
  inventory: InventoryPort;
  reviews: ReviewsPort;
  orders: OrdersPort;
  /** POST /internal/reset on every service, in parallel. */
  resetAll(token: string, h: Hops): Promise<void>;
}

const ids = (list: readonly number[]) => list.join(',');

/** GET returning JSON for 200, null for 404, and the contract error otherwise. */
async function getOrNull<T>(u: Upstream, path: string, h: Hops): Promise<T | null> {
  const r = await u.call(path, { hops: h });
  if (r.status === 200) return JSON.parse(r.text) as T;
  if (r.status === 404) return null;
  throw u.unexpected(r);
}

/** Forwards a contract answer (2xx or a contract error body); anything else means the service misbehaved. */
function passthrough(u: Upstream, r: UpstreamResponse): UpstreamResponse {
  if (r.status < 300 || r.text.startsWith('{"error":{"code":"')) return r;
  throw u.unexpected(r);
}

export function httpPorts(up: Record<ServiceName, Upstream>): Ports {
  const { catalog, pricing, inventory, reviews, orders } = up;
  return {
    catalog: {
      home: (h) => catalog.getJson('/home', h),
      categoryPage: (slug, page, pageSize, sort, h) =>
        getOrNull(
          catalog,
          `/categories/${encodeURIComponent(slug)}/products?page=${page}&pageSize=${pageSize}&sort=${sort}`,
          h,
        ),
      search: (tokens, limit, h) => catalog.getJson(`/search?tokens=${tokens.join(',')}&limit=${limit}`, h),
      product: (id, h) => getOrNull(catalog, `/products/${id}`, h),
    },
    pricing: {
      prices: async (list, h) =>
        (await pricing.getJson<{ prices: (PriceView | null)[] }>(`/prices?ids=${ids(list)}`, h)).prices,
      price: (id, h) => getOrNull(pricing, `/prices/${id}`, h),
    },
    inventory: {
      available: async (list, h) =>
        (await inventory.getJson<{ available: (number | null)[] }>(`/stock?ids=${ids(list)}`, h)).available,
      availableOne: async (id, h) =>
        (await getOrNull<{ available: number }>(inventory, `/stock/${id}`, h))?.available ?? null,
    },
    reviews: {
      ratings: async (list, h) =>
        (await reviews.getJson<{ ratings: (RatingView | null)[] }>(`/ratings?ids=${ids(list)}`, h)).ratings,
      productReviews: (id, h) => getOrNull(reviews, `/products/${id}/reviews`, h),
    },
    orders: {
      createCart: async (h) => passthrough(orders, await orders.call('/carts', { method: 'POST', hops: h })),
      getCart: async (id, h) =>
        passthrough(orders, await orders.call(`/carts/${encodeURIComponent(id)}`, { hops: h })),
      addItem: async (id, productId, quantity, h) =>
        passthrough(
          orders,
          await orders.call(`/carts/${encodeURIComponent(id)}/items`, {
            method: 'POST',
            body: JSON.stringify({ productId, quantity }),
            hops: h,
          }),
        ),
      checkout: async (id, h) =>
        passthrough(
          orders,
          await orders.call(`/carts/${encodeURIComponent(id)}/checkout`, { method: 'POST', hops: h }),
        ),
    },
    async resetAll(token, h) {
      await Promise.all(
        Object.values(up).map(async (u) => {
          const r = await u.call('/internal/reset', {
            method: 'POST',
            headers: { 'x-lab-token': token },
            hops: h,
            maxMs: RESET_TIMEOUT_MS,
          });
          if (r.status !== 204) throw u.unexpected(r);
        }),
      );
    },
  };
}

/**
 * The admin reset is not a page: it runs between benchmark runs, when the services may still be draining the
 * previous run's backlog, so it gets a minute rather than a page's deadline (UPSTREAM_TIMEOUT_MS).
 */
export const RESET_TIMEOUT_MS = 60_000;

/** A service answered without data it owns for an id another service knows: treat it as unavailable. */
export function missing(service: ServiceName): ContractError {
  return new ContractError(errors.serviceUnavailable(service));
}
