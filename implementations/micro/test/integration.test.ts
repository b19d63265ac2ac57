// The whole target from scratch, once on each server micro runs on without a mongod (in a temp dir, as the lab
// runs it: mongo-java-server with the app-side locks off, FerretDB on PostgreSQL with them on; five services, the
// BFF, all on free loopback ports): the contract's verify suite must pass (including 50 concurrent checkouts
// against 5 units), then saga checks of our own, then the stock ledger must show no leaked reservation.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateDataset } from '@lab/contract';
import { verifyTarget } from '@lab/runner';
import { MongoClient } from 'mongodb';
import {
  available,
  cartWith,
  PROCESSES,
  post,
  raceMultiLineCarts,
  type Stack,
  startStack,
  type TestServer,
  TOKEN,
  waitHealthy,
} from './harness.js';

interface Audit {
  states: Record<string, number>;
  products: number;
  mismatches: unknown[];
}

async function auditOf(stack: Stack): Promise<Audit> {
  const r = await fetch(`${stack.url('inventory')}/reservations/audit`, {
    headers: { 'x-lab-token': TOKEN },
  });
  return (await r.json()) as Audit;
}

const SERVERS: { server: TestServer; locks: 'on' | 'off' }[] = [
  { server: 'mongo-java-server', locks: 'off' },
  { server: 'ferretdb', locks: 'on' },
];

for (const { server, locks } of SERVERS)
  describe(`micro: the whole stack on ${server}`, { timeout: 900_000 }, () => {
    let stack: Stack;

    before(async () => {
      // FerretDB is far slower than mongod on one core: generous deadlines keep this a correctness test.
      stack = await startStack({ server, env: { UPSTREAM_TIMEOUT_MS: '30000' } });
    });

    it(`names the server and runs with the per-document locks ${locks} (MICRO_DOC_LOCKS=auto)`, () => {
      const banner = stack.procs.inventory.output.join('');
      assert.match(banner, new RegExp(`doc locks ${locks}`), banner);
      assert.match(
        banner,
        server === 'ferretdb' ? /on ferretdb v1/ : /on mongo-java-server 1\.46\.0 \(memory\)/,
      );
    });

    after(async () => {
      await stack?.stop();
    });

    it('passes the verify suite', async () => {
      const report = await verifyTarget({ baseUrl: stack.bffUrl, adminToken: TOKEN, timeoutMs: 60_000 });
      const failed = report.checks.filter((c) => !c.pass);
      assert.ok(
        report.ok,
        `${failed.length} of ${report.total} checks failed:\n` +
          failed.map((c) => `[${c.group}] ${c.name}: ${c.request}: ${c.detail}`).join('\n'),
      );
      assert.equal(report.target, 'micro');
    });

    it('resets after checkouts touched hundreds of products (no multi-statement write FerretDB deadlocks on)', async () => {
      const base = stack.bffUrl;
      const stock = generateDataset({ seed: 42, scale: 1 }).inventory.filter((i) => i.available >= 1);
      const touched = stock.slice(0, 250).map((i) => i.productId);
      for (let c = 0; c < touched.length; c += 25) {
        const id = await cartWith(
          base,
          touched.slice(c, c + 25).map((p): [number, number] => [p, 1]),
        );
        const r = await post(base, `/api/carts/${id}/checkout`);
        assert.equal(r.status, 201, r.text);
      }
      const first = stock[0]!;
      const last = stock[249]!;
      assert.equal(await available(base, first.productId), first.available - 1);
      const r = await fetch(`${base}/api/admin/reset`, {
        method: 'POST',
        headers: { 'x-lab-token': TOKEN },
        signal: AbortSignal.timeout(90_000),
      });
      assert.equal(r.status, 204, await r.text());
      assert.equal(await available(base, first.productId), first.available);
      assert.equal(await available(base, last.productId), last.available);
      // The database still answers writes: a deadlocked FerretDB would hang here.
      const again = await cartWith(base, [[first.productId, 1]]);
      assert.equal((await post(base, `/api/carts/${again}/checkout`)).status, 201);
      assert.equal(
        (await fetch(`${base}/api/admin/reset`, { method: 'POST', headers: { 'x-lab-token': TOKEN } }))
          .status,
        204,
      );
    });

    it('checks out one cart exactly once under concurrency (409 already_checked_out)', async () => {
      const base = stack.bffUrl;
      const id = await cartWith(base, [[3, 1]]);
      const results = await Promise.all(
        Array.from({ length: 10 }, () => post(base, `/api/carts/${id}/checkout`)),
      );
      assert.equal(results.filter((r) => r.status === 201).length, 1, JSON.stringify(results));
      const conflicts = results.filter((r) => r.status === 409 && r.text.includes('"already_checked_out"'));
      assert.equal(conflicts.length, 9, JSON.stringify(results));
    });

    it('is all-or-nothing for multi-line carts under concurrency, and leaks no reservation', async () => {
      const { ok } = await raceMultiLineCarts(stack.bffUrl, 20, 3);
      const audit = await auditOf(stack);
      assert.deepEqual(audit.mismatches, [], JSON.stringify(audit));
      assert.equal(audit.states['pending'], 0, JSON.stringify(audit));
      assert.equal(audit.states['reserved'], 0, JSON.stringify(audit));
      assert.equal(audit.states['cancelled'], 0, JSON.stringify(audit));
      assert.ok((audit.states['committed'] ?? 0) >= ok + 1, JSON.stringify(audit));
    });

    it('sends server-timing with one entry per upstream hop', async () => {
      const r = await fetch(`${stack.bffUrl}/api/products/5`);
      assert.equal(r.status, 200);
      const st = r.headers.get('server-timing') ?? '';
      for (const s of ['app', 'catalog', 'pricing', 'inventory', 'reviews']) {
        assert.match(st, new RegExp(`(^|, )${s};dur=\\d+\\.\\d+`), st);
      }
    });

    it('serves /health and /metrics on every process', async () => {
      for (const name of PROCESSES) {
        const h = await fetch(`${stack.url(name)}/health`);
        assert.equal(h.status, 200, name);
        const m = await fetch(`${stack.url(name)}/metrics`);
        assert.equal(m.status, 200, name);
        const text = await m.text();
        assert.match(text, /http_requests_total\{[^}]*target="micro"[^}]*\}|target="micro"/, name);
        assert.match(text, new RegExp(`service="${name}"`), name);
      }
      const bff = await (await fetch(`${stack.bffUrl}/metrics`)).text();
      assert.match(bff, /bff_upstream_duration_seconds_bucket\{[^}]*service="catalog"/);
    });

    it('restarts a service on its seeded database without re-seeding it', async () => {
      await stack.procs.catalog.stop();
      stack.procs.catalog = stack.spawn('catalog', stack.ports.catalog);
      await waitHealthy(`${stack.url('catalog')}/health`, 60_000, stack.procs.catalog);
      assert.match(stack.procs.catalog.output.join(''), /already seeded/);
      const home = await fetch(`${stack.bffUrl}/api/home`);
      assert.equal(home.status, 200);
    });

    it('re-seeds after an interrupted seed (marker gone, a collection missing)', async () => {
      const client = new MongoClient(stack.db.url);
      try {
        const db = client.db('lab_catalog');
        await db.collection('meta').deleteMany({});
        const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
        const victim = names.find((n) => n !== 'meta');
        assert.ok(victim, `catalog has collections besides meta: ${names.join(', ')}`);
        await db.collection(victim).drop();
      } finally {
        await client.close();
      }
      await stack.procs.catalog.stop();
      stack.procs.catalog = stack.spawn('catalog', stack.ports.catalog);
      await waitHealthy(`${stack.url('catalog')}/health`, 120_000, stack.procs.catalog);
      const product = await fetch(`${stack.bffUrl}/api/products/1`);
      assert.equal(product.status, 200, await product.text());
      // The featured read model is one of the collections a seed writes: the home page needs it back.
      const home = await fetch(`${stack.bffUrl}/api/home`);
      assert.equal(home.status, 200, await home.text());
    });

    it('restores stock and forgets reservations on reset', async () => {
      const r = await fetch(`${stack.bffUrl}/api/admin/reset`, {
        method: 'POST',
        headers: { 'x-lab-token': TOKEN },
      });
      assert.equal(r.status, 204);
      const audit = await auditOf(stack);
      assert.equal(audit.products, 0, JSON.stringify(audit));
    });
  });
