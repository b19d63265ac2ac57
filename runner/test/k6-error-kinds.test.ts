/**
 * The scenarios count every failed request by kind (scenarios/lib/errors.ts). With the real k6 and real sockets:
 * a port nothing listens on gives `refused`; a server that answers 503 and 404 and resets connections gives
 * `http-5xx`, `http-4xx` and `reset`; and the kinds always add up to k6's own count of failed requests.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ensureScenarioData } from '../src/benchmark/scenario-data.js';
import { extractErrorKinds, extractMetrics, type K6Summary } from '../src/k6/k6.js';
import { LabPaths } from '../src/lab/paths.js';
import { findTool } from '../src/lab/tools.js';
import { repoRoot } from '../src/lib/env-file.js';

const root = repoRoot();
const k6 = findTool('k6', { paths: new LabPaths(root), env: process.env, log: () => undefined });

function runPdp(baseUrl: string, summary: string): Promise<K6Summary> {
  const env = {
    ...process.env,
    K6_NO_USAGE_REPORT: 'true',
    LAB_DATA: ensureScenarioData(root, 42, 1),
    LAB_BASE_URL: baseUrl,
    LAB_VUS: '2',
    LAB_DURATION: '2s',
    LAB_SUMMARY: summary,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(k6!.path, ['run', '--quiet', '--no-color', join(root, 'scenarios/03-pdp.ts')], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-4000)));
    child.once('error', reject);
    child.once('exit', (code) => {
      try {
        resolve(JSON.parse(readFileSync(summary, 'utf8')) as K6Summary);
      } catch (e) {
        reject(new Error(`k6 exited ${code} without a summary: ${(e as Error).message}\n${err}`));
      }
    });
  });
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
    const s = await runPdp(`http://127.0.0.1:${port}`, join(dir, 'refused.json'));
    const m = extractMetrics(s);
    assert.ok(m.failedRequests > 0);
    assert.deepEqual(m.errorKinds, { refused: m.failedRequests });
    // the lab's own part of the summary (what a bare `k6 run` prints as its "lab summary:" line) has them too
    assert.deepEqual((s['lab'] as { errors: unknown }).errors, { refused: m.failedRequests });
  });

  test('503, 404 and resets: each counted under its kind, together exactly the failed requests', async () => {
    const { url, server } = await startFaultyServer();
    try {
      const m = extractMetrics(await runPdp(url, join(dir, 'faulty.json')));
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
