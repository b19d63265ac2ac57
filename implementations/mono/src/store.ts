import {
  type AddItemInput,
  type ApiError,
  type Cart,
  type CartItem,
  type CategoryPage,
  type CategoryQuery,
  ContractError,
  compareCategoriesByName,
  errors,
  FEATURED_COUNT,
  type Home,
  type Order,
  PRODUCT_PAGE_REVIEWS,
  type ProductCard,
  type ProductDetail,
  type SearchQuery,
  type SearchResult,
  type Sort,
  shape,
} from '@lab/contract';
import { resetState } from './db/seed.js';
import type { Prisma, PrismaClient } from './generated/prisma/client.js';

const CURRENCY = 'USD' as const;
/**
 * Relations (inventory, category, reviews) load in the same SQL statement (LATERAL joins, JSON aggregation):
 * Prisma's relationJoins preview feature. Measured against the default 'query' strategy (one more statement
 * per relation): less CPU per request on every read path (docs/implementations/mono.md, "Relation loading").
 */
const JOIN = 'join' as const;
/** Ids are INTEGER columns: a larger id (the contract allows up to 15 digits) cannot name a row. */
const MAX_INT4 = 2_147_483_647;
/** Cart ids are lowercase canonical UUIDs; anything else is an unknown cart (404) without a query. */
const CART_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Deadlock or serialization failure (Prisma P2034): the transaction is retried this many times in all. */
const TX_ATTEMPTS = 3;

/** Accumulates the time spent awaiting the database for one request (the `db;dur=` of server-timing). */
export class DbTimer {
  ms = 0;
  async run<T>(work: PromiseLike<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await work;
    } finally {
      this.ms += performance.now() - t0;
    }
  }
}

/** Exactly the columns a product card needs (plus its inventory row): one narrow SELECT per page. */
const cardSelect = {
  id: true,
  name: true,
  categoryId: true,
  image: true,
  priceAmount: true,
  priceCompareAt: true,
  currency: true,
  reviewCount: true,
  ratingSum: true,
  inventory: { select: { available: true } },
} satisfies Prisma.ProductSelect;

type CardRow = Prisma.ProductGetPayload<{ select: typeof cardSelect }>;

/** Each sort is one composite index (see prisma/schema.prisma), scanned in order: no sort step. */
const ORDER_BY: Readonly<Record<Sort, Prisma.ProductOrderByWithRelationInput[]>> = {
  popular: [{ reviewCount: 'desc' }, { id: 'asc' }],
  price_asc: [{ priceAmount: 'asc' }, { id: 'asc' }],
  price_desc: [{ priceAmount: 'desc' }, { id: 'asc' }],
  rating: [{ ratingAvgX100: 'desc' }, { reviewCount: 'desc' }, { id: 'asc' }],
};

function cardInput(row: CardRow) {
  return {
    product: row,
    price: { amount: row.priceAmount, currency: CURRENCY, compareAt: row.priceCompareAt },
    available: row.inventory?.available ?? 0,
    reviewCount: row.reviewCount,
    ratingSum: row.ratingSum,
  };
}

function card(row: CardRow): ProductCard {
  return shape.productCard(cardInput(row));
}

const itemSelect = { productId: true, quantity: true, unitPrice: true } satisfies Prisma.CartItemSelect;

function cartItems(rows: readonly { productId: number; quantity: number; unitPrice: number }[]): CartItem[] {
  return rows.map((r) => shape.cartItem(r.productId, r.quantity, r.unitPrice));
}

function fail(e: ApiError): never {
  throw new ContractError(e);
}

function isRetryable(e: unknown): boolean {
  return (e as { code?: unknown })?.code === 'P2034';
}

/** Every database access of the contract, through Prisma. Returns contract bodies; throws ContractError. */
export class Store {
  constructor(readonly prisma: PrismaClient) {}

  async home(t: DbTimer): Promise<Home> {
    const [categories, featured] = await t.run(
      Promise.all([
        this.prisma.category.findMany({ select: { id: true, slug: true, name: true, productCount: true } }),
        this.prisma.product.findMany({
          orderBy: ORDER_BY.popular,
          take: FEATURED_COUNT,
          select: cardSelect,
          relationLoadStrategy: JOIN,
        }),
      ]),
    );
    // Sorted here, not by ORDER BY name: the contract orders by UTF-16 code units, a collation would not.
    categories.sort(compareCategoriesByName);
    return shape.home(
      categories.map((c) => shape.category(c, c.productCount)),
      featured.map(card),
    );
  }

  async categoryPage(t: DbTimer, slug: string, q: CategoryQuery): Promise<CategoryPage> {
    const category = await t.run(
      this.prisma.category.findUnique({
        where: { slug },
        select: { id: true, slug: true, name: true, productCount: true },
      }),
    );
    if (!category) fail(errors.categoryNotFound());
    const skip = (q.page - 1) * q.pageSize;
    // The catalog never changes size, so a page past the end needs no query (productCount is exact).
    const rows =
      skip >= category.productCount
        ? []
        : await t.run(
            this.prisma.product.findMany({
              where: { categoryId: category.id },
              orderBy: ORDER_BY[q.sort],
              skip,
              take: q.pageSize,
              select: cardSelect,
              relationLoadStrategy: JOIN,
            }),
          );
    return shape.categoryPage(
      shape.category(category, category.productCount),
      q.page,
      q.pageSize,
      category.productCount,
      rows.map(card),
    );
  }

  async product(t: DbTimer, id: number): Promise<ProductDetail> {
    if (id > MAX_INT4) fail(errors.productNotFound());
    const row = await t.run(
      this.prisma.product.findUnique({
        relationLoadStrategy: JOIN,
        where: { id },
        select: {
          ...cardSelect,
          description: true,
          category: { select: { id: true, slug: true, name: true } },
          reviews: {
            orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
            take: PRODUCT_PAGE_REVIEWS,
            select: {
              id: true,
              productId: true,
              rating: true,
              title: true,
              body: true,
              author: true,
              createdAt: true,
            },
          },
        },
      }),
    );
    if (!row) fail(errors.productNotFound());
    return shape.productDetail({
      ...cardInput(row),
      description: row.description,
      category: row.category,
      reviews: row.reviews.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() })),
    });
  }

  /**
   * The one read path in raw SQL (for the ids): `name_tokens @> tokens` on the GIN index, materialised, then
   * ordered. Written with Prisma (findMany with hasEvery + orderBy + take, and a count), the planner may walk the
   * popularity index and test every row against the tokens, betting that matches are common: for a word with
   * few or no matches that walk covers the whole table (measured 750 ms for one query at scale 100, against
   * under 1 ms for the bitmap scan). The MATERIALIZED CTE forces "find the matches, then sort the few", and
   * count(*) OVER () returns the total in the same statement. The cards then come through Prisma.
   */
  async search(t: DbTimer, q: SearchQuery): Promise<SearchResult> {
    const hits = await t.run(
      this.prisma.$queryRaw<{ id: number; total: number }[]>`
        WITH m AS MATERIALIZED (SELECT id, review_count FROM products WHERE name_tokens @> ${q.tokens}::text[])
        SELECT id, (count(*) OVER ())::int AS total FROM m ORDER BY review_count DESC, id LIMIT ${q.limit}`,
    );
    if (hits.length === 0) return shape.searchResult(q.q, 0, []);
    const rows = await t.run(
      this.prisma.product.findMany({
        where: { id: { in: hits.map((h) => h.id) } },
        select: cardSelect,
        relationLoadStrategy: JOIN,
      }),
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    return shape.searchResult(
      q.q,
      hits[0]!.total,
      hits.map((h) => card(byId.get(h.id)!)),
    );
  }

  async createCart(t: DbTimer): Promise<Cart> {
    const cart = await t.run(this.prisma.cart.create({ data: {}, select: { id: true } }));
    return shape.cart(cart.id, [], CURRENCY);
  }

  async getCart(t: DbTimer, id: string): Promise<Cart> {
    if (!CART_ID.test(id)) fail(errors.cartNotFound());
    const cart = await t.run(
      this.prisma.cart.findUnique({
        where: { id },
        select: { id: true, items: { orderBy: { line: 'asc' }, select: itemSelect } },
      }),
    );
    if (!cart) fail(errors.cartNotFound());
    return shape.cart(cart.id, cartItems(cart.items), CURRENCY);
  }

  /** Tells 404 from 409 once a conditional update on an open cart matched nothing. */
  private async cartGone(tx: Prisma.TransactionClient, id: string): Promise<never> {
    const exists = await tx.cart.findUnique({ where: { id }, select: { id: true } });
    fail(exists ? errors.alreadyCheckedOut() : errors.cartNotFound());
  }

  /**
   * Adds a line or accumulates its quantity. Touching the open cart first (a conditional UPDATE) takes the cart's
   * row lock, so an add and a checkout of the same cart serialise: an item can never land in a checked-out cart.
   */
  async addItem(t: DbTimer, cartId: string, input: AddItemInput): Promise<Cart> {
    if (!CART_ID.test(cartId)) fail(errors.cartNotFound());
    const items = await t.run(
      this.transaction(async (tx) => {
        const open = await tx.cart.updateMany({
          where: { id: cartId, checkedOutAt: null },
          data: { updatedAt: new Date() },
        });
        if (open.count === 0) await this.cartGone(tx, cartId);
        const product =
          input.productId > MAX_INT4
            ? null
            : await tx.product.findUnique({ where: { id: input.productId }, select: { priceAmount: true } });
        if (!product) fail(errors.productNotFound());
        await tx.cartItem.upsert({
          where: { cartId_productId: { cartId, productId: input.productId } },
          create: {
            cartId,
            productId: input.productId,
            quantity: input.quantity,
            unitPrice: product.priceAmount,
          },
          update: { quantity: { increment: input.quantity } },
          select: { line: true },
        });
        return tx.cartItem.findMany({ where: { cartId }, orderBy: { line: 'asc' }, select: itemSelect });
      }),
    );
    return shape.cart(cartId, cartItems(items), CURRENCY);
  }

  /**
   * All or nothing, in one transaction: (1) the open -> checked-out transition is a conditional UPDATE of the cart
   * row, so of two concurrent checkouts of one cart the second waits for the row lock, then matches nothing: 409
   * already_checked_out; (2) each line's stock is a conditional decrement (available >= quantity); lines are
   * decremented in product-id order, the same order in every transaction, so concurrent checkouts never
   * deadlock; (3) if any line lacks stock, the first such line in cart order is reported and the transaction
   * rolls back; (4) the order and its lines are inserted.
   */
  async checkout(t: DbTimer, cartId: string): Promise<Order> {
    if (!CART_ID.test(cartId)) fail(errors.cartNotFound());
    return t.run(
      this.transaction(async (tx) => {
        const open = await tx.cart.updateMany({
          where: { id: cartId, checkedOutAt: null },
          data: { checkedOutAt: new Date() },
        });
        if (open.count === 0) await this.cartGone(tx, cartId);
        const rows = await tx.cartItem.findMany({
          where: { cartId },
          orderBy: { line: 'asc' },
          select: itemSelect,
        });
        if (rows.length === 0) fail(errors.emptyCart());
        const short = new Set<number>();
        for (const line of [...rows].sort((a, b) => a.productId - b.productId)) {
          const done = await tx.inventory.updateMany({
            where: { productId: line.productId, available: { gte: line.quantity } },
            data: { available: { decrement: line.quantity } },
          });
          if (done.count === 0) short.add(line.productId);
        }
        if (short.size > 0)
          fail(errors.insufficientStock(rows.find((r) => short.has(r.productId))!.productId));
        const items = cartItems(rows);
        const total = shape.cartTotal(items, CURRENCY);
        // Two statements (INSERT ... RETURNING, then one multi-row INSERT); a nested create would add a
        // third, re-reading the order it just wrote.
        const order = await tx.order.create({
          data: { cartId, totalAmount: total.amount, currency: CURRENCY },
          select: { id: true },
        });
        await tx.orderItem.createMany({
          data: items.map((item, line) => ({ orderId: order.id, line, ...item })),
        });
        return shape.order(order.id, cartId, items, CURRENCY);
      }),
    );
  }

  /** An interactive transaction, retried on deadlock / serialization failure (never expected; belt and braces). */
  private async transaction<T>(work: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.prisma.$transaction(work);
      } catch (e) {
        if (attempt >= TX_ATTEMPTS || !isRetryable(e)) throw e;
      }
    }
  }

  /** POST /api/admin/reset (see resetState). */
  reset(): Promise<void> {
    return resetState(this.prisma);
  }

  /** GET /health: the database answers. */
  async ping(t: DbTimer): Promise<void> {
    await t.run(this.prisma.$queryRaw`SELECT 1`);
  }
}
