import { errors } from '@lab/contract';
import { fail, noContent, ok, type RouteDef } from '../lib/http.js';
import { badInternalCall, parseId, parseIdList, queryParam } from '../lib/params.js';
import { response200 } from '../lib/schemas.js';
import { tokenMatches } from '../lib/service.js';
import type { InventoryStore, ReservationLine } from './store.js';

const RESERVATION_ID = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_LINE_QUANTITY = 1_000_000;
/**
 * A cart's distinct products, all reserved in one call: far above any real cart, and still inside the default
 * 1 MiB body limit (about 40 bytes a line). The BFF's read batches (100) are a different, paging limit.
 */
export const MAX_RESERVATION_LINES = 10_000;

function parseLines(body: unknown): ReservationLine[] | null {
  const items = (body as { items?: unknown } | null)?.items;
  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_RESERVATION_LINES) return null;
  const out: ReservationLine[] = [];
  for (const it of items as { productId?: unknown; quantity?: unknown }[]) {
    const { productId, quantity } = it ?? {};
    if (!Number.isSafeInteger(productId) || (productId as number) < 1) return null;
    if (
      !Number.isSafeInteger(quantity) ||
      (quantity as number) < 1 ||
      (quantity as number) > MAX_LINE_QUANTITY
    ) {
      return null;
    }
    out.push({ productId: productId as number, quantity: quantity as number });
  }
  return out;
}

const reservationConflict = (what: string) => ({
  status: 409,
  body: { error: { code: 'reservation_conflict', message: what } },
});

/**
 * Stock moves only for callers holding the lab's token (x-lab-token, LAB_ADMIN_TOKEN, which every micro process
 * has): any other local process gets the contract's 401, not a way to drain or restore stock.
 */
function withToken(token: Buffer, route: RouteDef): RouteDef {
  return {
    ...route,
    handler: (input) =>
      tokenMatches(input.headers['x-lab-token'], token)
        ? route.handler(input)
        : Promise.resolve(fail(errors.unauthorized())),
  };
}

/**
 * inventory's internal API: stock reads (single and aligned batch, open) and, behind the token, the reservation
 * protocol used by the orders saga: POST /reservations/:id (reserve, all-or-nothing, idempotent per id), POST
 * /reservations/:id/commit, POST /reservations/:id/release (compensation), GET /reservations/audit (ledger check,
 * ops/tests).
 */
export function inventoryRoutes(store: InventoryStore, token: Buffer): RouteDef[] {
  return [...stockRoutes(store), ...reservationRoutes(store).map((r) => withToken(token, r))];
}

function stockRoutes(store: InventoryStore): RouteDef[] {
  const nullableInt = { type: ['integer', 'null'] } as const;
  return [
    {
      method: 'GET',
      url: '/stock',
      schema: response200({
        type: 'object',
        properties: { available: { type: 'array', items: nullableInt } },
      }),
      handler: async ({ query }) => {
        const ids = parseIdList(queryParam(query, 'ids'));
        if (!ids) return fail(badInternalCall('ids must be up to 100 comma-separated product ids'));
        return ok({ available: await store.availableBatch(ids) });
      },
    },
    {
      method: 'GET',
      url: '/stock/:id',
      schema: response200({ type: 'object', properties: { available: { type: 'integer' } } }),
      handler: async ({ params }) => {
        const id = parseId(params['id']);
        const available = id === null ? null : await store.available(id);
        return available === null ? fail(errors.productNotFound()) : ok({ available });
      },
    },
  ];
}

function reservationRoutes(store: InventoryStore): RouteDef[] {
  return [
    {
      method: 'POST',
      url: '/reservations/:id',
      handler: async ({ params, body, deadline, budgetMs }) => {
        const id = params['id']!;
        const lines = parseLines(body);
        if (!RESERVATION_ID.test(id) || !lines)
          return fail(badInternalCall('reservation id and items are required'));
        const r = await store.reserve(id, lines, deadline);
        if (r.ok) return ok({ id, state: 'reserved' }, 201);
        if (r.reason === 'insufficient') return fail(errors.insufficientStock(r.productId));
        if (r.reason === 'expired') return fail(errors.upstreamTimeout('inventory', budgetMs));
        return reservationConflict(`reservation ${id} was released`);
      },
    },
    {
      method: 'POST',
      url: '/reservations/:id/commit',
      handler: async ({ params }) =>
        (await store.commit(params['id']!)) ? noContent : reservationConflict('reservation is not reserved'),
    },
    {
      method: 'POST',
      url: '/reservations/:id/release',
      handler: async ({ params }) =>
        (await store.release(params['id']!)) ? noContent : reservationConflict('reservation is committed'),
    },
    {
      method: 'GET',
      url: '/reservations/audit',
      handler: async () => ok(await store.audit()),
    },
  ];
}
