import { type CartItem, ContractError, errors, shape } from '@lab/contract';
import { type Collection, type Db, ObjectId } from 'mongodb';
import { fail, ok, type Reply } from '../lib/http.js';
import { type KeyedLock, type SimpleFilter, updateIf } from '../lib/locks.js';
import { dropIfExists, ensureIndexes } from '../lib/mongo.js';
import { parseContractError, type UpstreamResponse } from '../lib/upstream.js';

/** open -> checking_out (claimed by one checkout) -> checked_out, or back to open when the checkout fails. */
export type CartState = 'open' | 'checking_out' | 'checked_out';

export interface CartDoc {
  _id: ObjectId;
  state: CartState;
  /** Bumped by every change of `items`: a checkout claims the exact items it read. */
  version: number;
  items: CartItem[];
  /** The order id the claiming checkout will use (also the inventory reservation id). */
  checkoutId?: ObjectId;
  createdAt: Date;
  updatedAt: Date;
}

export interface OrderDoc {
  _id: ObjectId;
  cartId: ObjectId;
  items: CartItem[];
  total: { amount: number; currency: 'USD' };
  createdAt: Date;
}

export const COLLECTIONS = ['carts', 'orders'] as const;
const CURRENCY = 'USD' as const;
const HEX_ID = /^[0-9a-f]{24}$/;
const MAX_ATTEMPTS = 10;

export function parseObjectId(raw: string | undefined): ObjectId | null {
  return raw !== undefined && HEX_ID.test(raw) ? ObjectId.createFromHexString(raw) : null;
}

const items = (list: readonly CartItem[]): CartItem[] =>
  list.map((i) => shape.cartItem(i.productId, i.quantity, i.unitPrice));

const cartBody = (id: ObjectId, list: readonly CartItem[]) =>
  JSON.stringify(shape.cart(id.toHexString(), items(list), CURRENCY));

/**
 * What the saga needs of pricing and inventory, as ports: over HTTP in micro (orders/main.ts), by direct calls of
 * the services' handlers in a composed build (@lab/microlith). Answers are contract statuses and bodies.
 */
export interface OrdersDeps {
  pricing: {
    /** The product's current amount; rejects with a ContractError (product_not_found when it has no price). */
    unitPrice(productId: number, deadline?: number): Promise<number>;
  };
  inventory: {
    /** 201 when every line is reserved, else the service's contract error (409 insufficient_stock, …). */
    reserve(
      id: string,
      lines: { productId: number; quantity: number }[],
      deadline?: number,
    ): Promise<UpstreamResponse>;
    commit(id: string): Promise<UpstreamResponse>;
    release(id: string): Promise<UpstreamResponse>;
  };
  log: { warn: (obj: object, msg: string) => void };
}

/**
 * orders owns carts and orders, and runs checkout as a saga over inventory: claim the cart (a conditional state
 * transition, so a second checkout of the same cart is 409 even when concurrent), reserve every line in
 * inventory (all-or-nothing there), write the order (the pivot), then mark the cart checked out and commit the
 * reservation. Any failure before the pivot releases the reservation and reopens the cart.
 */
export class OrdersStore {
  readonly carts: Collection<CartDoc>;
  readonly orders: Collection<OrderDoc>;

  constructor(
    readonly db: Db,
    private readonly locks: KeyedLock,
    private readonly deps: OrdersDeps,
  ) {
    this.carts = db.collection<CartDoc>('carts');
    this.orders = db.collection<OrderDoc>('orders');
  }

  async ensureIndexes(): Promise<void> {
    await ensureIndexes(this.carts, [{ key: { state: 1, updatedAt: 1 }, name: 'state_updated' }]);
    // One order per cart, whatever happens: the database refuses a second one.
    await ensureIndexes(this.orders, [{ key: { cartId: 1 }, name: 'cart', unique: true }]);
  }

  async reset(): Promise<void> {
    await dropIfExists(this.db, 'carts');
    await dropIfExists(this.db, 'orders');
    await this.ensureIndexes();
  }

  /** Every write to a cart is conditional on what was read (state, version, checkoutId): optimistic, no lock. */
  private async cartUpdate(
    id: ObjectId,
    filter: SimpleFilter & { _id: ObjectId },
    update: object,
  ): Promise<boolean> {
    const r = await updateIf(this.locks, this.carts as never, `cart:${id.toHexString()}`, filter, update);
    return r === true;
  }

  async createCart(): Promise<Reply> {
    const now = new Date();
    const doc: CartDoc = {
      _id: new ObjectId(),
      state: 'open',
      version: 0,
      items: [],
      createdAt: now,
      updatedAt: now,
    };
    await this.carts.insertOne(doc);
    return ok(cartBody(doc._id, doc.items), 201);
  }

  async getCart(rawId: string): Promise<Reply> {
    const id = parseObjectId(rawId);
    const cart = id && (await this.carts.findOne({ _id: id }, { projection: { items: 1 } }));
    return cart ? ok(cartBody(cart._id, cart.items)) : fail(errors.cartNotFound());
  }

  /**
   * Checks in contract order: cart exists (404), not checked out (409), product exists (404, asked of pricing).
   * The write is conditional on the version read (optimistic concurrency): a concurrent change means re-read.
   */
  async addItem(rawId: string, productId: number, quantity: number, deadline?: number): Promise<Reply> {
    const id = parseObjectId(rawId);
    if (!id) return fail(errors.cartNotFound());
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const cart = await this.carts.findOne({ _id: id }, { projection: { state: 1, version: 1, items: 1 } });
      if (!cart) return fail(errors.cartNotFound());
      if (cart.state !== 'open') return fail(errors.alreadyCheckedOut());
      const next = items(cart.items);
      const line = next.find((i) => i.productId === productId);
      if (line) line.quantity += quantity;
      else {
        // The unit price is pricing's current amount when the line is first added; no price = no product.
        const amount = await this.deps.pricing.unitPrice(productId, deadline);
        next.push(shape.cartItem(productId, quantity, amount));
      }
      const applied = await this.cartUpdate(
        id,
        { _id: id, state: 'open', version: cart.version },
        { $set: { items: next, updatedAt: new Date() }, $inc: { version: 1 } },
      );
      if (applied) return ok(cartBody(id, next));
    }
    return fail(errors.serviceUnavailable('orders'));
  }

  /** `deadline`: when the caller stops waiting; the reservation is bound by it, compensations are not. */
  async checkout(rawId: string, deadline?: number): Promise<Reply> {
    const id = parseObjectId(rawId);
    if (!id) return fail(errors.cartNotFound());
    // 1. Claim: open -> checking_out, guarded by the version of the items we read.
    let claimed: { orderId: ObjectId; items: CartItem[] } | null = null;
    for (let attempt = 0; attempt < MAX_ATTEMPTS && !claimed; attempt++) {
      const cart = await this.carts.findOne({ _id: id }, { projection: { state: 1, version: 1, items: 1 } });
      if (!cart) return fail(errors.cartNotFound());
      if (cart.state !== 'open') return fail(errors.alreadyCheckedOut());
      if (cart.items.length === 0) return fail(errors.emptyCart());
      const orderId = new ObjectId();
      const applied = await this.cartUpdate(
        id,
        { _id: id, state: 'open', version: cart.version },
        { $set: { state: 'checking_out', checkoutId: orderId, updatedAt: new Date() } },
      );
      if (applied) claimed = { orderId, items: items(cart.items) };
    }
    if (!claimed) return fail(errors.serviceUnavailable('orders'));
    const { orderId, items: lines } = claimed;
    const reservation = orderId.toHexString();

    // 2. Reserve every line in inventory (all-or-nothing there).
    let reserved: { status: number; text: string };
    try {
      reserved = await this.deps.inventory.reserve(
        reservation,
        lines.map((l) => ({ productId: l.productId, quantity: l.quantity })),
        deadline,
      );
    } catch (e) {
      // The outcome is unknown (e.g. a timeout): release (idempotent, also cancels a late reserve) and reopen.
      await this.compensate(id, orderId);
      throw e;
    }
    if (reserved.status !== 201) {
      await this.reopen(id, orderId);
      if (reserved.status === 409 && reserved.text.includes('"insufficient_stock"')) {
        return { status: 409, body: reserved.text };
      }
      throw parseContractError(reserved) ?? new ContractError(errors.serviceUnavailable('inventory'));
    }

    // 3. The pivot: the order. Before it, everything is compensated; after it, everything is retried.
    const total = shape.cartTotal(lines, CURRENCY);
    try {
      await this.orders.insertOne({ _id: orderId, cartId: id, items: lines, total, createdAt: new Date() });
    } catch (e) {
      await this.compensate(id, orderId);
      throw e;
    }

    // 4. Finish: cart checked out, reservation committed (the recovery sweep retries either if it fails).
    await Promise.all([
      this.cartUpdate(
        id,
        { _id: id, state: 'checking_out', checkoutId: orderId },
        { $set: { state: 'checked_out', updatedAt: new Date() } },
      ),
      this.commit(reservation),
    ]);
    return ok(JSON.stringify(shape.order(reservation, id.toHexString(), lines, CURRENCY)), 201);
  }

  private async commit(reservation: string): Promise<boolean> {
    try {
      const r = await this.deps.inventory.commit(reservation);
      return r.status === 204;
    } catch (e) {
      this.deps.log.warn(
        { reservation, err: (e as Error).message },
        'commit failed; the recovery sweep retries',
      );
      return false;
    }
  }

  /** Compensation before the pivot: give the stock back, then reopen the cart. */
  private async compensate(id: ObjectId, orderId: ObjectId): Promise<void> {
    try {
      const r = await this.deps.inventory.release(orderId.toHexString());
      if (r.status !== 204) throw new Error(`release answered ${r.status}`);
    } catch (e) {
      // Cannot release now: the cart stays claimed and the recovery sweep finishes the compensation.
      this.deps.log.warn(
        { cart: id.toHexString(), err: (e as Error).message },
        'release failed; left to the sweep',
      );
      return;
    }
    await this.reopen(id, orderId);
  }

  private reopen(id: ObjectId, orderId: ObjectId): Promise<boolean> {
    return this.cartUpdate(
      id,
      { _id: id, state: 'checking_out', checkoutId: orderId },
      { $set: { state: 'open', updatedAt: new Date() }, $unset: { checkoutId: '' } },
    );
  }

  /**
   * Recovery of checkouts interrupted by a crash or a failed compensation: carts claimed for longer than
   * `staleMs` (far beyond any live saga, whose every step is bounded by the upstream timeout) are finished
   * (order exists: commit + checked_out) or compensated (no order: release + reopen).
   */
  async recover(staleMs: number): Promise<number> {
    const stale = await this.carts
      .find(
        { state: 'checking_out', updatedAt: { $lt: new Date(Date.now() - staleMs) } },
        { projection: { checkoutId: 1 }, limit: 100 },
      )
      .toArray();
    for (const cart of stale) {
      const orderId = cart.checkoutId;
      if (!orderId) continue;
      const order = await this.orders.findOne({ _id: orderId }, { projection: { _id: 1 } });
      if (order) {
        if (await this.commit(orderId.toHexString())) {
          await this.cartUpdate(
            cart._id,
            { _id: cart._id, state: 'checking_out', checkoutId: orderId },
            { $set: { state: 'checked_out', updatedAt: new Date() } },
          );
        }
      } else {
        await this.compensate(cart._id, orderId);
      }
    }
    return stale.length;
  }
}
