/**
 * Every request the scenarios send, each with checks that fail on a wrong answer (status, and the body's known
 * prefix and exact length right after a reset: a target that serves the wrong product, a truncated page or an
 * error page with status 200 fails its check). Every request carries a `name` tag (no per-id URL tags), and so
 * does every check, so the summary breaks both out per route.
 *
 * Read paths check bodies on a sample (lib/sampling.ts): the other responses are fetched with
 * `responseType: 'none'` (k6 never turns their bodies into strings), which is what lets one k6 core drive the
 * fast targets. Their status still counts on every request: `http_req_failed` (k6's own, per request) fails the
 * run's threshold on any error status. Write paths (05, and 06's carts) check every body: they need it anyway.
 */
import { check } from 'k6';
import http, { type RefinedResponse, type ResponseType } from 'k6/http';
import { Counter } from 'k6/metrics';
import type { CategoryFact, SearchFact } from './data.ts';
import { info, productIds, products } from './data.ts';
import { countError } from './errors.ts';
import { REQUEST_TIMEOUT } from './profile.ts';
import { calibrationBody, sampleThis } from './sampling.ts';

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
  const r = http.get(`${BASE_URL}${path}`, { tags: { name }, timeout: REQUEST_TIMEOUT });
  countError(r);
  return r;
}

const JSON_HEADERS = { 'content-type': 'application/json' };
const CHECK_TAGS = {
  'cart-create': { name: 'cart-create' },
  'cart-add': { name: 'cart-add' },
  'cart-get': { name: 'cart-get' },
  checkout: { name: 'checkout' },
} as const;

interface CheckNames {
  status: string;
  body: string;
  tags: { name: string };
  none: { tags: { name: string }; timeout: string; responseType: 'none' };
}
const names = new Map<string, CheckNames>();
function checkNames(name: string): CheckNames {
  let n = names.get(name);
  if (!n) {
    const tags = { name };
    n = {
      status: `${name}: 200`,
      body: `${name}: body`,
      tags,
      none: { tags, timeout: REQUEST_TIMEOUT, responseType: 'none' },
    };
    names.set(name, n);
  }
  return n;
}

/**
 * A checked GET on a sample of requests, an unread one otherwise. Against the null endpoint (calibration) the
 * body to expect is the null server's, so the sampled requests cost k6 exactly what they cost against a target.
 */
function read(path: string, name: string, expected: () => (b: string) => boolean): boolean {
  const n = checkNames(name);
  if (!sampleThis()) {
    const r = http.get(`${BASE_URL}${path}`, n.none);
    countError(r);
    return r.status === 200;
  }
  const r = get(path, name);
  const ok = calibrationBody === null ? expected() : (b: string) => b === calibrationBody;
  return check(
    r,
    {
      [n.status]: (x) => x.status === 200,
      [n.body]: (x) => ok(body(x)),
    },
    n.tags,
  );
}

const healthOk = (b: string) => b.startsWith('{"status":"ok","target":"');
const homeOk = (b: string) => b.length === info.home.length && b.startsWith(info.home.prefix);

export function health(): boolean {
  return read('/health', 'health', () => healthOk);
}

export function home(): boolean {
  return read('/api/home', 'home', () => homeOk);
}

export function plp(c: CategoryFact, sort: string, page: number): boolean {
  const expected = c.lengths[sort]?.[page - 1];
  return read(
    `/api/categories/${c.slug}/products?page=${page}&sort=${sort}`,
    'plp',
    () => (b) => b.length === expected && b.startsWith(c.prefix),
  );
}

/** A product page by index into the popularity-ordered list; its fact is read only when the answer is checked. */
export function pdp(index: number): boolean {
  return read(`/api/products/${productIds[index]}`, 'pdp', () => {
    const p = products[index]!;
    return (b) => b.length === p.length && b.startsWith(p.prefix);
  });
}

export function search(s: SearchFact): boolean {
  return read(`/api/search?q=${encodeURIComponent(s.q)}`, 'search', () => (b) => b.length === s.length);
}

/** POST /api/carts; returns the new cart's id, or null (and a failed check). */
export function createCart(): string | null {
  const r = http.post(`${BASE_URL}/api/carts`, null, {
    tags: { name: 'cart-create' },
    timeout: REQUEST_TIMEOUT,
  });
  countError(r);
  let id: string | null = null;
  const ok = check(
    r,
    {
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
    },
    CHECK_TAGS['cart-create'],
  );
  return ok ? id : null;
}

export function addItem(cartId: string, productId: number, quantity: number): boolean {
  const r = http.post(
    `${BASE_URL}/api/carts/${encodeURIComponent(cartId)}/items`,
    JSON.stringify({ productId, quantity }),
    { headers: JSON_HEADERS, tags: { name: 'cart-add' }, timeout: REQUEST_TIMEOUT },
  );
  countError(r);
  return check(
    r,
    {
      'cart-add: 200': (x) => x.status === 200,
      'cart-add: body': (x) => {
        const b = body(x);
        return (
          b.startsWith(`{"id":${JSON.stringify(cartId)},"items":[`) && b.includes(`"productId":${productId},`)
        );
      },
    },
    CHECK_TAGS['cart-add'],
  );
}

export function getCart(cartId: string): boolean {
  const r = get(`/api/carts/${encodeURIComponent(cartId)}`, 'cart-get');
  return check(
    r,
    {
      'cart-get: 200': (x) => x.status === 200,
      'cart-get: body': (x) => body(x).startsWith(`{"id":${JSON.stringify(cartId)},"items":[{`),
    },
    CHECK_TAGS['cart-get'],
  );
}

const CHECKOUT_EXPECTED = [201, 409] as const;
const checkoutStatuses = http.expectedStatuses(...CHECKOUT_EXPECTED);

/** POST checkout: 201 with an order, or 409 insufficient_stock (a correct answer once stock runs out). */
export function checkout(cartId: string): boolean {
  const r = http.post(`${BASE_URL}/api/carts/${encodeURIComponent(cartId)}/checkout`, null, {
    tags: { name: 'checkout' },
    timeout: REQUEST_TIMEOUT,
    responseCallback: checkoutStatuses,
  });
  countError(r, CHECKOUT_EXPECTED);
  const ok = check(
    r,
    {
      'checkout: 201 or 409 insufficient_stock': (x) =>
        x.status === 201 || (x.status === 409 && body(x).includes('"code":"insufficient_stock"')),
      'checkout: body': (x) =>
        x.status !== 201 || body(x).includes(`"cartId":${JSON.stringify(cartId)},"items":[{`),
    },
    CHECK_TAGS['checkout'],
  );
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
