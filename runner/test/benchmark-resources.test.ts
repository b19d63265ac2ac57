import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { extractMetrics, judgeSlo, type K6Summary } from '../src/k6/k6.js';
import { coreBusySeconds, hostNoise, PeakTracker, sutDelta } from '../src/benchmark/resources.js';
import { Cgroups, type Usage } from '../src/lab/cgroup.js';

const u = (cpu: number, periods: number, thr: number): Usage => ({
  cpuSeconds: cpu,
  periods,
  throttledPeriods: thr,
  throttledSeconds: 0,
  memoryBytes: 0,
  memoryPeakBytes: null,
});

describe('resources of a run', () => {
  test('CPU, budget share and throttling are differences over the run', () => {
    const before = { total: u(10, 100, 5), services: { a: u(4, 0, 0), b: u(6, 0, 0) } };
    const after = { total: u(25, 300, 105), services: { a: u(9, 0, 0), b: u(16, 0, 0) } };
    const r = sutDelta(
      before,
      after,
      20,
      { cpus: 1, cpuset: '1', memoryBytes: 2 ** 31 },
      { total: 5e8, a: 2e8, b: 3e8 },
      'reset-v1',
    );
    assert.equal(r.cpuSeconds, 15);
    assert.equal(r.cpuShareOfBudget, 0.75);
    assert.equal(r.throttledPeriods, 100);
    assert.equal(r.throttledShare, 0.5);
    assert.equal(r.peakMemoryBytes, 5e8);
    assert.deepEqual(r.services['a'], {
      cpuSeconds: 5,
      periods: 0,
      throttledPeriods: 0,
      peakMemoryBytes: 2e8,
    });
    // Without a parent cgroup (Docker): totals are sums, the peak is bounded by the sum of peaks.
    const d = sutDelta(
      { total: null, services: before.services },
      { total: null, services: after.services },
      20,
      null,
      { a: 2e8, b: 3e8 },
      'sampled',
    );
    assert.equal(d.cpuSeconds, 15);
    assert.equal(d.cpuShareOfBudget, null);
    assert.equal(d.peakMemoryBytes, 5e8);
  });

  test('other processes on the lab cores: busy time minus our own', () => {
    const before = new Map([
      [0, 100],
      [1, 200],
    ]);
    const after = new Map([
      [0, 109],
      [1, 210],
    ]);
    const h = hostNoise(before, after, [1], [0], 10, 8, 8.5);
    assert.equal(h.sutCoresOtherShare, 0.2);
    assert.equal(h.loadgenCoresOtherShare, 0.05);
    assert.deepEqual(hostNoise(null, after, [1], [0], 10, 8, 8), {
      sutCoresOtherShare: null,
      loadgenCoresOtherShare: null,
    });
  });

  test('busy time per core: cgroup v1 root cpuacct (scheduler clock) first, /proc/stat (tick samples) else', () => {
    const root = mkdtempSync(join(tmpdir(), 'lab-cpuacct-'));
    try {
      mkdirSync(join(root, 'cpuacct'));
      writeFileSync(join(root, 'cpuacct', 'cpuacct.usage_percpu'), '1500000000 250000000 \n');
      const precise = coreBusySeconds(root);
      assert.equal(precise?.method, 'cpuacct');
      assert.deepEqual(
        [...precise!.seconds],
        [
          [0, 1.5],
          [1, 0.25],
        ],
      );
      // No such file (cgroup v2, Docker): the tick-sampled figures, and the reading says so.
      const sampled = coreBusySeconds(join(root, 'nowhere'));
      if (sampled) {
        assert.equal(sampled.method, 'proc-stat');
        assert.ok(sampled.seconds.size >= 1);
      }
      assert.equal(coreBusySeconds()?.method ?? 'proc-stat', 'proc-stat');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('per-run memory peaks on a cgroup v1 tree: the mark is reset before the run', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lab-cg-'));
    try {
      const dir = join(root, 'memory', 'lab', 'x');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'memory.max_usage_in_bytes'), '999999999\n');
      writeFileSync(join(dir, 'memory.usage_in_bytes'), '1000\n');
      const t = new PeakTracker(new Cgroups(1, root, true), [{ name: 'total', path: 'lab/x' }]);
      t.start();
      assert.equal(readFileSync(join(dir, 'memory.max_usage_in_bytes'), 'utf8'), '0', 'reset');
      writeFileSync(join(dir, 'memory.max_usage_in_bytes'), '5000\n'); // the kernel's mark during the run
      const peaks = t.stop();
      assert.equal(t.method, 'reset-v1');
      assert.equal(peaks['total'], 5000);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("k6's summary", () => {
  const summary: K6Summary = {
    metrics: {
      http_reqs: { type: 'counter', values: { count: 1200, rate: 100.5 } },
      http_req_failed: { type: 'rate', values: { rate: 0.0025, passes: 3, fails: 1197 } },
      checks: { type: 'rate', values: { rate: 0.99, passes: 2396, fails: 4 } },
      http_req_duration: {
        type: 'trend',
        values: {
          avg: 5,
          min: 1,
          med: 4,
          max: 90,
          'p(50)': 4,
          'p(90)': 8,
          'p(95)': 12,
          'p(99)': 40,
          'p(99.9)': 80,
        },
      },
      dropped_iterations: { type: 'counter', values: { count: 7, rate: 0.5 } },
      iterations: { type: 'counter', values: { count: 1200, rate: 100 } },
      vus_max: { type: 'gauge', values: { value: 50, min: 50, max: 50 } },
    },
    state: { testRunDurationMs: 12_000 },
  };

  test('the runner keeps requests, rate, failures, checks, drops and full percentiles', () => {
    const m = extractMetrics(summary);
    assert.equal(m.requests, 1200);
    assert.equal(m.rps, 100.5);
    assert.equal(m.failedRequests, 3);
    assert.equal(m.checksFailed, 4);
    assert.equal(m.droppedIterations, 7);
    assert.deepEqual(m.latencyMs, { avg: 5, min: 1, p50: 4, p90: 8, p95: 12, p99: 40, p999: 80, max: 90 });
    assert.equal(m.vusMax, 50);
    assert.equal(m.testRunDurationMs, 12_000);
  });

  test('the SLO of a capacity step: p99, failures, checks and drops all count', () => {
    const m = extractMetrics(summary);
    const j = judgeSlo(m, 50);
    assert.equal(j.pass, false);
    assert.deepEqual(j.reasons, ['3 failed requests', '4 failed checks', '7 dropped iterations']);
    const clean = { ...m, failedRequests: 0, checksFailed: 0, droppedIterations: 0 };
    assert.equal(judgeSlo(clean, 50).pass, true);
    assert.deepEqual(judgeSlo(clean, 30).reasons, ['p99 40.0 ms > 30 ms']);
  });
});
