import { errors } from '@lab/contract';
import { fail, ok, type RouteDef } from '../lib/http.js';
import { badInternalCall, parseId, parseIdList, queryParam } from '../lib/params.js';
import { priceSchema, response200 } from '../lib/schemas.js';
import type { PricingStore } from './store.js';

const nullablePrice = { anyOf: [{ type: 'null' }, priceSchema] } as const;

/** pricing's internal API: GET /prices?ids=1,2,3 (aligned batch) and GET /prices/:id. */
export function pricingRoutes(store: PricingStore): RouteDef[] {
  return [
    {
      method: 'GET',
      url: '/prices',
      schema: response200({
        type: 'object',
        properties: { prices: { type: 'array', items: nullablePrice } },
      }),
      handler: async ({ query }) => {
        const ids = parseIdList(queryParam(query, 'ids'));
        if (!ids) return fail(badInternalCall('ids must be up to 100 comma-separated product ids'));
        return ok({ prices: await store.batch(ids) });
      },
    },
    {
      method: 'GET',
      url: '/prices/:id',
      schema: response200(priceSchema),
      handler: async ({ params }) => {
        const id = parseId(params['id']);
        const p = id === null ? null : await store.price(id);
        return p ? ok(p) : fail(errors.productNotFound());
      },
    },
  ];
}
