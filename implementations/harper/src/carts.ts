import { randomUUID } from 'node:crypto';
import { type AddItemInput, type ApiError, errors, shape } from '@lab/contract';
import type { Db } from './db.js';
import { withLocks } from './locks.js';
import type { Reader } from './reader.js';
import type { CartLine, CartRecord, InventoryRecord, OrderRecord } from './tables.js';

// Carts and checkout. Cart and order ids are random UUIDs; any other string cannot name a cart, so it is a 404
// without touching the database (and never reaches a lock or a key encoder).

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CURRENCY = 'USD';

export type Outcome = { status: number; body: string } | ApiError;

const cartKey = (id: string) => `cart:${id}`;
const stockKey = (productId: number) => `stock:${productId}`;

function lines(items: readonly CartLine[] | null | undefined): CartLine[] {
  return (items ?? []).map((i) => shape.cartItem(i.productId, i.quantity, i.unitPrice));
}

function cartBody(id: string, items: CartLine[]): string {
  return JSON.stringify(shape.cart(id, items, CURRENCY));
}

export async function createCart(db: Db): Promise<Outcome> {
  const id = randomUUID();
  await db.transaction(async () => db.put(db.t.Cart, { id, items: [], checkedOut: false }));
  return { status: 201, body: cartBody(id, []) };
}

export function getCart(r: Reader, id: string): Outcome {
  if (!UUID.test(id)) return errors.cartNotFound();
  const cart = r.cart(id);
  return cart ? { status: 200, body: cartBody(id, lines(cart.items)) } : errors.cartNotFound();
}

/** Adds a validated line. The cart's lock serialises writers of one cart (adds and checkout). */
export async function addItem(db: Db, cartId: string, input: AddItemInput): Promise<Outcome> {
  if (!UUID.test(cartId)) return errors.cartNotFound();
  return withLocks(db.t.Inventory.primaryStore, [cartKey(cartId)], () =>
    db.transaction(async (): Promise<Outcome> => {
      const cart = db.read(db.t.Cart, cartId);
      if (!cart) return errors.cartNotFound();
      if (cart.checkedOut) return errors.alreadyCheckedOut();
      const price = db.read(db.t.Price, input.productId);
      if (!price) return errors.productNotFound();
      const items = lines(cart.items);
      const line = items.find((i) => i.productId === input.productId);
      if (line) line.quantity += input.quantity;
      else items.push(shape.cartItem(input.productId, input.quantity, price.amount));
      await db.put(db.t.Cart, { id: cartId, items, checkedOut: false });
      return { status: 200, body: cartBody(cartId, items) };
    }),
  );
}

/**
 * Turns a cart into an order in ONE Harper transaction: the stock of every line is checked, then decremented, the
 * order written and the cart marked checked out, committed atomically (all or nothing). Under the cart's lock
 * and every product's lock (ascending ids), so no other writer can change this cart or these stocks between the
 * reads and the commit: no oversell, whatever the number of worker threads.
 */
export async function checkout(db: Db, cartId: string): Promise<Outcome> {
  if (!UUID.test(cartId)) return errors.cartNotFound();
  const store = db.t.Inventory.primaryStore;
  return withLocks(store, [cartKey(cartId)], async (): Promise<Outcome> => {
    const cart = db.read(db.t.Cart, cartId);
    if (!cart) return errors.cartNotFound();
    if (cart.checkedOut) return errors.alreadyCheckedOut();
    const items = lines(cart.items);
    if (items.length === 0) return errors.emptyCart();
    const productKeys = [...new Set(items.map((i) => i.productId))].sort((a, b) => a - b).map(stockKey);
    return withLocks(store, productKeys, () =>
      db.transaction(async (): Promise<Outcome> => {
        const stocks: InventoryRecord[] = [];
        for (const item of items) {
          const stock = db.read(db.t.Inventory, item.productId);
          if (!stock || stock.available < item.quantity) return errors.insufficientStock(item.productId);
          stocks.push(stock);
        }
        for (let i = 0; i < items.length; i++) {
          const item = items[i]!;
          const stock = stocks[i]!;
          await db.put(db.t.Inventory, {
            productId: item.productId,
            available: stock.available - item.quantity,
            initial: stock.initial,
          });
        }
        const order: OrderRecord = {
          id: randomUUID(),
          cartId,
          items,
          totalAmount: shape.cartTotal(items, CURRENCY).amount,
          currency: CURRENCY,
        };
        await db.put(db.t.Order, order);
        const done: CartRecord = { id: cartId, items, checkedOut: true };
        await db.put(db.t.Cart, done);
        return { status: 201, body: JSON.stringify(shape.order(order.id, cartId, items, CURRENCY)) };
      }),
    );
  });
}
