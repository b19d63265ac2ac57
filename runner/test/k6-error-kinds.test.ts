/**
 * The scenarios count every failed request by kind (scenarios/lib/errors.ts). With the real k6 and real sockets:
 * a port nothing listens on gives `refused`; a server that answers 503 and 404 and resets connections gives
 * `http-5xx`, `http-4xx` and `reset`; and the kinds always add up to k6's own count of failed requests.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { extractErrorKinds, extractMetrics, type K6Summary } from '../src/k6/k6.js';
import { k6, runPdp } from './k6-pdp.js';

/** Scenario 03 at 2 VUs for 2 s: its summary. */
async function pdpSummary(baseUrl: string, file: string): Promise<K6Summary> {
  return (await runPdp(baseUrl, file, { vus: 2, seconds: 2 })).summary;
}

/**
 * Product pages by id: ids divisible by 5 reset the connection (always, so that Go's retry of an idempotent
 * request on a fresh connection is reset too), ids ending in 3 answer 503, ids ending in 7 answer 404.
 */
function startFaultyServer(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const id = Number(/^\/api\/products\/(\d+)/.exec(req.url ?? '')?.[1] ?? 1);
    if (id % 5 === 0) return req.socket.resetAndDestroy();
    res.writeHead(id % 10 === 3 ? 503 : id % 10 === 7 ? 404 : 200, { 'content-type': 'application/json' });
    res.end('{}');
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }),
    ),
  );
}

describe('failed requests by kind, real k6 against real sockets', { timeout: 120_000 }, () => {
  let dir: string;
  before(() => {
    assert.ok(k6, 'k6 not found: run ./lab doctor --install');
    dir = mkdtempSync(join(tmpdir(), 'lab-k6-kinds-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('nothing listening: every request is `refused`', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const s = await pdpSummary(`http://127.0.0.1:${port}`, join(dir, 'refused.json'));
    const m = extractMetrics(s);
    assert.ok(m.failedRequests > 0);
    assert.deepEqual(m.errorKinds, { refused: m.failedRequests });
    // the lab's own part of the summary (what a bare `k6 run` prints as its "lab summary:" line) has them too
    assert.deepEqual((s['lab'] as { errors: unknown }).errors, { refused: m.failedRequests });
  });

  test('503, 404 and resets: each counted under its kind, together exactly the failed requests', async () => {
    const { url, server } = await startFaultyServer();
    try {
      const m = extractMetrics(await pdpSummary(url, join(dir, 'faulty.json')));
      const kinds = m.errorKinds ?? {};
      for (const k of ['http-5xx', 'http-4xx', 'reset'])
        assert.ok((kinds[k] ?? 0) > 0, `${k}: ${JSON.stringify(kinds)}`);
      const sum = Object.values(kinds).reduce((a, n) => a + n, 0);
      assert.equal(sum, m.failedRequests, JSON.stringify(kinds));
      assert.ok(m.requests > m.failedRequests, 'the 200s are not counted');
    } finally {
      server.close();
    }
  });

  test('a summary from scenarios that did not count kinds has none (unknown, not zero)', () => {
    assert.equal(
      extractErrorKinds({ metrics: { http_reqs: { type: 'counter', values: { count: 1 } } } } as K6Summary),
      undefined,
    );
  });
});
