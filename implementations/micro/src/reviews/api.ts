import { errors } from '@lab/contract';
import { fail, ok, type RouteDef } from '../lib/http.js';
import { badInternalCall, parseId, parseIdList, queryParam } from '../lib/params.js';
import { response200, reviewSchema } from '../lib/schemas.js';
import type { ReviewsStore } from './store.js';

const ratingSchema = { type: 'object', properties: { count: { type: 'integer' }, sum: { type: 'integer' } } };

/** reviews' internal API: GET /ratings?ids= (aligned batch of aggregates), GET /products/:id/reviews. */
export function reviewsRoutes(store: ReviewsStore): RouteDef[] {
  return [
    {
      method: 'GET',
      url: '/ratings',
      schema: response200({
        type: 'object',
        properties: { ratings: { type: 'array', items: { anyOf: [{ type: 'null' }, ratingSchema] } } },
      }),
      handler: async ({ query }) => {
        const ids = parseIdList(queryParam(query, 'ids'));
        if (!ids) return fail(badInternalCall('ids must be up to 100 comma-separated product ids'));
        return ok({ ratings: await store.ratingsOf(ids) });
      },
    },
    {
      method: 'GET',
      url: '/products/:id/reviews',
      schema: response200({
        type: 'object',
        properties: {
          count: { type: 'integer' },
          sum: { type: 'integer' },
          recent: { type: 'array', items: reviewSchema },
        },
      }),
      handler: async ({ params }) => {
        const id = parseId(params['id']);
        const r = id === null ? null : await store.productReviewsOf(id);
        return r ? ok(r) : fail(errors.productNotFound());
      },
    },
  ];
}
