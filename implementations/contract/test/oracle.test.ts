import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  allowedMethods,
  type Cart,
  type CategoryPage,
  type ErrorBody,
  generateDataset,
  type Home,
  MESSAGES,
  Oracle,
  type Order,
  type ProductDetail,
  ratingAverage,
  type SearchResult,
  unmatchedRoute,
} from '../src/index.js';

const dataset = generateDataset();
const TOKEN = 'test-token-123';
const fresh = () => new Oracle(dataset, { adminToken: TOKEN });
const o = fresh();

// Independent re-statements of the contract's rules, written from the issue text, to check the oracle against.
const reviewsOf = (id: number) => dataset.reviews.filter((r) => r.productId === id);
const stats = (id: number) => {
  const rs = reviewsOf(id);
  const sum = rs.reduce((a, r) => a + r.rating, 0);
  return { count: rs.length, avg: rs.length ? Math.round((sum / rs.length) * 100 + 1e-9) / 100 : 0 };
};
const priceOf = (id: number) => dataset.prices.find((p) => p.productId === id)!.amount;
const words = (s: string) =>
  s
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);

describe('rating average', () => {
  test('rounds half up to two decimals and is 0 without reviews', () => {
    assert.equal(ratingAverage(0, 0), 0);
    assert.equal(ratingAverage(13, 3), 4.33);
    assert.equal(ratingAverage(14, 3), 4.67);
    assert.equal(ratingAverage(5, 2), 2.5);
    assert.equal(ratingAverage(1, 8), 0.13); // 12.5 -> 13
    assert.equal(ratingAverage(3, 8), 0.38); // 37.5 -> 38
    assert.equal(ratingAverage(150, 30), 5);
  });
});

describe('home', () => {
  const h = o.home().body as Home;
  test('all categories by name, with product counts summing to the catalogue', () => {
    const names = h.categories.map((c) => c.name);
    assert.deepEqual(names, [...names].sort());
    assert.equal(h.categories.length, 12);
    assert.equal(
      h.categories.reduce((a, c) => a + c.productCount, 0),
      dataset.products.length,
    );
  });
  test('featured = the 8 most reviewed products, ties by id', () => {
    const expected = dataset.products
      .map((p) => ({ id: p.id, n: stats(p.id).count }))
      .sort((a, b) => b.n - a.n || a.id - b.id)
      .slice(0, 8)
      .map((p) => p.id);
    assert.deepEqual(
      h.featured.map((p) => p.id),
      expected,
    );
  });
});

describe('category pages', () => {
  const slug = dataset.categories[3]!.slug;
  const catId = dataset.categories[3]!.id;
  const inCat = dataset.products.filter((p) => p.categoryId === catId).map((p) => p.id);
  const order = (sort: string) => {
    const key = inCat.map((id) => ({ id, price: priceOf(id), ...stats(id) }));
    const cmp: Record<string, (a: (typeof key)[0], b: (typeof key)[0]) => number> = {
      popular: (a, b) => b.count - a.count || a.id - b.id,
      price_asc: (a, b) => a.price - b.price || a.id - b.id,
      price_desc: (a, b) => b.price - a.price || a.id - b.id,
      rating: (a, b) => b.avg - a.avg || b.count - a.count || a.id - b.id,
    };
    return key.sort(cmp[sort]).map((k) => k.id);
  };
  for (const sort of ['popular', 'price_asc', 'price_desc', 'rating']) {
    test(`${sort}: every page in order, total correct`, () => {
      const all: number[] = [];
      for (let page = 1; ; page++) {
        const r = o.categoryProducts(slug, `sort=${sort}&page=${page}&pageSize=10`);
        assert.equal(r.status, 200);
        const body = r.body as CategoryPage;
        assert.equal(body.total, inCat.length);
        if (body.products.length === 0) break;
        all.push(...body.products.map((p) => p.id));
      }
      assert.deepEqual(all, order(sort));
    });
  }
  test('defaults: page 1, 24 per page, popular', () => {
    const body = o.categoryProducts(slug, '').body as CategoryPage;
    assert.equal(body.page, 1);
    assert.equal(body.pageSize, 24);
    assert.deepEqual(
      body.products.map((p) => p.id),
      order('popular').slice(0, 24),
    );
  });
  test('a page past the end is 200 with no products', () => {
    const r = o.categoryProducts(slug, 'page=999');
    assert.equal(r.status, 200);
    assert.deepEqual((r.body as CategoryPage).products, []);
  });
  test('bad parameters are 400 with the contract message, checked before the slug', () => {
    const cases: [string, string][] = [
      ['page=0', MESSAGES.page],
      ['page=x', MESSAGES.page],
      ['page=1000001', MESSAGES.page],
      ['pageSize=101', MESSAGES.pageSize],
      ['pageSize=0', MESSAGES.pageSize],
      ['sort=new', MESSAGES.sort],
      ['page=1&page=1', MESSAGES.repeated('page')],
    ];
    for (const [query, message] of cases) {
      const r = o.categoryProducts('nope', query);
      assert.equal(r.status, 400, query);
      assert.deepEqual(r.body, { error: { code: 'bad_request', message } });
    }
    assert.equal(o.categoryProducts('nope', '').status, 404);
  });
});

describe('product page', () => {
  test('card fields, category, stock and the 5 newest reviews', () => {
    const id = dataset.products.find((p) => reviewsOf(p.id).length > 6)!.id;
    const body = o.product(String(id)).body as ProductDetail;
    const expected = reviewsOf(id)
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id - b.id))
      .slice(0, 5)
      .map((r) => r.id);
    assert.deepEqual(
      body.reviews.map((r) => r.id),
      expected,
    );
    assert.equal(body.rating.count, reviewsOf(id).length);
    assert.equal(body.inventory.available, dataset.inventory[id - 1]!.available);
    assert.deepEqual(Object.keys(body), [
      'id',
      'name',
      'categoryId',
      'price',
      'inStock',
      'rating',
      'image',
      'description',
      'category',
      'inventory',
      'reviews',
    ]);
  });
  test('ids that do not name a product are 404', () => {
    for (const raw of ['0', '-1', 'x', '01', '1.0', '1201', '99999999999999999999']) {
      assert.equal(o.product(raw).status, 404, raw);
    }
  });
});

describe('search', () => {
  const brute = (q: string) =>
    dataset.products
      .filter((p) => words(q).every((t) => words(p.name).includes(t)))
      .map((p) => ({ id: p.id, n: stats(p.id).count }))
      .sort((a, b) => b.n - a.n || a.id - b.id)
      .map((p) => p.id);
  for (const q of ['desk', 'Oak DESK', 'acme!!lamp', 'pro', 'zzz', '4k', 'wireless headphones']) {
    test(`"${q}" matches whole words only, most reviewed first`, () => {
      const body = o.search(`q=${encodeURIComponent(q)}&limit=50`).body as SearchResult;
      const expected = brute(q);
      assert.equal(body.total, expected.length);
      assert.deepEqual(
        body.products.map((p) => p.id),
        expected.slice(0, 50),
      );
      assert.equal(body.query, q);
    });
  }
  test('a prefix is not a match', () => {
    assert.equal((o.search('q=des').body as SearchResult).total, 0);
  });
  test('bad queries are 400', () => {
    const cases: [string, string][] = [
      ['', MESSAGES.qMissing],
      ['q=', MESSAGES.qMissing],
      [`q=${'a'.repeat(101)}`, MESSAGES.qTooLong],
      ['q=%21%21', MESSAGES.qNoTokens],
      ['q=%C4%B0', MESSAGES.qNoTokens],
      ['q=desk&limit=0', MESSAGES.limit],
      ['q=desk&limit=51', MESSAGES.limit],
    ];
    for (const [query, message] of cases) {
      assert.deepEqual(
        o.search(query),
        { status: 400, body: { error: { code: 'bad_request', message } } },
        query,
      );
    }
    // 100 code points of a 2-unit character is still within the limit.
    assert.equal(o.search(`q=${encodeURIComponent('😀'.repeat(100))}a`).status, 400);
    assert.equal(o.search(`q=${encodeURIComponent('😀'.repeat(99))}a`).status, 200);
  });
});

describe('carts and checkout', () => {
  const json = 'application/json';
  const add = (or: Oracle, cart: string, productId: number, quantity: number) =>
    or.addItem(cart, json, JSON.stringify({ productId, quantity }));
  const stockOf = (or: Oracle, id: number) =>
    (or.product(String(id)).body as ProductDetail).inventory.available;
  const inStock = dataset.inventory.filter((i) => i.available >= 10).map((i) => i.productId);
  const none = dataset.inventory.find((i) => i.available === 0)!.productId;

  test('items accumulate per product in insertion order; totals are sums of cents', () => {
    const or = fresh();
    const cart = (or.createCart().body as Cart).id;
    const [a, b] = inStock as [number, number];
    add(or, cart, a, 2);
    add(or, cart, b, 1);
    const body = add(or, cart, a, 3).body as Cart;
    assert.deepEqual(
      body.items.map((i) => [i.productId, i.quantity, i.unitPrice]),
      [
        [a, 5, priceOf(a)],
        [b, 1, priceOf(b)],
      ],
    );
    assert.equal(body.total.amount, 5 * priceOf(a) + priceOf(b));
  });

  test('checkout decrements stock once; a second checkout is 409', () => {
    const or = fresh();
    const cart = (or.createCart().body as Cart).id;
    const a = inStock[0]!;
    const before = stockOf(or, a);
    add(or, cart, a, 4);
    const r = or.checkout(cart);
    assert.equal(r.status, 201);
    assert.equal((r.body as Order).cartId, cart);
    assert.equal(stockOf(or, a), before - 4);
    assert.equal((or.checkout(cart).body as ErrorBody).error.code, 'already_checked_out');
    assert.equal(add(or, cart, a, 1).status, 409);
  });

  test('all-or-nothing: one line without stock fails the whole order and changes nothing', () => {
    const or = fresh();
    const cart = (or.createCart().body as Cart).id;
    const a = inStock[0]!;
    const before = stockOf(or, a);
    add(or, cart, a, 1);
    add(or, cart, none, 1);
    const r = or.checkout(cart);
    assert.deepEqual(r, {
      status: 409,
      body: {
        error: { code: 'insufficient_stock', message: MESSAGES.insufficientStock(none), productId: none },
      },
    });
    assert.equal(stockOf(or, a), before);
    assert.equal(or.getCart(cart).status, 200);
    assert.equal(or.orderCount, 0);
  });

  test('errors: empty cart 409, unknown cart and product 404, bad bodies 400 in the documented order', () => {
    const or = fresh();
    const cart = (or.createCart().body as Cart).id;
    // A state of the cart, not a malformed request: a schema-valid request is never a 400.
    assert.deepEqual(or.checkout(cart).body, { error: { code: 'cart_empty', message: MESSAGES.emptyCart } });
    assert.equal(or.checkout(cart).status, 409);
    assert.equal(or.checkout('nope').status, 404);
    assert.equal(add(or, cart, 999999, 1).status, 404);
    const bad = (ct: string | undefined, body: string) =>
      (or.addItem('nope', ct, body).body as ErrorBody).error.message;
    assert.equal(bad('text/plain', '{}'), MESSAGES.contentType);
    assert.equal(bad(undefined, '{}'), MESSAGES.contentType);
    assert.equal(bad(json, '{'), MESSAGES.bodyNotObject);
    assert.equal(bad(json, '[]'), MESSAGES.bodyNotObject);
    assert.equal(bad(json, '{"quantity":1}'), MESSAGES.productId);
    assert.equal(bad(json, '{"productId":"1","quantity":1}'), MESSAGES.productId);
    assert.equal(bad(json, '{"productId":1,"quantity":100}'), MESSAGES.quantity);
    assert.equal(bad(json, '{"productId":1,"quantity":1.5}'), MESSAGES.quantity);
    assert.equal(
      bad('Application/JSON; charset=utf-8', '{"productId":1,"quantity":1}'),
      MESSAGES.cartNotFound,
    );
  });

  test('reset needs the token, restores stock and forgets carts', () => {
    const or = fresh();
    const cart = (or.createCart().body as Cart).id;
    const a = inStock[0]!;
    const before = stockOf(or, a);
    add(or, cart, a, 2);
    or.checkout(cart);
    assert.equal(or.reset(undefined).status, 401);
    assert.equal(or.reset('wrong').status, 401);
    assert.equal(stockOf(or, a), before - 2);
    assert.deepEqual(or.reset(TOKEN), { status: 204 });
    assert.equal(stockOf(or, a), before);
    assert.equal(or.getCart(cart).status, 404);
  });

  test('unknown paths are 404 route not found', () => {
    for (const [method, url] of [
      ['GET', '/nope'],
      ['GET', '/api/products/%zz'],
      ['GET', '/api/products/'],
      ['QUERY', '/api/cart'],
    ] as const) {
      assert.deepEqual(o.handle({ method, url }), {
        status: 404,
        body: { error: { code: 'not_found', message: MESSAGES.routeNotFound } },
      });
    }
  });

  test("a known path with another method is 405 method not allowed, allowing the path's methods", () => {
    for (const [method, url, allow] of [
      ['POST', '/api/home', 'GET'],
      ['DELETE', '/api/products/1', 'GET'],
      ['QUERY', '/api/carts/0', 'GET'],
      ['GET', '/api/carts/0/checkout', 'POST'],
      ['PUT', '/api/search?q=x', 'GET'],
    ] as const) {
      assert.deepEqual(o.handle({ method, url }), {
        status: 405,
        body: { error: { code: 'method_not_allowed', message: MESSAGES.methodNotAllowed } },
      });
      assert.equal(unmatchedRoute(url.split('?')[0]!).allow, allow);
    }
    assert.deepEqual(allowedMethods('/api/carts'), ['POST']);
    assert.deepEqual(allowedMethods('/api/nope'), []);
  });
});
