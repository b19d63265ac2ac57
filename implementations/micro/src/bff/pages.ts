import {
  errors,
  PRODUCT_PAGE_REVIEWS,
  type ProductCard,
  parseAddItemRequest,
  parseCategoryQuery,
  parseProductId,
  parseSearchQuery,
  shape,
} from '@lab/contract';
import type { Hops } from '../lib/upstream.js';
import { type ListingRow, missing, type Ports } from './ports.js';

/** A BFF answer: an object (serialised by the route's schema) or a text forwarded as is. */
export interface Page {
  status: number;
  body?: unknown;
  text?: string;
}

const okPage = (body: unknown): Page => ({ status: 200, body });
const errorPage = (e: { status: number; body: unknown }): Page => ({ status: e.status, body: e.body });

/**
 * The contract's pages composed from the services. Every page costs a fixed number of internal calls whatever
 * its size (no call per product): see docs/implementations/micro.md for the table.
 */
export class Pages {
  constructor(private readonly ports: Ports) {}

  /**
   * Cards for listing rows: prices, stock and rating aggregates in three batch calls, in parallel.
   * Cost: 3 calls (0 for an empty list).
   */
  async cards(rows: readonly ListingRow[], h: Hops): Promise<ProductCard[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const [prices, stock, ratings] = await Promise.all([
      this.ports.pricing.prices(ids, h),
      this.ports.inventory.available(ids, h),
      this.ports.reviews.ratings(ids, h),
    ]);
    const out: ProductCard[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const price = prices[i];
      const available = stock[i];
      const rating = ratings[i];
      if (!price) throw missing('pricing');
      if (available === null || available === undefined) throw missing('inventory');
      if (!rating) throw missing('reviews');
      out[i] = shape.productCard({
        product: rows[i]!,
        price,
        available,
        reviewCount: rating.count,
        ratingSum: rating.sum,
      });
    }
    return out;
  }

  /** catalog /home, then the 8 featured cards: 1 + 3 calls, 2 round trips. */
  async home(h: Hops): Promise<Page> {
    const { categories, featured } = await this.ports.catalog.home(h);
    return okPage(shape.home(categories, await this.cards(featured, h)));
  }

  /** catalog page (sorted by catalog's read model), then the cards: 1 + 3 calls, 2 round trips. */
  async categoryProducts(slug: string, rawQuery: string, h: Hops): Promise<Page> {
    const q = parseCategoryQuery(rawQuery);
    if (!q.ok) return errorPage(errors.badRequest(q.message));
    const { page, pageSize, sort } = q.value;
    const r = await this.ports.catalog.categoryPage(slug, page, pageSize, sort, h);
    if (!r) return errorPage(errors.categoryNotFound());
    return okPage(shape.categoryPage(r.category, page, pageSize, r.total, await this.cards(r.products, h)));
  }

  /** catalog search (ranked by catalog's read model), then the cards: 1 + 3 calls (1 when nothing matches). */
  async search(rawQuery: string, h: Hops): Promise<Page> {
    const q = parseSearchQuery(rawQuery);
    if (!q.ok) return errorPage(errors.badRequest(q.message));
    const r = await this.ports.catalog.search(q.value.tokens, q.value.limit, h);
    return okPage(shape.searchResult(q.value.q, r.total, await this.cards(r.products, h)));
  }

  /** The product page: catalog, pricing, inventory and reviews in parallel: 4 calls, 1 round trip. */
  async product(rawId: string, h: Hops): Promise<Page> {
    const id = parseProductId(rawId);
    if (id === null) return errorPage(errors.productNotFound());
    const [product, price, available, reviews] = await Promise.all([
      this.ports.catalog.product(id, h),
      this.ports.pricing.price(id, h),
      this.ports.inventory.availableOne(id, h),
      this.ports.reviews.productReviews(id, h),
    ]);
    if (!product) return errorPage(errors.productNotFound());
    if (!price) throw missing('pricing');
    if (available === null) throw missing('inventory');
    if (!reviews) throw missing('reviews');
    return okPage(
      shape.productDetail({
        product,
        price,
        available,
        reviewCount: reviews.count,
        ratingSum: reviews.sum,
        description: product.description,
        category: product.category,
        reviews: reviews.recent.slice(0, PRODUCT_PAGE_REVIEWS),
      }),
    );
  }

  async createCart(h: Hops): Promise<Page> {
    return forward(await this.ports.orders.createCart(h));
  }

  async getCart(id: string, h: Hops): Promise<Page> {
    return forward(await this.ports.orders.getCart(id, h));
  }

  /** The body is validated here (content-type, JSON, fields: the contract's 400s) before orders is called. */
  async addItem(id: string, contentType: string | undefined, rawBody: string, h: Hops): Promise<Page> {
    const input = parseAddItemRequest(contentType, rawBody);
    if (!input.ok) return errorPage(errors.badRequest(input.message));
    return forward(await this.ports.orders.addItem(id, input.value.productId, input.value.quantity, h));
  }

  async checkout(id: string, h: Hops): Promise<Page> {
    return forward(await this.ports.orders.checkout(id, h));
  }

  async reset(token: string, h: Hops): Promise<Page> {
    await this.ports.resetAll(token, h);
    return { status: 204 };
  }
}

const forward = (r: { status: number; text: string }): Page => ({ status: r.status, text: r.text });
