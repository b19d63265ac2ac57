import { timingSafeEqual } from 'node:crypto';
import { Catalog } from './catalog.js';
import type { Dataset } from './dataset/generate.js';
import { CURRENCY } from './dataset/generate.js';
import { type ApiError, errors, unmatchedRoute } from './errors.js';
import { matchRoute, splitTarget } from './routes.js';
import * as shape from './shapes.js';
import type {
  Cart,
  CartItem,
  CategoryPage,
  Health,
  Home,
  Order,
  ProductCard,
  ProductDetail,
  SearchResult,
} from './types.js';
import {
  type AddItemInput,
  parseAddItemRequest,
  parseCategoryQuery,
  parseProductId,
  parseSearchQuery,
} from './validation.js';

export interface OracleResponse<T = unknown> {
  status: number;
  /** Absent for 204. */
  body?: T;
}

export interface OracleRequest {
  method: string;
  /** Path plus optional query string, e.g. "/api/search?q=lamp". */
  url: string;
  contentType?: string | undefined;
  labToken?: string | undefined;
  body?: string | undefined;
}

export interface OracleOptions {
  /** Name reported by /health. */
  target?: string;
  /** Token expected in x-lab-token by POST /api/admin/reset. */
  adminToken: string;
  /** Server-generated ids; the default counts ("cart-1", "order-1"). */
  newId?: (kind: 'cart' | 'order') => string;
}

interface CartState {
  id: string;
  items: CartItem[];
  lineOf: Map<number, number>;
  checkedOut: boolean;
}

/** Which products' stock changed: a list of ids, or every product (reset). */
export type StockChange = readonly number[] | 'all';

const ok = <T>(body: T, status = 200): OracleResponse<T> => ({ status, body });
const fail = (e: ApiError): OracleResponse => ({ status: e.status, body: e.body });

/**
 * The contract's executable specification: every response computed from the dataset plus in-memory cart, order
 * and stock state. Deliberately plain; the reference server adds caching on top, and the verify suite replays
 * the same requests here to know what a target must answer.
 */
export class Oracle {
  readonly catalog: Catalog;
  readonly target: string;
  private readonly adminToken: Buffer;
  private readonly newId: (kind: 'cart' | 'order') => string;
  private readonly stock: Int32Array;
  private carts = new Map<string, CartState>();
  private orders = new Map<string, Order>();
  private counters = { cart: 0, order: 0 };
  /** Called after stock changes, so that caches built on this oracle can invalidate. */
  onStockChange: ((change: StockChange) => void) | undefined;

  constructor(dataset: Dataset | Catalog, options: OracleOptions) {
    this.catalog = dataset instanceof Catalog ? dataset : new Catalog(dataset);
    this.target = options.target ?? 'reference';
    this.adminToken = Buffer.from(options.adminToken);
    this.newId = options.newId ?? ((kind) => `${kind}-${++this.counters[kind]}`);
    this.stock = new Int32Array(this.catalog.facts.length);
    this.restoreStock();
  }

  private restoreStock(): void {
    for (const [id, available] of this.catalog.initialStock) this.stock[id] = available;
  }

  available(id: number): number {
    return this.stock[id] ?? 0;
  }

  health(): OracleResponse<Health> {
    return ok({ status: 'ok', target: this.target });
  }

  card(id: number): ProductCard {
    const f = this.catalog.get(id)!;
    return shape.productCard({
      product: f.product,
      price: f.price,
      available: this.available(id),
      reviewCount: f.reviewCount,
      ratingSum: f.ratingSum,
    });
  }

  home(): OracleResponse<Home> {
    const categories = this.catalog.categoriesByName.map((c) => this.catalog.category(c));
    const featured = this.catalog.popular.slice(0, shape.FEATURED_COUNT).map((id) => this.card(id));
    return ok(shape.home(categories, featured));
  }

  categoryProducts(slug: string, rawQuery: string): OracleResponse<CategoryPage> | OracleResponse {
    const q = parseCategoryQuery(rawQuery);
    if (!q.ok) return fail(errors.badRequest(q.message));
    const row = this.catalog.categoryBySlug.get(slug);
    if (!row) return fail(errors.categoryNotFound());
    const ids = this.catalog.orders.get(row.id)![q.value.sort];
    const start = (q.value.page - 1) * q.value.pageSize;
    const page = ids.slice(start, start + q.value.pageSize).map((id) => this.card(id));
    return ok(
      shape.categoryPage(this.catalog.category(row), q.value.page, q.value.pageSize, ids.length, page),
    );
  }

  product(rawId: string): OracleResponse<ProductDetail> | OracleResponse {
    const id = parseProductId(rawId);
    const f = id === null ? undefined : this.catalog.get(id);
    if (id === null || !f) return fail(errors.productNotFound());
    return ok(
      shape.productDetail({
        product: f.product,
        price: f.price,
        available: this.available(id),
        reviewCount: f.reviewCount,
        ratingSum: f.ratingSum,
        description: f.product.description,
        category: f.category,
        reviews: f.reviews.slice(0, shape.PRODUCT_PAGE_REVIEWS),
      }),
    );
  }

  search(rawQuery: string): OracleResponse<SearchResult> | OracleResponse {
    const q = parseSearchQuery(rawQuery);
    if (!q.ok) return fail(errors.badRequest(q.message));
    const ids = this.catalog.search(q.value.tokens);
    const products = ids.slice(0, q.value.limit).map((id) => this.card(id));
    return ok(shape.searchResult(q.value.q, ids.length, products));
  }

  private cartBody(c: CartState): Cart {
    return shape.cart(
      c.id,
      c.items.map((i) => shape.cartItem(i.productId, i.quantity, i.unitPrice)),
      CURRENCY,
    );
  }

  createCart(): OracleResponse<Cart> {
    const c: CartState = { id: this.newId('cart'), items: [], lineOf: new Map(), checkedOut: false };
    this.carts.set(c.id, c);
    return ok(this.cartBody(c), 201);
  }

  getCart(id: string): OracleResponse<Cart> | OracleResponse {
    const c = this.carts.get(id);
    return c ? ok(this.cartBody(c)) : fail(errors.cartNotFound());
  }

  addItem(cartId: string, contentType: string | undefined, rawBody: string): OracleResponse {
    const input = parseAddItemRequest(contentType, rawBody);
    if (!input.ok) return fail(errors.badRequest(input.message));
    return this.addParsedItem(cartId, input.value);
  }

  addParsedItem(cartId: string, input: AddItemInput): OracleResponse {
    const c = this.carts.get(cartId);
    if (!c) return fail(errors.cartNotFound());
    if (c.checkedOut) return fail(errors.alreadyCheckedOut());
    const f = this.catalog.get(input.productId);
    if (!f) return fail(errors.productNotFound());
    const line = c.lineOf.get(input.productId);
    if (line === undefined) {
      c.lineOf.set(input.productId, c.items.length);
      c.items.push(shape.cartItem(input.productId, input.quantity, f.price.amount));
    } else {
      c.items[line]!.quantity += input.quantity;
    }
    return ok(this.cartBody(c));
  }

  checkout(cartId: string): OracleResponse<Order> | OracleResponse {
    const c = this.carts.get(cartId);
    if (!c) return fail(errors.cartNotFound());
    if (c.checkedOut) return fail(errors.alreadyCheckedOut());
    if (c.items.length === 0) return fail(errors.emptyCart());
    for (const item of c.items) {
      if (this.available(item.productId) < item.quantity)
        return fail(errors.insufficientStock(item.productId));
    }
    for (const item of c.items) this.stock[item.productId]! -= item.quantity;
    c.checkedOut = true;
    const o = shape.order(
      this.newId('order'),
      c.id,
      c.items.map((i) => shape.cartItem(i.productId, i.quantity, i.unitPrice)),
      CURRENCY,
    );
    this.orders.set(o.orderId, o);
    this.onStockChange?.(c.items.map((i) => i.productId));
    return ok(o, 201);
  }

  tokenMatches(token: string | undefined): boolean {
    if (token === undefined) return false;
    const given = Buffer.from(token);
    return given.length === this.adminToken.length && timingSafeEqual(given, this.adminToken);
  }

  reset(token: string | undefined): OracleResponse {
    if (!this.tokenMatches(token)) return fail(errors.unauthorized());
    this.restoreStock();
    this.carts = new Map();
    this.orders = new Map();
    this.onStockChange?.('all');
    return { status: 204 };
  }

  get cartCount(): number {
    return this.carts.size;
  }

  get orderCount(): number {
    return this.orders.size;
  }

  /** Routes one request through the contract (a 405's `allow` header: unmatchedRoute). /metrics is the server's own business: a 404 here. */
  handle(req: OracleRequest): OracleResponse {
    const { path, query } = splitTarget(req.url);
    const m = matchRoute(req.method, path);
    if (!m) return fail(unmatchedRoute(path));
    const p = m.params;
    switch (m.route.name) {
      case 'health':
        return this.health();
      case 'home':
        return this.home();
      case 'categoryProducts':
        return this.categoryProducts(p['slug']!, query);
      case 'product':
        return this.product(p['id']!);
      case 'search':
        return this.search(query);
      case 'createCart':
        return this.createCart();
      case 'getCart':
        return this.getCart(p['id']!);
      case 'addCartItem':
        return this.addItem(p['id']!, req.contentType, req.body ?? '');
      case 'checkout':
        return this.checkout(p['id']!);
      case 'reset':
        return this.reset(req.labToken);
      case 'metrics':
        return fail(errors.routeNotFound());
    }
  }
}
