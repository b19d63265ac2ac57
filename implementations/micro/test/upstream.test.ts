// The per-call cap: a call outside any page (the admin reset between benchmark runs) may wait longer than the
// page deadline UPSTREAM_TIMEOUT_MS, and its timeout error names the cap that actually applied.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ContractError } from '@lab/contract';
import { Upstream } from '../src/lib/upstream.js';

describe('micro: Upstream per-call cap (maxMs)', () => {
  let server: Server;
  let upstream: Upstream;

  before(async () => {
    // Answers after the number of milliseconds in its path: /slow/600 answers in 600 ms.
    server = createServer((req, res) => {
      const ms = Number(req.url?.split('/')[2] ?? '0');
      setTimeout(() => {
        res.writeHead(204);
        res.end();
      }, ms);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    upstream = new Upstream('inventory', `http://127.0.0.1:${port}`, {
      timeoutMs: 200,
      connectTimeoutMs: 1000,
      connections: 4,
      keepAliveMs: 1000,
    });
  });

  after(async () => {
    await upstream.pool.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  async function rejection(p: Promise<unknown>): Promise<{ status: number; code: string; message: string }> {
    try {
      await p;
    } catch (e) {
      assert.ok(e instanceof ContractError, `not a contract error: ${String(e)}`);
      return { status: e.status, code: e.body.error.code, message: e.body.error.message };
    }
    assert.fail('the call did not fail');
  }

  it('cuts a call at the page deadline by default, naming it', async () => {
    const err = await rejection(upstream.call('/slow/600', { method: 'POST' }));
    assert.equal(err.status, 504);
    assert.equal(err.code, 'upstream_timeout');
    assert.equal(err.message, 'the inventory service did not answer within 200 ms');
  });

  it('lets a call with its own cap wait past the page deadline (neither the pool nor the signal cut it)', async () => {
    const t0 = performance.now();
    const r = await upstream.call('/slow/600', { method: 'POST', maxMs: 5000 });
    assert.equal(r.status, 204);
    assert.ok(performance.now() - t0 >= 550);
  });

  it('names the call’s own cap when that cap is the one exceeded', async () => {
    const err = await rejection(upstream.call('/slow/900', { method: 'POST', maxMs: 400 }));
    assert.equal(err.code, 'upstream_timeout');
    assert.equal(err.message, 'the inventory service did not answer within 400 ms');
  });

  it('still keeps to the caller’s deadline when it is sooner than the own cap', async () => {
    const t0 = performance.now();
    const err = await rejection(
      upstream.call('/slow/900', { method: 'POST', maxMs: 5000, deadline: t0 + 150 }),
    );
    assert.equal(err.code, 'upstream_timeout');
    assert.ok(performance.now() - t0 < 700, 'the deadline was ignored');
  });
});
