// Scenario 09's routing, read from the lab's own docker-compose.yml: which hops each target has, and how a
// service's environment is rewritten to go through the proxies.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadCompose, resolveProfile } from '../src/lab/compose.js';
import { repoRoot } from '../src/lib/env-file.js';
import { applyRoutes, findHops, parseRoutes, routeValue, upstreams } from '../src/lab/hop-routes.js';

const compose = loadCompose(repoRoot(), { PATH: process.env['PATH'] });
const hopsOf = (profile: string) => findHops(resolveProfile(compose, profile));

describe("the lab's targets' internal hops", () => {
  test('micro: the BFF to each service, orders to pricing and inventory, every service to its database', () => {
    const hops = hopsOf('micro');
    const bff = hops.filter((h) => h.service === 'bff').map((h) => `${h.variable}=${h.upstream}`);
    assert.deepEqual(bff, [
      'CATALOG_URL=127.0.0.1:3001',
      'INVENTORY_URL=127.0.0.1:3003',
      'ORDERS_URL=127.0.0.1:3005',
      'PRICING_URL=127.0.0.1:3002',
      'REVIEWS_URL=127.0.0.1:3004',
    ]);
    const orders = hops.filter((h) => h.service === 'orders').map((h) => h.variable);
    assert.deepEqual(orders, ['INVENTORY_URL', 'MONGO_URL', 'PRICING_URL']);
    for (const s of ['catalog', 'pricing', 'inventory', 'reviews'])
      assert.ok(
        hops.some((h) => h.service === s && h.variable === 'MONGO_URL'),
        s,
      );
    assert.ok(!hops.some((h) => h.service === 'micro-seed'), 'a one-shot is not on the request path');
    assert.equal(upstreams(hops).length, 6, 'five services and one database: one proxy each');
  });

  test('microlith: only the database; mono: only the database; harper: none', () => {
    assert.deepEqual(upstreams(hopsOf('microlith')), ['127.0.0.1:27117']);
    assert.deepEqual(upstreams(hopsOf('mono')), ['127.0.0.1:5433']);
    assert.deepEqual(hopsOf('harper'), []);
  });
});

describe('routing', () => {
  const routes = { '127.0.0.1:27017': '127.0.0.1:40001', '127.0.0.1:3001': '127.0.0.1:40002' };

  test('rewrites the address of a routed URL and keeps the rest', () => {
    assert.equal(routeValue('mongodb://127.0.0.1:27017', routes), 'mongodb://127.0.0.1:40001');
    assert.equal(routeValue('http://localhost:3001/x?y=1', routes), 'http://127.0.0.1:40002/x?y=1');
    assert.equal(
      routeValue('postgresql://lab:lab@127.0.0.1:27017/lab', routes),
      'postgresql://lab:lab@127.0.0.1:40001/lab',
    );
    assert.equal(
      routeValue('http://127.0.0.1:30011', routes),
      'http://127.0.0.1:30011',
      'not a prefix match',
    );
    assert.equal(routeValue('127.0.0.1:27017', routes), '127.0.0.1:27017', 'not a URL');
  });

  test('applies to a whole environment, and to nothing without routes', () => {
    const env = { MONGO_URL: 'mongodb://127.0.0.1:27017', HOST: '127.0.0.1', PORT: '3001' };
    applyRoutes(env, null);
    assert.equal(env.MONGO_URL, 'mongodb://127.0.0.1:27017');
    applyRoutes(env, routes);
    assert.deepEqual(env, { MONGO_URL: 'mongodb://127.0.0.1:40001', HOST: '127.0.0.1', PORT: '3001' });
  });

  test('refuses malformed LAB_HOP_ROUTES with a clear message', () => {
    assert.equal(parseRoutes(undefined), null);
    assert.equal(parseRoutes(''), null);
    assert.deepEqual(parseRoutes(JSON.stringify(routes)), routes);
    assert.throws(() => parseRoutes('{'), /LAB_HOP_ROUTES is not JSON/);
    assert.throws(() => parseRoutes('[1]'), /must be a JSON object/);
    assert.throws(() => parseRoutes('{"10.0.0.1:1":"127.0.0.1:2"}'), /10\.0\.0\.1:1/);
  });
});
