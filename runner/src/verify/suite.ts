import { type Catalog, type Health, PAGE_SIZE_DEFAULT, Prng, SORTS, unmatchedRoute } from '@lab/contract';
import { RESET_DEADLINE_MS } from '../lab/reset.js';
import { send } from './http.js';
import type { Verifier } from './verifier.js';

const q = (params: Record<string, string | number>) =>
  Object.entries(params)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');

/** Products worth checking one by one: edge cases first, then a seeded sample. */
export function sampleProducts(catalog: Catalog, seed: number, extra: number): number[] {
  const facts = catalog.allFacts();
  const ids = new Set<number>();
  const byReviews = [...facts].sort((a, b) => b.reviewCount - a.reviewCount || a.product.id - b.product.id);
  ids.add(facts[0]!.product.id);
  ids.add(facts[facts.length - 1]!.product.id);
  ids.add(byReviews[0]!.product.id);
  const noReviews = facts.find((f) => f.reviewCount === 0);
  if (noReviews) ids.add(noReviews.product.id);
  const onSale = facts.find((f) => f.price.compareAt !== null);
  if (onSale) ids.add(onSale.product.id);
  const outOfStock = facts.find((f) => catalog.initialStock.get(f.product.id) === 0);
  if (outOfStock) ids.add(outOfStock.product.id);
  const rng = new Prng(seed ^ 0x5eed);
  for (let i = 0; i < extra; i++) ids.add(facts[rng.int(0, facts.length - 1)]!.product.id);
  return [...ids];
}

/** Search queries built from the dataset's own words, plus the edge cases of the matching rule. */
export function searchQueries(catalog: Catalog, seed: number): string[] {
  const rng = new Prng(seed ^ 0x5ea4c4);
  const facts = catalog.allFacts();
  const words = [...catalog.wordIndex.keys()].sort();
  const out: string[] = [];
  for (let i = 0; i < 6; i++) out.push(rng.pick(words));
  for (let i = 0; i < 6; i++) {
    const name = rng.pick(facts).product.name;
    const parts = name.split(' ');
    out.push(`${parts[0]} ${parts[parts.length - 1]}`);
  }
  const full = rng.pick(facts).product.name;
  out.push(full.toUpperCase());
  out.push(`  ${full.replace(/ /g, '--')}!! `);
  const common = [...catalog.wordIndex.entries()].sort(
    (a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1),
  );
  out.push(common[0]![0]);
  out.push(`${common[0]![0]} ${common[1]![0]}`);
  out.push('zzqxj');
  const prefix = common[0]![0];
  if (prefix.length > 3) out.push(prefix.slice(0, 3));
  out.push('4k');
  out.push('café crème');
  return out;
}

function healthProblems(r: { status: number; text: string }, v: Verifier): string[] {
  if (r.status !== 200) return [`status ${r.status}, expected 200 (${r.text.slice(0, 120)})`];
  try {
    const body = JSON.parse(r.text) as Health;
    const p = v.spec.validateResponse('/health', 'GET', 200, body);
    return p.map((x) => `schema: ${x}`);
  } catch {
    return [`body is not JSON: ${r.text.slice(0, 120)}`];
  }
}

/** GET /health and GET /metrics: not byte-compared (they name the target), but shape- and type-checked. */
export async function checkOps(
  v: Verifier,
  baseUrl: string,
  timeoutMs: number,
): Promise<{ reachable: boolean; target: string | null }> {
  const health = await send(baseUrl, { method: 'GET', url: '/health' }, timeoutMs);
  if (health.status === 0) {
    v.assert('ops', 'target reachable', 'GET /health', [`no response from ${baseUrl}: ${health.text}`]);
    return { reachable: false, target: null };
  }
  v.assert('ops', 'health answers {status:"ok", target}', 'GET /health', healthProblems(health, v));
  let target: string | null = null;
  try {
    target = (JSON.parse(health.text) as Health).target;
  } catch {
    /* reported above */
  }
  const metrics = await send(baseUrl, { method: 'GET', url: '/metrics' }, timeoutMs);
  const problems: string[] = [];
  if (metrics.status !== 200) problems.push(`status ${metrics.status}, expected 200`);
  else {
    if (!(metrics.contentType ?? '').startsWith('text/plain'))
      problems.push(`content-type "${metrics.contentType}"`);
    if (!/^# (HELP|TYPE) /m.test(metrics.text))
      problems.push('no "# HELP"/"# TYPE" lines: not Prometheus text');
  }
  v.assert('ops', 'metrics in Prometheus text format', 'GET /metrics', problems);
  return { reachable: true, target };
}

/**
 * The storefront and cross-origin access: every target serves the same UI at `/`, every API response allows the
 * UI's cross-origin calls (and exposes server-timing), and a CORS preflight on a contract path is answered.
 */
export async function checkWebAndCors(v: Verifier, baseUrl: string, timeoutMs: number): Promise<void> {
  const g = 'ui & cors';
  const page = await send(baseUrl, { method: 'GET', url: '/' }, timeoutMs);
  const pageProblems: string[] = [];
  if (page.status !== 200) pageProblems.push(`status ${page.status}, expected 200`);
  if (!(page.contentType ?? '').startsWith('text/html'))
    pageProblems.push(`content-type "${page.contentType}"`);
  if (!/<html/i.test(page.text)) pageProblems.push('no <html> document');
  v.assert(g, 'the storefront is served at /', 'GET /', pageProblems);

  const api = await send(baseUrl, { method: 'GET', url: '/api/home' }, timeoutMs);
  const corsProblems: string[] = [];
  if (api.headers['access-control-allow-origin'] !== '*') {
    corsProblems.push(`access-control-allow-origin "${api.headers['access-control-allow-origin'] ?? ''}"`);
  }
  if (!/server-timing/i.test(api.headers['access-control-expose-headers'] ?? '')) {
    corsProblems.push('access-control-expose-headers does not name server-timing');
  }
  v.assert(
    g,
    'API responses allow cross-origin reads of body and server-timing',
    'GET /api/home',
    corsProblems,
  );

  const pre = await send(
    baseUrl,
    {
      method: 'OPTIONS',
      url: '/api/carts/any/items',
      headers: {
        origin: 'http://127.0.0.1:1',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    },
    timeoutMs,
  );
  const preProblems: string[] = [];
  if (pre.status !== 204 && pre.status !== 200) preProblems.push(`status ${pre.status}, expected 204`);
  if (pre.headers['access-control-allow-origin'] !== '*')
    preProblems.push('no access-control-allow-origin: *');
  if (!/POST/i.test(pre.headers['access-control-allow-methods'] ?? '')) preProblems.push('POST not allowed');
  if (!/content-type/i.test(pre.headers['access-control-allow-headers'] ?? '')) {
    preProblems.push('content-type not an allowed header');
  }
  v.assert(g, 'CORS preflight on a contract path', 'OPTIONS /api/carts/{id}/items', preProblems);
  await v.exchange(g, 'OPTIONS on an unknown path is still the contract 404', {
    method: 'OPTIONS',
    url: '/api/nope',
  });
}

export async function checkReset(v: Verifier, token: string): Promise<boolean> {
  await v.exchange('reset', 'reset without a token is 401', { method: 'POST', url: '/api/admin/reset' });
  await v.exchange('reset', 'reset with a wrong token is 401', {
    method: 'POST',
    url: '/api/admin/reset',
    headers: { 'x-lab-token': `${token}-wrong` },
  });
  // The first reset after a start deletes whatever carts and orders the last session left: it is given the
  // benchmark loop's reset deadline, not the per-request timeout (verify checks that it works, not how fast).
  const r = await v.exchange(
    'reset',
    'reset with the token is 204',
    { method: 'POST', url: '/api/admin/reset', headers: { 'x-lab-token': token } },
    { timeoutMs: RESET_DEADLINE_MS },
  );
  return r.pass;
}

export async function checkHome(v: Verifier): Promise<boolean> {
  const r = await v.exchange('home', 'home page', { method: 'GET', url: '/api/home' });
  return r.pass;
}

export async function checkCategories(v: Verifier): Promise<void> {
  const c = v.oracle.catalog;
  for (const row of c.categoriesByName) {
    const base = `/api/categories/${row.slug}/products`;
    const total = c.productCount.get(row.id) ?? 0;
    const lastPage = Math.max(1, Math.ceil(total / PAGE_SIZE_DEFAULT));
    await v.exchange('category', `${row.slug}: defaults`, { method: 'GET', url: base });
    for (const sort of SORTS) {
      for (const page of [1, 2, lastPage, lastPage + 1]) {
        await v.exchange('category', `${row.slug}: ${sort} page ${page}`, {
          method: 'GET',
          url: `${base}?${q({ sort, page })}`,
        });
      }
    }
  }
  const first = c.categoriesByName[0]!.slug;
  const base = `/api/categories/${first}/products`;
  const valid: [string, string][] = [
    ['pageSize=1', q({ pageSize: 1 })],
    ['pageSize=100', q({ pageSize: 100, sort: 'price_desc' })],
    ['pageSize=7 page=3', q({ page: 3, pageSize: 7, sort: 'rating' })],
    ['page=1000000 (past the end)', q({ page: 1000000 })],
    ['leading zeros', 'page=002&pageSize=010'],
    ['unknown parameter ignored', q({ colour: 'red' })],
  ];
  for (const [name, query] of valid) {
    await v.exchange('category', name, { method: 'GET', url: `${base}?${query}` });
  }
  const invalid: [string, string][] = [
    ['page=0', 'page=0'],
    ['page=-1', 'page=-1'],
    ['page=1.5', 'page=1.5'],
    ['page=abc', 'page=abc'],
    ['page empty', 'page='],
    ['page=1000001', 'page=1000001'],
    ['page repeated', 'page=1&page=2'],
    ['pageSize=0', 'pageSize=0'],
    ['pageSize=101', 'pageSize=101'],
    ['pageSize=1e2', 'pageSize=1e2'],
    ['sort unknown', 'sort=newest'],
    ['sort wrong case', 'sort=PRICE_ASC'],
    ['sort repeated', 'sort=popular&sort=rating'],
    ['page checked before pageSize', 'page=0&pageSize=0'],
  ];
  for (const [name, query] of invalid) {
    await v.exchange('category errors', name, { method: 'GET', url: `${base}?${query}` });
  }
  await v.exchange('category errors', 'unknown slug', {
    method: 'GET',
    url: '/api/categories/no-such-thing/products',
  });
  await v.exchange('category errors', 'slug is case-sensitive', {
    method: 'GET',
    url: `/api/categories/${first.toUpperCase()}/products`,
  });
  await v.exchange('category errors', 'bad query wins over unknown slug', {
    method: 'GET',
    url: '/api/categories/no-such-thing/products?page=0',
  });
}

export async function checkProducts(v: Verifier, ids: number[]): Promise<void> {
  for (const id of ids) {
    await v.exchange('product', `product ${id}`, { method: 'GET', url: `/api/products/${id}` });
  }
  const n = v.oracle.catalog.dataset.products.length;
  for (const bad of ['0', '-1', 'abc', '01', '1.0', String(n + 1), '99999999999999999999', '1e3', '%20']) {
    await v.exchange('product errors', `unknown id "${bad}"`, { method: 'GET', url: `/api/products/${bad}` });
  }
}

export async function checkSearch(v: Verifier, queries: string[]): Promise<void> {
  for (const text of queries) {
    await v.exchange('search', `q="${text}"`, { method: 'GET', url: `/api/search?${q({ q: text })}` });
  }
  const common = queries[queries.length - 4]!;
  await v.exchange('search', 'limit=1', { method: 'GET', url: `/api/search?${q({ q: common, limit: 1 })}` });
  await v.exchange('search', 'limit=50', {
    method: 'GET',
    url: `/api/search?${q({ q: common, limit: 50 })}`,
  });
  await v.exchange('search', 'space as +', { method: 'GET', url: `/api/search?q=${common}+${common}` });
  await v.exchange('search', '100 characters', {
    method: 'GET',
    url: `/api/search?${q({ q: 'a'.repeat(100) })}`,
  });
  const invalid: [string, string][] = [
    ['q missing', ''],
    ['q empty', 'q='],
    ['q over 100 characters', q({ q: 'a'.repeat(101) })],
    ['q without letters or digits', q({ q: '!!! ---' })],
    ['q only non-ASCII', q({ q: 'éü' })],
    ['q repeated', 'q=a&q=b'],
    ['limit=0', q({ q: common, limit: 0 })],
    ['limit=51', q({ q: common, limit: 51 })],
    ['limit=abc', q({ q: common, limit: 'abc' })],
    ['limit checked after q', 'limit=0'],
  ];
  for (const [name, query] of invalid) {
    await v.exchange('search errors', name, { method: 'GET', url: `/api/search?${query}` });
  }
}

export async function checkUnknownRoutes(v: Verifier): Promise<void> {
  const cases: [string, string][] = [
    ['GET', '/api'],
    ['GET', '/api/nope'],
    ['GET', '/nope'],
    ['GET', '/api/products'],
    ['POST', '/api/home'],
    ['DELETE', '/api/products/1'],
    ['PUT', '/api/products/1'],
    ['GET', '/api/carts'],
    ['GET', '/api/admin/reset'],
    ['DELETE', '/api/carts/whatever'],
    ['QUERY', '/api/carts/0'],
  ];
  for (const [method, url] of cases) {
    const { res } = await v.exchange('unknown routes', `${method} ${url}`, { method, url });
    const allow = unmatchedRoute(url).allow;
    if (allow === undefined || res.status !== 405) continue;
    const got = res.headers['allow'];
    const problems = got === allow ? [] : [`allow header "${got ?? ''}", expected "${allow}"`];
    v.assert('unknown routes', `${method} ${url} names the path's methods`, `${method} ${url}`, problems);
  }
}

/** Picks products for the write flow from the dataset: plenty of stock, little stock, none. */
function writeFixtures(c: Catalog) {
  const facts = c.allFacts();
  const stock = (id: number) => c.initialStock.get(id) ?? 0;
  const plenty = facts.filter((f) => stock(f.product.id) >= 50);
  const little = facts.filter((f) => stock(f.product.id) >= 2 && stock(f.product.id) <= 20);
  const none = facts.find((f) => stock(f.product.id) === 0);
  if (plenty.length < 3 || little.length < 3 || !none)
    throw new Error('dataset lacks the products the write flow needs');
  return {
    a: plenty[0]!.product.id,
    b: plenty[1]!.product.id,
    c: plenty[2]!.product.id,
    low: little[0]!.product.id,
    low2: little[1]!.product.id,
    sellOut: little[2]!.product.id,
    none: none.product.id,
    stock,
  };
}

const JSON_HEADERS = { 'content-type': 'application/json' };

type Fixtures = ReturnType<typeof writeFixtures>;
type Cart = NonNullable<Awaited<ReturnType<Verifier['createCart']>>>;

/** Adding to a cart: accumulation, a charset in the content-type, extra fields ignored. */
async function cartAdds(v: Verifier, f: Fixtures, cart: Cart): Promise<void> {
  const g = 'cart';
  await v.cartExchange(g, 'empty cart', cart, 'GET', '');
  await v.cartExchange(g, 'add a product', cart, 'POST', '/items', { productId: f.a, quantity: 2 });
  await v.cartExchange(g, 'add a second product', cart, 'POST', '/items', { productId: f.b, quantity: 1 });
  await v.cartExchange(g, 'same product accumulates', cart, 'POST', '/items', {
    productId: f.a,
    quantity: 3,
  });
  await v.cartExchange(
    g,
    'content-type with charset',
    cart,
    'POST',
    '/items',
    { productId: f.c, quantity: 1 },
    {
      'content-type': 'application/json; charset=utf-8',
    },
  );
  await v.cartExchange(g, 'extra body fields ignored', cart, 'POST', '/items', {
    productId: f.c,
    quantity: 1,
    note: 'gift',
  });
  await v.cartExchange(g, 'cart after adds', cart, 'GET', '');
}

/** Every rejected add and every unknown cart, each with the contract's exact error. */
async function cartErrors(v: Verifier, f: Fixtures, cart: Cart, other: Cart): Promise<void> {
  const e = 'cart errors';
  const bodies: [string, unknown, Record<string, string>?][] = [
    [
      'content-type text/plain',
      JSON.stringify({ productId: f.a, quantity: 1 }),
      { 'content-type': 'text/plain' },
    ],
    ['no content-type', JSON.stringify({ productId: f.a, quantity: 1 }), {}],
    ['body not JSON', '{"productId":', JSON_HEADERS],
    ['body is an array', [{ productId: f.a, quantity: 1 }]],
    ['body is null', 'null', JSON_HEADERS],
    ['productId missing', { quantity: 1 }],
    ['productId as string', { productId: String(f.a), quantity: 1 }],
    ['productId 0', { productId: 0, quantity: 1 }],
    ['productId 1.5', { productId: 1.5, quantity: 1 }],
    ['quantity missing', { productId: f.a }],
    ['quantity 0', { productId: f.a, quantity: 0 }],
    ['quantity 100', { productId: f.a, quantity: 100 }],
    ['quantity 2.5', { productId: f.a, quantity: 2.5 }],
    ['quantity as string', { productId: f.a, quantity: '2' }],
  ];
  for (const [name, body, headers] of bodies) {
    await v.cartExchange(e, name, cart, 'POST', '/items', body, headers ?? JSON_HEADERS);
  }
  const n = v.oracle.catalog.dataset.products.length;
  await v.cartExchange(e, 'unknown product', cart, 'POST', '/items', { productId: n + 1, quantity: 1 });
  for (const ghost of ['no-such-cart', '000000000000000000000000', '00000000-0000-0000-0000-000000000000']) {
    const fake = { targetId: ghost, oracleId: ghost };
    await v.cartExchange(e, `unknown cart "${ghost}" (GET)`, fake, 'GET', '');
    await v.cartExchange(e, `unknown cart "${ghost}" (add)`, fake, 'POST', '/items', {
      productId: f.a,
      quantity: 1,
    });
    await v.cartExchange(e, `unknown cart "${ghost}" (checkout)`, fake, 'POST', '/checkout');
  }
  await v.cartExchange(
    e,
    'bad body wins over unknown cart',
    { targetId: 'x', oracleId: 'x' },
    'POST',
    '/items',
    {
      quantity: 1,
    },
  );
  await v.cartExchange(e, 'checkout an empty cart', other, 'POST', '/checkout');
}

/** Checkout, then everything a checked-out cart refuses. */
async function checkoutOnce(v: Verifier, f: Fixtures, cart: Cart): Promise<void> {
  const k = 'checkout';
  await v.cartExchange(k, 'checkout', cart, 'POST', '/checkout');
  await v.exchange(k, `stock of ${f.a} decremented`, { method: 'GET', url: `/api/products/${f.a}` });
  await v.cartExchange(k, 'checkout twice is 409', cart, 'POST', '/checkout');
  await v.cartExchange(k, 'add to a checked-out cart is 409', cart, 'POST', '/items', {
    productId: f.a,
    quantity: 1,
  });
  await v.cartExchange(k, 'bad body wins over checked-out cart', cart, 'POST', '/items', { productId: f.a });
  await v.cartExchange(k, 'checked-out cart still readable', cart, 'GET', '');
}

/** All-or-nothing, out of stock, and selling out exactly the remaining stock. */
async function checkoutStock(v: Verifier, f: Fixtures): Promise<void> {
  const k = 'checkout';
  // All-or-nothing: the first line has stock, the second does not; nothing may change.
  const partial = await v.createCart(k, 'create a cart for a partial-stock checkout');
  if (partial) {
    await v.cartExchange(k, 'add an in-stock line', partial, 'POST', '/items', {
      productId: f.b,
      quantity: 1,
    });
    const lowQty = f.stock(f.low) + 1;
    await v.cartExchange(k, 'add more than the stock', partial, 'POST', '/items', {
      productId: f.low,
      quantity: lowQty,
    });
    await v.cartExchange(k, 'insufficient stock is 409 naming the product', partial, 'POST', '/checkout');
    await v.exchange(k, `stock of ${f.b} unchanged after the failed checkout`, {
      method: 'GET',
      url: `/api/products/${f.b}`,
    });
    await v.exchange(k, `stock of ${f.low} unchanged after the failed checkout`, {
      method: 'GET',
      url: `/api/products/${f.low}`,
    });
    await v.cartExchange(k, 'the failed cart stays open', partial, 'GET', '');
  }
  const zero = await v.createCart(k, 'create a cart for an out-of-stock product');
  if (zero) {
    await v.cartExchange(k, 'add an out-of-stock product', zero, 'POST', '/items', {
      productId: f.none,
      quantity: 1,
    });
    await v.cartExchange(k, 'checkout out of stock is 409', zero, 'POST', '/checkout');
  }
  // Exactly the remaining stock sells out the product: inStock turns false everywhere.
  const all = await v.createCart(k, 'create a cart buying the whole stock');
  if (all) {
    await v.cartExchange(k, 'add the whole stock', all, 'POST', '/items', {
      productId: f.sellOut,
      quantity: f.stock(f.sellOut),
    });
    await v.cartExchange(k, 'checkout the whole stock', all, 'POST', '/checkout');
    await v.exchange(k, `product ${f.sellOut} now out of stock`, {
      method: 'GET',
      url: `/api/products/${f.sellOut}`,
    });
    const slug = v.oracle.catalog.get(f.sellOut)!.category.slug;
    await v.exchange(k, 'category page shows it out of stock', {
      method: 'GET',
      url: `/api/categories/${slug}/products?pageSize=100&sort=price_asc`,
    });
  }
}

export async function checkCartFlow(v: Verifier): Promise<void> {
  const g = 'cart';
  const f = writeFixtures(v.oracle.catalog);
  const cart = await v.createCart(g);
  const other = await v.createCart(g, 'create a second cart');
  if (!cart || !other) {
    v.assert(g, 'cart flow', 'POST /api/carts', [
      'cannot create carts: the rest of the write flow was skipped',
    ]);
    return;
  }
  v.assert(
    g,
    'cart ids are distinct',
    'POST /api/carts',
    cart.targetId === other.targetId ? ['same id twice'] : [],
  );
  await cartAdds(v, f, cart);
  await cartErrors(v, f, cart, other);
  await checkoutOnce(v, f, cart);
  await checkoutStock(v, f);
}

/**
 * No oversell under concurrency: bring a product's stock down to `left`, then check out `carts` one-unit carts at
 * once. Exactly `left` may succeed, the rest must be 409 insufficient_stock, and the stock must end at 0.
 */
export async function checkConcurrentCheckout(
  v: Verifier,
  baseUrl: string,
  timeoutMs: number,
  left = 5,
  carts = 50,
): Promise<void> {
  const g = 'concurrency';
  const c = v.oracle.catalog;
  const facts = c.allFacts();
  const target = facts.find((f) => v.oracle.available(f.product.id) >= left + 1);
  if (!target) return;
  const id = target.product.id;
  const drain = v.oracle.available(id) - left;
  const prep = await v.createCart(g, `create a cart draining product ${id} to ${left}`);
  if (!prep) return;
  for (let rest = drain; rest > 0; rest -= 99) {
    await v.cartExchange(g, 'add units', prep, 'POST', '/items', {
      productId: id,
      quantity: Math.min(99, rest),
    });
  }
  await v.cartExchange(g, `drain to ${left}`, prep, 'POST', '/checkout');

  const ids: string[] = [];
  for (let i = 0; i < carts; i++) {
    const r = await send(baseUrl, { method: 'POST', url: '/api/carts' }, timeoutMs);
    const cartId = r.status === 201 ? (JSON.parse(r.text) as { id?: string }).id : undefined;
    if (!cartId) {
      v.assert(g, 'create carts', 'POST /api/carts', [`status ${r.status}: ${r.text.slice(0, 120)}`]);
      return;
    }
    ids.push(cartId);
    const add = await send(
      baseUrl,
      {
        method: 'POST',
        url: `/api/carts/${encodeURIComponent(cartId)}/items`,
        headers: JSON_HEADERS,
        body: JSON.stringify({ productId: id, quantity: 1 }),
      },
      timeoutMs,
    );
    if (add.status !== 200) {
      v.assert(g, 'fill carts', 'POST /api/carts/{id}/items', [
        `status ${add.status}: ${add.text.slice(0, 120)}`,
      ]);
      return;
    }
  }
  const t0 = performance.now();
  const results = await Promise.all(
    ids.map((cartId) =>
      send(baseUrl, { method: 'POST', url: `/api/carts/${encodeURIComponent(cartId)}/checkout` }, timeoutMs),
    ),
  );
  const ms = performance.now() - t0;
  const ok = results.filter((r) => r.status === 201).length;
  const conflicts = results.filter(
    (r) =>
      r.status === 409 && r.text.includes('"insufficient_stock"') && r.text.includes(`"productId":${id}`),
  ).length;
  const problems: string[] = [];
  if (ok !== left) problems.push(`${ok} checkouts succeeded, expected exactly ${left}`);
  if (ok + conflicts !== carts) {
    const other = results.find((r) => r.status !== 201 && r.status !== 409);
    problems.push(
      `${carts - ok - conflicts} answers were neither 201 nor 409 insufficient_stock` +
        (other ? ` (e.g. ${other.status} ${other.text.slice(0, 100)})` : ''),
    );
  }
  v.assert(g, `${carts} concurrent checkouts for ${left} units`, 'POST /api/carts/{id}/checkout', problems);
  v.checks[v.checks.length - 1]!.ms = ms;
  // Mirror the successful checkouts in the oracle so later comparisons see the same stock.
  for (let i = 0; i < ok; i++) {
    const cart = v.oracle.createCart().body as { id: string };
    v.oracle.addParsedItem(cart.id, { productId: id, quantity: 1 });
    v.oracle.checkout(cart.id);
  }
  await v.exchange(g, `product ${id} ends with 0 in stock`, { method: 'GET', url: `/api/products/${id}` });
}

export async function checkResetRestores(v: Verifier, token: string, probeId: number): Promise<void> {
  const cart = await v.createCart('reset', 'create a cart before reset');
  await v.exchange(
    'reset',
    'reset',
    { method: 'POST', url: '/api/admin/reset', headers: { 'x-lab-token': token } },
    { timeoutMs: RESET_DEADLINE_MS },
  );
  await v.exchange('reset', `stock of ${probeId} restored`, {
    method: 'GET',
    url: `/api/products/${probeId}`,
  });
  if (cart) {
    const { url, oracleUrl } = v.cartUrl(cart);
    await v.exchange('reset', 'carts are gone after reset', { method: 'GET', url }, { oracleUrl });
  }
  await checkHome(v);
}
