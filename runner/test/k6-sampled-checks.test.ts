/**
 * The scenarios check bodies on a sample only (scenarios/lib/sampling.ts). This proves, with the real k6 and a
 * real server, that sampling still cannot miss a target that answers one wrong body in 100: the run's checks
 * fail and k6 exits 99 (its thresholds), while the same target answering correctly passes.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ensureScenarioData } from '../src/benchmark/scenario-data.js';
import { k6Completed } from '../src/k6/k6.js';
import { type Running, startReference, startTamperingProxy } from './helpers.js';
import { k6, runPdp as runK6Pdp, root } from './k6-pdp.js';

interface Outcome {
  code: number | null;
  checksFailed: number;
  checksPassed: number;
  failedRequests: number;
  requests: number;
}

/** Scenario 03 at 4 VUs for `seconds`, reduced to what the assertions read. */
async function runPdp(baseUrl: string, dir: string, label: string, seconds: number): Promise<Outcome> {
  const { code, summary: s } = await runK6Pdp(baseUrl, join(dir, `${label}.json`), { vus: 4, seconds });
  const v = (m: string, k: string) => s.metrics[m]?.values[k] ?? 0;
  return {
    code,
    checksFailed: v('checks', 'fails'),
    checksPassed: v('checks', 'passes'),
    failedRequests: v('http_req_failed', 'passes'),
    requests: v('http_reqs', 'count'),
  };
}

describe('sampled body checks, real k6 against a real server', { timeout: 120_000 }, () => {
  let ref: Running;
  let dir: string;
  before(async () => {
    assert.ok(k6, 'k6 not found: run ./lab doctor --install');
    ref = await startReference();
    dir = mkdtempSync(join(tmpdir(), 'lab-k6-sampled-'));
  });
  after(async () => {
    await ref?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a target answering one wrong product page in 100 fails the run (checks fail, k6 exits 99)', async () => {
    let n = 0;
    // Another product's page, status 200: only a body check can tell.
    const proxy = await startTamperingProxy(ref.url, (req, status, body) => {
      if (!req.url.startsWith('/api/products/')) return { status, body };
      n++;
      if (n % 100 !== 0) return { status, body };
      return { status, body: body.replace(/^\{"id":\d+/, '{"id":999999') };
    });
    try {
      // 8 s at a few thousand req/s: ~100+ wrong answers, of which each is checked with probability 1/10, so
      // the chance that none is sampled is below 0.9^100 ≈ 3e-5.
      const bad = await runPdp(proxy.url, dir, 'one-in-100', 8);
      assert.ok(bad.requests >= 5000, `enough requests to matter: ${bad.requests}`);
      assert.equal(bad.failedRequests, 0, 'every status was 200: only the body is wrong');
      assert.ok(bad.checksFailed > 0, `a wrong body was caught (${bad.checksPassed} checks passed)`);
      assert.ok(bad.checksPassed + bad.checksFailed < bad.requests, 'bodies were sampled, not all checked');
      assert.equal(bad.code, 99, 'the thresholds fail a bare k6 run');
      assert.ok(k6Completed({ exitCode: bad.code }), 'the runner keeps it: its errors are the measurement');
      assert.ok(
        !k6Completed({ exitCode: 107 }) && !k6Completed({ exitCode: null }),
        'a k6 that failed is not',
      );
    } finally {
      proxy.server.close();
    }
  });

  test('a plain `k6 run scenarios/03-pdp.ts` prints k6’s own summary and the lab’s JSON', async () => {
    const r = spawnSync(k6!.path, ['run', '--no-color', join(root, 'scenarios/03-pdp.ts')], {
      env: {
        ...process.env,
        K6_NO_USAGE_REPORT: 'true',
        LAB_DATA: ensureScenarioData(root, 42, 1),
        LAB_BASE_URL: ref.url,
        LAB_VUS: '2',
        LAB_DURATION: '1s',
      },
      encoding: 'utf8',
      timeout: 60_000,
    });
    const out = `${r.stdout}${r.stderr}`;
    assert.equal(r.status, 0, out);
    assert.match(out, /THRESHOLDS/);
    assert.match(out, /'rate==1'/);
    assert.match(out, /http_req_duration\.+:/);
    assert.match(out, /\{ expected_response:true \}/);
    const lab = /lab summary: (\{.*\})/.exec(out.replaceAll('\\"', '"'));
    assert.ok(lab, out);
    const j = JSON.parse(lab[1]!) as { scenario: string; sampling: { first: number; every: number } };
    assert.equal(j.scenario, '03-pdp');
    assert.deepEqual(j.sampling, { first: 5, every: 10 });
  });

  test('the same target answering correctly passes (exit 0, no failed check)', async () => {
    const good = await runPdp(ref.url, dir, 'correct', 3);
    assert.equal(good.checksFailed, 0);
    assert.ok(good.checksPassed > 0);
    assert.equal(good.code, 0);
  });
});
