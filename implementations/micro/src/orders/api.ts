import { errors } from '@lab/contract';
import { fail, type RouteDef } from '../lib/http.js';
import type { OrdersStore } from './store.js';

/**
 * orders' internal API. Bodies are the contract's Cart and Order (and contract errors), so the BFF forwards them
 * byte for byte. The BFF has already validated the add-item body (the contract's 400s come from the BFF).
 */
export function ordersRoutes(store: OrdersStore): RouteDef[] {
  return [
    { method: 'POST', url: '/carts', handler: () => store.createCart() },
    { method: 'GET', url: '/carts/:id', handler: ({ params }) => store.getCart(params['id']!) },
    {
      method: 'POST',
      url: '/carts/:id/items',
      handler: async ({ params, body, deadline }) => {
        const { productId, quantity } = (body ?? {}) as { productId?: unknown; quantity?: unknown };
        if (!Number.isSafeInteger(productId) || !Number.isSafeInteger(quantity) || (quantity as number) < 1) {
          return fail(errors.badRequest('internal call: productId and quantity are required'));
        }
        return store.addItem(params['id']!, productId as number, quantity as number, deadline);
      },
    },
    {
      method: 'POST',
      url: '/carts/:id/checkout',
      handler: ({ params, deadline }) => store.checkout(params['id']!, deadline),
    },
  ];
}
