// Integration: a temp PostgreSQL cluster, the real app process (migrations + seeding at start), the verify suite,
// restart and reset, the cluster process model. Skipped (with the reason) where no PostgreSQL is installed.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { generateDataset } from '@lab/contract';
import { fetchJson as json, fuzzTarget, probeBigOrder, probeRobustness, verifyTarget } from '@lab/runner';
import pg from 'pg';
import { type RunningApp, startApp, TOKEN } from './app-process.js';
import { type PgCluster, startCluster } from './pg-cluster.js';

const MIGRATIONS = ['20261123000000_init', '20261204000000_order_total_bigint'];
const migrationFile = (name: string) =>
  fileURLToPath(new URL(`../../prisma/migrations/${name}/migration.sql`, import.meta.url));

const JSON_HEADERS = { 'content-type': 'application/json' };

describe('mono against a temp PostgreSQL', () => {
  let db: PgCluster;
  let app: RunningApp;

  before(async () => {
    db = await startCluster();
    app = await startApp({ DATABASE_URL: db.url });
  });

  after(async () => {
    await app?.stop();
    db?.stop();
  });

  test('first start migrated and seeded the empty database', () => {
    assert.match(app.output(), new RegExp(`applied migrations: ${MIGRATIONS.join(', ')}`));
    assert.match(app.output(), /seeded 1200 products and \d+ reviews/);
  });

  test('passes the verify suite (including 50 concurrent checkouts against 5 units)', async () => {
    const report = await verifyTarget({ baseUrl: app.url, adminToken: TOKEN });
    const failures = report.checks.filter((c) => !c.pass).map((c) => `${c.group} / ${c.name}: ${c.detail}`);
    assert.deepEqual(failures, []);
    assert.equal(report.ok, true);
    assert.equal(report.target, 'mono');
    const concurrency = report.checks.filter((c) => c.group === 'concurrency');
    assert.ok(concurrency.length > 0, 'the concurrency checks ran');
  });

  test('server-timing, health and metrics', async () => {
    const r = await fetch(`${app.url}/api/products/1`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.match(r.headers.get('server-timing') ?? '', /^app;dur=\d+\.\d{3}, db;dur=\d+\.\d{3}$/);
    assert.equal(r.headers.get('etag'), null);
    assert.equal(r.headers.get('x-powered-by'), null);
    const h = await json(`${app.url}/health`);
    assert.deepEqual(h.body, { status: 'ok', target: 'mono' });
    const m = await (await fetch(`${app.url}/metrics`)).text();
    assert.match(
      m,
      /http_requests_total\{route="\/api\/products\/\{id\}",method="GET",status="200",target="mono"/,
    );
    for (const g of ['pg_pool_total_connections', 'pg_pool_idle_connections', 'pg_pool_waiting_clients']) {
      assert.match(m, new RegExp(`^${g}\\{target="mono",service="mono"\\} \\d+$`, 'm'));
    }
  });

  test('migrations are recorded the way prisma migrate deploy records them', async () => {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      const { rows } = await c.query(
        'SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count, logs FROM _prisma_migrations ORDER BY migration_name',
      );
      assert.deepEqual(
        rows.map((r) => r.migration_name),
        MIGRATIONS,
      );
      for (const [i, row] of rows.entries()) {
        const sha = createHash('sha256')
          .update(readFileSync(migrationFile(MIGRATIONS[i]!)))
          .digest('hex');
        assert.equal(row.checksum, sha);
        assert.ok(row.finished_at instanceof Date);
        assert.equal(row.rolled_back_at, null);
        assert.equal(row.applied_steps_count, 1);
      }
    } finally {
      await c.end();
    }
  });

  test('methods outside the spec, malformed HTTP and huge parameters get the contract JSON error', async () => {
    assert.deepEqual(await probeRobustness(app.url), []);
  });

  test('an order of 120 lines totalling more than 2^31 cents checks out (BIGINT total)', async () => {
    assert.deepEqual(await probeBigOrder(app.url, TOKEN), []);
  });

  test('schemathesis, every check and phase: 0 failures', { timeout: 600_000 }, async () => {
    for (const s of await fuzzTarget({ baseUrl: app.url, adminToken: TOKEN })) {
      assert.equal(s.code, 0, `${s.step} step:\n${s.report}`);
    }
  });

  test('a restart keeps carts, orders and stock; reset restores stock and drops carts', async () => {
    const ds = generateDataset({ seed: 42, scale: 1 });
    const stocked = ds.inventory.find((i) => i.available >= 10)!;
    const initial = stocked.available;
    const id = stocked.productId;

    const open = (await json(`${app.url}/api/carts`, { method: 'POST' })).body as { id: string };
    await json(`${app.url}/api/carts/${open.id}/items`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({ productId: id, quantity: 1 }),
    });
    const bought = (await json(`${app.url}/api/carts`, { method: 'POST' })).body as { id: string };
    await json(`${app.url}/api/carts/${bought.id}/items`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({ productId: id, quantity: 3 }),
    });
    const order = await json(`${app.url}/api/carts/${bought.id}/checkout`, { method: 'POST' });
    assert.equal(order.status, 201);

    assert.equal(await app.stop(), 0, 'SIGTERM exits 0');
    app = await startApp({ DATABASE_URL: db.url });
    assert.doesNotMatch(app.output(), /seeding/, 'a restart does not reseed');

    const detail = await json(`${app.url}/api/products/${id}`);
    assert.equal((detail.body as { inventory: { available: number } }).inventory.available, initial - 3);
    const kept = await json(`${app.url}/api/carts/${open.id}`);
    assert.equal(kept.status, 200);
    assert.deepEqual((kept.body as { items: unknown[] }).items, [
      { productId: id, quantity: 1, unitPrice: ds.prices[id - 1]!.amount },
    ]);
    const again = await json(`${app.url}/api/carts/${bought.id}/checkout`, { method: 'POST' });
    assert.equal(again.status, 409);

    const bad = await fetch(`${app.url}/api/admin/reset`, {
      method: 'POST',
      headers: { 'x-lab-token': 'nope' },
    });
    assert.equal(bad.status, 401);
    const reset = await fetch(`${app.url}/api/admin/reset`, {
      method: 'POST',
      headers: { 'x-lab-token': TOKEN },
    });
    assert.equal(reset.status, 204);
    const restored = await json(`${app.url}/api/products/${id}`);
    assert.equal((restored.body as { inventory: { available: number } }).inventory.available, initial);
    assert.equal((await json(`${app.url}/api/carts/${open.id}`)).status, 404);
    assert.equal((await json(`${app.url}/api/carts/${bought.id}`)).status, 404);
  });

  test('a different LAB_SCALE reseeds; LAB_CPUS=2 serves from two workers with aggregated metrics', async () => {
    assert.equal(await app.stop(), 0);
    app = await startApp({ DATABASE_URL: db.url, LAB_SCALE: '2', LAB_CPUS: '2' });
    assert.match(app.output(), /seeding the database: seed 42, scale 2 \(replacing\)/);
    assert.match(app.output(), /2 workers, pool \d+ each/);
    const home = await json(`${app.url}/api/home`);
    assert.equal(home.status, 200);
    const total = (home.body as { categories: { productCount: number }[] }).categories.reduce(
      (n, c) => n + c.productCount,
      0,
    );
    assert.equal(total, 2400);
    for (let i = 0; i < 20; i++) assert.equal((await fetch(`${app.url}/health`)).status, 200);
    const m = await (await fetch(`${app.url}/metrics`)).text();
    const line = /^http_requests_total\{route="\/health",method="GET",status="200",[^}]*\} (\d+)$/m.exec(m);
    assert.ok(line, m.slice(0, 500));
    assert.ok(Number(line[1]) >= 20, 'requests of both workers are counted');
    assert.match(m, /^pg_pool_total_connections\{[^}]*\} \d+$/m);
    assert.equal(await app.stop(), 0, 'the primary exits 0 after its workers');
  });
});
