/**
 * Every request the scenarios send, each with checks that fail on a wrong answer (status, and the body's known
 * prefix and exact length right after a reset: a target that serves the wrong product, a truncated page or an
 * error page with status 200 fails its check). Cheap string checks only: no JSON.parse on read paths, so the
 * load generator spends its CPU on sending load. Every request carries a `name` tag (no per-id URL tags).
 */
import { check } from 'k6';
import http, { type RefinedResponse, type ResponseType } from 'k6/http';
import { Counter } from 'k6/metrics';
import type { CategoryFact, ProductFact, SearchFact } from './data.ts';
import { info } from './data.ts';
import { REQUEST_TIMEOUT } from './profile.ts';

export const BASE_URL = (__ENV['LAB_BASE_URL'] || 'http://127.0.0.1:8080').replace(/\/+$/, '');
const ADMIN_TOKEN = __ENV['LAB_ADMIN_TOKEN'] || '';

/** Orders placed, and checkouts refused for lack of stock (a correct answer once stock runs low). */
export const ordersPlaced = new Counter('orders_placed');
export const stockConflicts = new Counter('stock_conflicts');

type Res = RefinedResponse<ResponseType | undefined>;

function body(r: Res): string {
  return typeof r.body === 'string' ? r.body : '';
}

function get(path: string, name: string): Res {
  return http.get(`${BASE_URL}${path}`, { tags: { name }, timeout: REQUEST_TIMEOUT });
}

const JSON_HEADERS = { 'content-type': 'application/json' };

export function health(): boolean {
  const r = get('/health', 'health');
  return check(r, {
    'health: 200': (x) => x.status === 200,
    'health: body': (x) => body(x).startsWith('{"status":"ok","target":"'),
  });
}

export function home(): boolean {
  const r = get('/api/home', 'home');
  return check(r, {
    'home: 200': (x) => x.status === 200,
    'home: body': (x) => {
      const b = body(x);
      return b.length === info.home.length && b.startsWith(info.home.prefix);
    },
  });
}

export function plp(c: CategoryFact, sort: string, page: number): boolean {
  const r = get(`/api/categories/${c.slug}/products?page=${page}&sort=${sort}`, 'plp');
  const expected = c.lengths[sort]?.[page - 1];
  return check(r, {
    'plp: 200': (x) => x.status === 200,
    'plp: body': (x) => {
      const b = body(x);
      return b.length === expected && b.startsWith(c.prefix);
    },
  });
}

export function pdp(p: ProductFact): boolean {
  const r = get(`/api/products/${p.id}`, 'pdp');
  return check(r, {
    'pdp: 200': (x) => x.status === 200,
    'pdp: body': (x) => {
      const b = body(x);
      return b.length === p.length && b.startsWith(p.prefix);
    },
  });
}

export function search(s: SearchFact): boolean {
  const r = get(`/api/search?q=${encodeURIComponent(s.q)}`, 'search');
  return check(r, {
    'search: 200': (x) => x.status === 200,
    'search: body': (x) => body(x).length === s.length,
  });
}

/** POST /api/carts; returns the new cart's id, or null (and a failed check). */
export function createCart(): string | null {
  const r = http.post(`${BASE_URL}/api/carts`, null, {
    tags: { name: 'cart-create' },
    timeout: REQUEST_TIMEOUT,
  });
  let id: string | null = null;
  const ok = check(r, {
    'cart-create: 201': (x) => x.status === 201,
    'cart-create: body': (x) => {
      try {
        const parsed = JSON.parse(body(x)) as { id?: unknown; items?: unknown[] };
        if (typeof parsed.id === 'string' && Array.isArray(parsed.items) && parsed.items.length === 0)
          id = parsed.id;
      } catch {
        /* not JSON: the check fails */
      }
      return id !== null;
    },
  });
  return ok ? id : null;
}

export function addItem(cartId: string, productId: number, quantity: number): boolean {
  const r = http.post(
    `${BASE_URL}/api/carts/${encodeURIComponent(cartId)}/items`,
    JSON.stringify({ productId, quantity }),
    { headers: JSON_HEADERS, tags: { name: 'cart-add' }, timeout: REQUEST_TIMEOUT },
  );
  return check(r, {
    'cart-add: 200': (x) => x.status === 200,
    'cart-add: body': (x) => {
      const b = body(x);
      return (
        b.startsWith(`{"id":${JSON.stringify(cartId)},"items":[`) && b.includes(`"productId":${productId},`)
      );
    },
  });
}

export function getCart(cartId: string): boolean {
  const r = get(`/api/carts/${encodeURIComponent(cartId)}`, 'cart-get');
  return check(r, {
    'cart-get: 200': (x) => x.status === 200,
    'cart-get: body': (x) => body(x).startsWith(`{"id":${JSON.stringify(cartId)},"items":[{`),
  });
}

const checkoutStatuses = http.expectedStatuses(201, 409);

/** POST checkout: 201 with an order, or 409 insufficient_stock (a correct answer once stock runs out). */
export function checkout(cartId: string): boolean {
  const r = http.post(`${BASE_URL}/api/carts/${encodeURIComponent(cartId)}/checkout`, null, {
    tags: { name: 'checkout' },
    timeout: REQUEST_TIMEOUT,
    responseCallback: checkoutStatuses,
  });
  const ok = check(r, {
    'checkout: 201 or 409 insufficient_stock': (x) =>
      x.status === 201 || (x.status === 409 && body(x).includes('"code":"insufficient_stock"')),
    'checkout: body': (x) =>
      x.status !== 201 || body(x).includes(`"cartId":${JSON.stringify(cartId)},"items":[{`),
  });
  if (r.status === 201) ordersPlaced.add(1);
  else if (r.status === 409) stockConflicts.add(1);
  return ok;
}

/** POST /api/admin/reset: restores stock and drops carts and orders (05 runs it in setup()). */
export function reset(): void {
  const r = http.post(`${BASE_URL}/api/admin/reset`, null, {
    headers: { 'x-lab-token': ADMIN_TOKEN },
    tags: { name: 'reset' },
    timeout: '60s',
  });
  if (r.status !== 204)
    throw new Error(`POST /api/admin/reset answered ${r.status}: is LAB_ADMIN_TOKEN right?`);
}
