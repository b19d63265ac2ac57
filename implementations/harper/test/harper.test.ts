// Integration test of the Harper target: starts Harper from scratch (bin/start-harper.sh, fresh root in a temp
// dir, free loopback ports), seeds it, runs the lab's verify suite against it, then checks restart, reset, the
// operations API's authentication, the listening sockets and SIGTERM.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generateDataset } from '@lab/contract';
import { fetchJson as json, fuzzTarget, probeRobustness, type VerifyReport, verifyTarget } from '@lab/runner';
import {
  ADMIN_USER,
  adminPassword,
  freePort,
  type Harper,
  isLoopback,
  listeners,
  send,
  startHarper,
  TOKEN,
  waitHealthy,
} from './harness.js';

const dataset = generateDataset({ seed: 42, scale: 1 });
const initialStock = new Map(dataset.inventory.map((i) => [i.productId, i.available]));

function failures(report: VerifyReport): string {
  return report.checks
    .filter((c) => !c.pass)
    .map((c) => `  ${c.group} / ${c.name} (${c.request}): ${c.detail}`)
    .join('\n');
}

async function available(h: Harper, productId: number): Promise<number> {
  const r = await json(`${h.url}/api/products/${productId}`);
  assert.equal(r.status, 200);
  return (r.body as { inventory: { available: number } }).inventory.available;
}

async function cartWith(h: Harper, productId: number, quantity = 1): Promise<string> {
  const cart = await json(`${h.url}/api/carts`, { method: 'POST' });
  const id = (cart.body as { id: string }).id;
  const add = await json(`${h.url}/api/carts/${id}/items`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ productId, quantity }),
  });
  assert.equal(add.status, 200);
  return id;
}

/** Buys a product's stock down to `left` units, 99 at a time (the contract's largest line). */
async function drainTo(h: Harper, productId: number, left: number): Promise<void> {
  for (let rest = (await available(h, productId)) - left; rest > 0; rest -= 99) {
    const id = await cartWith(h, productId, Math.min(99, rest));
    assert.equal((await json(`${h.url}/api/carts/${id}/checkout`, { method: 'POST' })).status, 201);
  }
  assert.equal(await available(h, productId), left);
}

describe('harper target, 1 thread', { timeout: 240_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'lab-harper-'));
  let port = 0;
  let opsPort = 0;
  let h: Harper;

  before(async () => {
    port = await freePort();
    opsPort = await freePort();
    h = startHarper({ dataDir: dir, port, opsPort });
    await waitHealthy(h);
  });

  after(async () => {
    await h?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('passes the verify suite (including 50 concurrent checkouts for 5 units)', async () => {
    const report = await verifyTarget({ baseUrl: h.url, adminToken: TOKEN });
    assert.ok(report.ok, `verify failed (${report.failed} of ${report.total}):\n${failures(report)}`);
    assert.equal(report.target, 'harper');
    assert.ok(report.checks.some((c) => c.group === 'concurrency' && c.name.includes('50 concurrent')));
  });

  test('every socket of the Harper process tree listens on loopback only', () => {
    const found = listeners(h.pid);
    const addresses = found.map((l) => l.address);
    assert.ok(addresses.includes(`127.0.0.1:${port}`), `HTTP port missing from ${addresses.join(', ')}`);
    assert.ok(addresses.includes(`127.0.0.1:${opsPort}`), `ops port missing from ${addresses.join(', ')}`);
    const exposed = found.filter((l) => !isLoopback(l.address));
    assert.deepEqual(exposed, [], `non-loopback listeners: ${JSON.stringify(exposed)}`);
  });

  test('the operations API requires the admin login', async () => {
    const op = { operation: 'describe_all' };
    const headers = { 'content-type': 'application/json' };
    const anonymous = await fetch(h.opsUrl, { method: 'POST', headers, body: JSON.stringify(op) });
    await anonymous.arrayBuffer();
    assert.equal(anonymous.status, 401);
    const wrong = await fetch(h.opsUrl, {
      method: 'POST',
      headers: { ...headers, authorization: `Basic ${Buffer.from(`${ADMIN_USER}:nope`).toString('base64')}` },
      body: JSON.stringify(op),
    });
    await wrong.arrayBuffer();
    assert.equal(wrong.status, 401);
    const admin = await fetch(h.opsUrl, {
      method: 'POST',
      headers: {
        ...headers,
        authorization: `Basic ${Buffer.from(`${ADMIN_USER}:${adminPassword(dir)}`).toString('base64')}`,
      },
      body: JSON.stringify(op),
    });
    await admin.arrayBuffer();
    assert.equal(admin.status, 200);
  });

  test('the admin password was generated for this install, readable by its owner only', () => {
    assert.match(adminPassword(dir), /^[0-9a-f]{48}$/);
    assert.equal(statSync(join(dir, 'admin-password')).mode & 0o077, 0);
  });

  test('the operations API grants no other origin (CORS off)', async () => {
    const evil = { origin: 'http://evil.example' };
    const preflight = await fetch(h.opsUrl, {
      method: 'OPTIONS',
      headers: {
        ...evil,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization',
      },
    });
    await preflight.arrayBuffer();
    assert.equal(preflight.headers.get('access-control-allow-origin'), null);
    const login = Buffer.from(`${ADMIN_USER}:${adminPassword(dir)}`).toString('base64');
    const post = await fetch(h.opsUrl, {
      method: 'POST',
      headers: { ...evil, 'content-type': 'application/json', authorization: `Basic ${login}` },
      body: JSON.stringify({ operation: 'describe_all' }),
    });
    await post.arrayBuffer();
    assert.equal(post.headers.get('access-control-allow-origin'), null);
  });

  test('Harper does not run as root', () => {
    const status = readFileSync(`/proc/${h.pid}/status`, 'utf8');
    const uids = /^Uid:\s+(\d+)\s+(\d+)/m.exec(status)!;
    assert.notEqual(uids[1], '0', 'real uid');
    assert.notEqual(uids[2], '0', 'effective uid');
  });

  test('methods outside the spec, malformed HTTP and huge parameters get the contract JSON error', async () => {
    assert.deepEqual(await probeRobustness(h.url), []);
  });

  test('schemathesis, every check and phase: 0 failures', { timeout: 600_000 }, async () => {
    for (const s of await fuzzTarget({ baseUrl: h.url, adminToken: TOKEN })) {
      assert.equal(s.code, 0, `${s.step} step:\n${s.report}`);
    }
  });

  test('no table is reachable over HTTP: Harper paths get the contract 404', async () => {
    for (const [method, path] of [
      ['GET', '/Product/1'],
      ['GET', '/Cart/'],
      ['PUT', '/Inventory/1'],
      ['DELETE', '/Order/x'],
      ['POST', '/'],
      ['GET', '/openapi'],
    ] as const) {
      const r = await json(`${h.url}${path}`, { method, body: method === 'GET' ? undefined : '{}' });
      assert.equal(r.status, 404, `${method} ${path}`);
      assert.deepEqual(
        r.body,
        { error: { code: 'not_found', message: 'route not found' } },
        `${method} ${path}`,
      );
    }
  });

  test('server-timing has app and db time; /metrics counts routes', async () => {
    const r = await fetch(`${h.url}/api/products/1`);
    await r.arrayBuffer();
    assert.match(r.headers.get('server-timing') ?? '', /app;dur=\d+\.\d+, db;dur=\d+\.\d+/);
    const m = await fetch(`${h.url}/metrics`);
    const text = await m.text();
    assert.equal(m.status, 200);
    assert.match(m.headers.get('content-type') ?? '', /^text\/plain/);
    assert.match(text, /http_requests_total\{[^}]*route="\/api\/products\/\{id\}"[^}]*\} \d+/);
    assert.match(text, /http_request_duration_seconds_bucket\{[^}]*route="\/api\/products\/\{id\}"/);
    assert.match(text, /lab_harper_threads\{[^}]*\} 1/);
  });

  test('a restart keeps the data, and reset restores the dataset', async () => {
    const product = dataset.inventory.find((i) => i.available >= 10)!.productId;
    const before = initialStock.get(product)!;
    const cart = (await json(`${h.url}/api/carts`, { method: 'POST' })).body as { id: string };
    const add = await json(`${h.url}/api/carts/${cart.id}/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ productId: product, quantity: 3 }),
    });
    assert.equal(add.status, 200);
    assert.equal((await json(`${h.url}/api/carts/${cart.id}/checkout`, { method: 'POST' })).status, 201);
    assert.equal(await available(h, product), before - 3);

    assert.equal(await h.stop(), 0, `Harper did not exit 0 on SIGTERM:\n${h.output().slice(-2000)}`);
    const t0 = Date.now();
    h = startHarper({ dataDir: dir, port, opsPort });
    await waitHealthy(h);
    const restartMs = Date.now() - t0;
    assert.match(h.output(), /dataset already loaded/, 'the restart reloaded the dataset');
    assert.ok(restartMs < 60_000);

    assert.equal(await available(h, product), before - 3, 'stock after restart');
    const kept = await json(`${h.url}/api/carts/${cart.id}`);
    assert.equal(kept.status, 200, 'the cart survived the restart');

    const reset = await fetch(`${h.url}/api/admin/reset`, {
      method: 'POST',
      headers: { 'x-lab-token': TOKEN },
    });
    assert.equal(reset.status, 204);
    assert.equal(await available(h, product), before, 'stock after reset');
    assert.equal((await json(`${h.url}/api/carts/${cart.id}`)).status, 404, 'carts are gone after reset');
  });

  test('SIGTERM stops Harper promptly with exit code 0 and closes its ports', async () => {
    const pid = h.pid;
    const t0 = Date.now();
    assert.equal(await h.stop(), 0);
    assert.ok(Date.now() - t0 < 15_000, `took ${Date.now() - t0} ms`);
    assert.deepEqual(listeners(pid), []);
    await assert.rejects(fetch(`${h.url}/health`, { signal: AbortSignal.timeout(2_000) }));
  });
});

describe('harper target, 2 threads', { timeout: 240_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'lab-harper-2t-'));
  let h: Harper;

  before(async () => {
    h = startHarper({ dataDir: dir, port: await freePort(), opsPort: await freePort(), threads: 2 });
    await waitHealthy(h);
  });

  after(async () => {
    await h?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('passes the verify suite with two worker threads (cross-thread checkout locks)', async () => {
    const report = await verifyTarget({ baseUrl: h.url, adminToken: TOKEN, productSample: 10 });
    assert.ok(report.ok, `verify failed (${report.failed} of ${report.total}):\n${failures(report)}`);
  });

  // Each cart is filled on one connection pool and read back on another, so that adds and reads land on
  // different worker threads; a thread's read snapshot must not hide an add that another thread has answered.
  // Product pages on a third pool keep both threads busy, so each holds a snapshot across many requests.
  test('a cart read right after an add shows it, whichever thread serves the read', async () => {
    const writes = new Agent({ keepAlive: true, maxSockets: 8 });
    const reads = new Agent({ keepAlive: true, maxSockets: 8 });
    const busy = new Agent({ keepAlive: true, maxSockets: 16 });
    let filling = true;
    const browse = async (): Promise<void> => {
      for (let i = 0; filling; i++) await send(busy, `${h.url}/api/products/${1 + (i % 50)}`, 'GET');
    };
    const browsers = Array.from({ length: 16 }, browse);
    const stale: string[] = [];
    const fill = async (c: number): Promise<void> => {
      const cart = await send(writes, `${h.url}/api/carts`, 'POST');
      const id = (cart.body as { id: string }).id;
      for (let n = 1; n <= 8; n++) {
        const add = await send(writes, `${h.url}/api/carts/${id}/items`, 'POST', {
          productId: 1 + c,
          quantity: 1,
        });
        assert.equal(add.status, 200);
        const read = await send(reads, `${h.url}/api/carts/${id}`, 'GET');
        const items = (read.body as { items: { quantity: number }[] }).items;
        if (items[0]?.quantity !== n)
          stale.push(`cart ${c}, add ${n}: read ${items[0]?.quantity ?? 'no line'}`);
      }
    };
    try {
      await Promise.all(Array.from({ length: 20 }, (_, c) => fill(c)));
    } finally {
      filling = false;
      await Promise.all(browsers);
      for (const agent of [writes, reads, busy]) agent.destroy();
    }
    assert.deepEqual(stale, []);
  });

  // The verify suite races 50 checkouts once; this repeats a race for 6 units eight times on two threads.
  test('60 concurrent one-unit checkouts for 6 units sell exactly 6, eight times over', async () => {
    for (let round = 0; round < 8; round++) {
      const productId = 101 + round;
      await drainTo(h, productId, 6);
      const carts = await Promise.all(Array.from({ length: 60 }, () => cartWith(h, productId)));
      const answers = await Promise.all(
        carts.map((id) => json(`${h.url}/api/carts/${id}/checkout`, { method: 'POST' })),
      );
      const sold = answers.filter((a) => a.status === 201).length;
      assert.equal(sold, 6, `round ${round}: ${sold} checkouts succeeded for 6 units`);
      assert.equal(await available(h, productId), 0, `round ${round}`);
    }
  });

  test('/metrics merges both threads', async () => {
    const text = await (await fetch(`${h.url}/metrics`)).text();
    assert.match(text, /lab_harper_threads\{[^}]*\} 2/);
    assert.match(text, /lab_harper_metrics_threads_reporting\{[^}]*\} 2/);
  });
});
