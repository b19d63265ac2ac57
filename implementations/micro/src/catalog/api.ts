import { errors, PAGE_MAX, PAGE_SIZE_MAX, SEARCH_LIMIT_MAX, SORTS, type Sort } from '@lab/contract';
import { fail, ok, type RouteDef } from '../lib/http.js';
import { badInternalCall, intParam, parseId, queryParam } from '../lib/params.js';
import { categorySchema, listingRowSchema, response200 } from '../lib/schemas.js';
import type { CatalogStore } from './store.js';

const rows = { type: 'array', items: listingRowSchema } as const;
const TOKEN = /^[a-z0-9]+$/;

/**
 * catalog's internal API (called by the BFF only). Plain handlers over CatalogStore: the same functions could be
 * called in-process by a composed build.
 */
export function catalogRoutes(store: CatalogStore): RouteDef[] {
  return [
    {
      method: 'GET',
      url: '/home',
      schema: response200({
        type: 'object',
        properties: { categories: { type: 'array', items: categorySchema }, featured: rows },
      }),
      handler: async () => ok(await store.home()),
    },
    {
      method: 'GET',
      url: '/categories/:slug/products',
      schema: response200({
        type: 'object',
        properties: { category: categorySchema, total: { type: 'integer' }, products: rows },
      }),
      handler: async ({ params, query }) => {
        const page = intParam(queryParam(query, 'page'), 1, PAGE_MAX);
        const pageSize = intParam(queryParam(query, 'pageSize'), 1, PAGE_SIZE_MAX);
        const sort = queryParam(query, 'sort') as Sort | undefined;
        if (page === null || pageSize === null || !sort || !SORTS.includes(sort)) {
          return fail(badInternalCall('page, pageSize and sort are required'));
        }
        const r = await store.categoryPage(params['slug']!, page, pageSize, sort);
        return r ? ok(r) : fail(errors.categoryNotFound());
      },
    },
    {
      method: 'GET',
      url: '/search',
      schema: response200({ type: 'object', properties: { total: { type: 'integer' }, products: rows } }),
      handler: async ({ query }) => {
        const tokens = (queryParam(query, 'tokens') ?? '').split(',');
        const limit = intParam(queryParam(query, 'limit'), 1, SEARCH_LIMIT_MAX);
        if (limit === null || !tokens.every((t) => TOKEN.test(t))) {
          return fail(badInternalCall('tokens ([a-z0-9]+, comma-separated) and limit are required'));
        }
        return ok(await store.search(tokens, limit));
      },
    },
    {
      method: 'GET',
      url: '/products/:id',
      handler: async ({ params }) => {
        const id = parseId(params['id']);
        const p = id === null ? null : await store.product(id);
        return p ? ok(p) : fail(errors.productNotFound());
      },
    },
  ];
}
