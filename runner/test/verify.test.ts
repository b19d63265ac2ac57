import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { verifyTarget } from '../src/index.js';
import { type Running, startReference, startTamperingProxy, type Tamper, TOKEN } from './helpers.js';

const CLI = fileURLToPath(new URL('../src/verify/cli.js', import.meta.url));

describe('verify suite against the reference server', () => {
  let ref: Running;
  before(async () => {
    ref = await startReference();
  });
  after(async () => {
    await ref.stop();
  });

  test('passes every check', async () => {
    const report = await verifyTarget({ baseUrl: ref.url, adminToken: TOKEN });
    const failures = report.checks.filter((c) => !c.pass).map((c) => `${c.name}: ${c.detail}`);
    assert.deepEqual(failures, []);
    assert.equal(report.ok, true);
    assert.equal(report.target, 'reference');
    assert.ok(report.total > 300, `${report.total} checks`);
    const groups = new Set(report.checks.map((c) => c.group));
    for (const g of [
      'ops',
      'home',
      'category',
      'category errors',
      'product',
      'search',
      'search errors',
      'cart',
      'cart errors',
      'checkout',
      'concurrency',
      'reset',
      'unknown routes',
      'ui & cors',
    ]) {
      assert.ok(groups.has(g), `group ${g} ran`);
    }
  });

  test('the CLI prints a table and exits 0', () => {
    const r = spawnSync(process.execPath, [CLI, '--base-url', ref.url, '--token', TOKEN], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /group\s+checks\s+failed\s+result/);
    assert.match(r.stdout, /^PASS: \d+ checks/m);
  });

  test('a wrong seed is caught at once', async () => {
    const report = await verifyTarget({ baseUrl: ref.url, adminToken: TOKEN, seed: 7, concurrency: false });
    assert.equal(report.ok, false);
    assert.ok(report.checks.some((c) => c.name === 'dataset matches' && !c.pass));
  });

  // Each tamper changes exactly one thing in one response; verify must fail on exactly that check.
  // Only GETs of one URL are altered, so every failing check must be a request for exactly that URL.
  const only =
    (url: string, change: (status: number, body: string) => { status: number; body: string }): Tamper =>
    (req, status, body) =>
      req.method === 'GET' && req.url === url ? change(status, body) : { status, body };
  const cases: { name: string; url: string; tamper: Tamper; detail: RegExp }[] = [
    {
      name: 'one wrong field',
      url: '/api/products/1',
      tamper: only('/api/products/1', (status, body) => ({
        status,
        body: body.replace('"amount":', '"amount":1'),
      })),
      detail: /\$\.price\.amount: expected \d+, got 1\d+/,
    },
    {
      name: 'a wrong order',
      url: '/api/categories/beauty/products?sort=price_asc&page=1',
      tamper: only('/api/categories/beauty/products?sort=price_asc&page=1', (status, body) => {
        const page = JSON.parse(body);
        [page.products[0], page.products[1]] = [page.products[1], page.products[0]];
        return { status, body: JSON.stringify(page) };
      }),
      detail: /\$\.products\[0\]\.id: expected \d+, got \d+/,
    },
    {
      name: 'a wrong status',
      url: '/api/search?q=zzqxj',
      tamper: only('/api/search?q=zzqxj', (_status, body) => ({ status: 404, body })),
      detail: /status 404, expected 200/,
    },
    {
      name: 'a different key order (same JSON value)',
      url: '/api/home',
      tamper: only('/api/home', (status, body) => {
        const { categories, featured } = JSON.parse(body);
        return { status, body: JSON.stringify({ featured, categories }) };
      }),
      detail: /key order differs/,
    },
    {
      name: 'an extra field',
      url: '/api/products/1',
      tamper: only('/api/products/1', (status, body) => ({
        status,
        body: body.replace(/^\{/, '{"_id":"x",'),
      })),
      detail: /unevaluated properties|unexpected field/,
    },
    {
      name: 'whitespace in the body (same JSON value)',
      url: '/api/products/1',
      tamper: only('/api/products/1', (status, body) => ({
        status,
        body: JSON.stringify(JSON.parse(body), null, 1),
      })),
      detail: /not byte-identical/,
    },
  ];
  for (const c of cases) {
    test(`catches ${c.name}`, async () => {
      const proxy = await startTamperingProxy(ref.url, c.tamper);
      try {
        const report = await verifyTarget({ baseUrl: proxy.url, adminToken: TOKEN, concurrency: false });
        const failed = report.checks.filter((x) => !x.pass && x.name !== 'dataset matches');
        assert.equal(report.ok, false);
        assert.ok(failed.length >= 1);
        assert.deepEqual(
          failed.filter((x) => x.request !== `GET ${c.url}`).map((x) => `${x.request}: ${x.detail}`),
          [],
        );
        assert.match(failed[0]!.detail, c.detail);
      } finally {
        proxy.server.close();
      }
    });
  }

  test('the CLI exits 1 when one field of one response is changed', async () => {
    const proxy = await startTamperingProxy(ref.url, (req, status, body) =>
      req.url === '/api/products/1'
        ? { status, body: body.replace('"inStock":true', '"inStock":false') }
        : { status, body },
    );
    try {
      // Asynchronous: the proxy lives in this process, so a blocking spawnSync would deadlock it.
      const r = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          [CLI, '--base-url', proxy.url, '--token', TOKEN, '--no-concurrency'],
          (err, stdout, stderr) =>
            resolve({ status: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
      });
      assert.equal(r.status, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /FAIL {2}\[product\] product 1/);
      assert.match(r.stdout, /\$\.inStock: expected true, got false/);
    } finally {
      proxy.server.close();
    }
  });
});

describe('verify CLI input errors', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  test('missing --base-url is a usage error (exit 2)', () => {
    const r = run();
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--base-url is required/);
  });
  test('a bad URL, a bad number and an unknown option are usage errors', () => {
    assert.match(run('--base-url', 'ftp://x').stderr, /must be an http\(s\) URL/);
    assert.match(run('--base-url', 'http://127.0.0.1:1', '--scale', 'big').stderr, /--scale must be/);
    assert.equal(run('--bogus').status, 2);
  });
  test('an unreachable target fails clearly, without a stack trace', () => {
    const r = run('--base-url', 'http://127.0.0.1:9', '--token', TOKEN);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /no response from http:\/\/127\.0\.0\.1:9/);
    assert.doesNotMatch(r.stdout + r.stderr, /at .*\.js:\d+/);
  });
});
