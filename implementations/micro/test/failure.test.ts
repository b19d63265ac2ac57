// Failure behaviour: a slow service gives a 504 naming it within the upstream timeout, a dead one a 503 naming
// it, quickly; never a hang and never a 500.
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { freePort, type Proc, type Stack, startStack, waitHealthy } from './harness.js';

interface Timed {
  status: number;
  body: { error?: { code: string; message: string; service?: string } };
  ms: number;
  contentType: string | null;
}

async function timedGet(url: string): Promise<Timed> {
  const t0 = performance.now();
  const r = await fetch(url, { signal: AbortSignal.timeout(15_000) });
  const text = await r.text();
  return {
    status: r.status,
    body: JSON.parse(text) as Timed['body'],
    ms: performance.now() - t0,
    contentType: r.headers.get('content-type'),
  };
}

/** Accepts connections and never answers: a service that hangs. */
function blackHole(port: number): Promise<{ server: Server; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve({ server, sockets })));
}

describe('micro: failure behaviour', { timeout: 300_000 }, () => {
  let stack: Stack;
  let slowBff: Proc | undefined;
  let hole: { server: Server; sockets: Set<Socket> } | undefined;

  before(async () => {
    stack = await startStack({ env: { UPSTREAM_TIMEOUT_MS: '2000' } });
  });

  after(async () => {
    await slowBff?.stop();
    if (hole) {
      for (const s of hole.sockets) s.destroy();
      await new Promise((r) => hole!.server.close(r));
    }
    await stack?.stop();
  });

  it('answers 504 upstream_timeout naming a service that does not answer, within the timeout', async () => {
    const holePort = await freePort();
    hole = await blackHole(holePort);
    const port = await freePort();
    slowBff = stack.spawn('bff', port, {
      REVIEWS_URL: `http://127.0.0.1:${holePort}`,
      UPSTREAM_TIMEOUT_MS: '300',
    });
    // Its /health fails (reviews hangs): wait until it listens, through a route that does not need reviews.
    await waitHealthy(`http://127.0.0.1:${port}/metrics`, 30_000, slowBff);
    // Product 1: the other services answer it well within 300 ms even on FerretDB (its first row).
    const r = await timedGet(`http://127.0.0.1:${port}/api/products/1`);
    assert.equal(r.status, 504, JSON.stringify(r));
    assert.equal(r.contentType, 'application/json; charset=utf-8');
    assert.equal(r.body.error?.code, 'upstream_timeout');
    assert.equal(r.body.error?.service, 'reviews');
    assert.equal(r.body.error?.message, 'the reviews service did not answer within 300 ms');
    assert.ok(r.ms < 1500, `answered after ${r.ms.toFixed(0)} ms`);
  });

  it('answers 503 service_unavailable naming a dead service, quickly', async () => {
    const ok = await timedGet(`${stack.bffUrl}/api/products/1`);
    assert.equal(ok.status, 200);
    const reviews = stack.procs.reviews;
    const pid = reviews.child.pid!;
    process.kill(pid, 'SIGKILL');
    await new Promise<void>((resolve) => {
      if (reviews.child.exitCode !== null || reviews.child.signalCode !== null) resolve();
      else reviews.child.once('exit', () => resolve());
    });
    for (const path of ['/api/products/1', '/api/home', '/api/search?q=lamp']) {
      const r = await timedGet(stack.bffUrl + path);
      assert.equal(r.status, 503, `${path}: ${JSON.stringify(r)}`);
      assert.equal(r.contentType, 'application/json; charset=utf-8');
      assert.deepEqual(r.body, {
        error: {
          code: 'service_unavailable',
          message: 'the reviews service is unavailable',
          service: 'reviews',
        },
      });
      assert.ok(r.ms < 1000, `${path} answered after ${r.ms.toFixed(0)} ms`);
    }
    // Pages that do not need reviews still work; the BFF's health says what is missing.
    const cart = await fetch(`${stack.bffUrl}/api/carts`, { method: 'POST' });
    assert.equal(cart.status, 201);
    const health = await timedGet(`${stack.bffUrl}/health`);
    assert.equal(health.status, 503);
    assert.equal(health.body.error?.service, 'reviews');
  });

  it('names the service behind orders when orders cannot reach it (pricing down: 503 pricing)', async () => {
    const cart = (await (await fetch(`${stack.bffUrl}/api/carts`, { method: 'POST' })).json()) as {
      id: string;
    };
    await stack.procs.pricing.stop();
    const t0 = performance.now();
    const r = await fetch(`${stack.bffUrl}/api/carts/${cart.id}/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ productId: 1, quantity: 1 }),
    });
    const body = (await r.json()) as Timed['body'];
    assert.equal(r.status, 503, JSON.stringify(body));
    assert.equal(body.error?.service, 'pricing');
    assert.ok(performance.now() - t0 < 1000);
  });
});
