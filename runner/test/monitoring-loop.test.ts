/**
 * The benchmark loop with --monitor (fake driver, fake k6, fake monitor): every k6 run, warm-up included, gets the
 * remote-write output and its tags; each measured step's Prometheus answers are written to monitoring-NN.json and
 * rendered into monitoring.md; a monitoring failure is recorded and never stops the run.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseCommand } from '../src/benchmark/args.js';
import type { K6Options, K6Run } from '../src/k6/k6.js';
import { loadScenarios, planScenario } from '../src/scenarios/plan.js';
import { execute } from '../src/benchmark/run.js';
import type { TargetDriver } from '../src/benchmark/targets.js';
import type { Manifest } from '../src/results/types.js';
import type { Lab } from '../src/lab/launcher.js';
import { repoRoot } from '../src/lib/env-file.js';
import { type K6Phase, k6RemoteWrite, type RunMonitor } from '../src/monitoring/monitor.js';
import { fakeK6Run } from './helpers.js';
import { type MonitoringCapture, type MonitoringFile } from '../src/results/types.js';

const root = repoRoot();
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const usage = (cpu: number) => ({
  cpuSeconds: cpu,
  periods: 10,
  throttledPeriods: 0,
  throttledSeconds: 0,
  memoryBytes: 1e7,
  memoryPeakBytes: 2e7,
});

function driver(): TargetDriver {
  let cpu = 0;
  return {
    mode: 'native',
    async up() {},
    async down() {},
    alive: () => true,
    snapshot: () => ({ total: usage(++cpu), services: { app: usage(cpu) } }),
    budget: () => ({ cpus: 1, cpuset: '1', memoryBytes: 2 ** 31 }),
    watched: () => [],
    cgroups: () => null,
  };
}

function k6(calls: K6Options[]) {
  return async (o: K6Options): Promise<K6Run> => {
    calls.push(o);
    return fakeK6Run({
      http_reqs: { count: 1000, rate: 1000 },
      http_req_duration: { 'p(50)': 1, 'p(95)': 3, 'p(99)': 9, avg: 1.5 },
      http_req_failed: { passes: 0, rate: 0 },
      checks: { passes: 1000, fails: 0 },
    });
  };
}

const capture = (p: K6Phase, start: number, end: number): MonitoringCapture => ({
  prometheus: 'http://fake',
  start: new Date(start * 1000).toISOString(),
  end: new Date(end * 1000).toISOString(),
  stepSeconds: 5,
  rateIntervalSeconds: 20,
  overRunWindowSeconds: 11,
  variables: { 'lab-overview': { target: [p.target] } },
  k6: {
    selector: `target="${p.target}"`,
    at: end,
    requests: 1000,
    failedRequests: 0,
    latencySeconds: { avg: 0.0015, p50: 0.001, p90: 0.002, p95: 0.003, p99: 0.009 },
  },
  queries: [
    {
      dashboard: 'Lab overview',
      panel: 'Requests/s',
      refId: 'A',
      legend: '{{target}}',
      template: 'sum by (target) (rate(k6_http_reqs_total{target=~"$target"}[$__rate_interval]))',
      expr: `sum by (target) (rate(k6_http_reqs_total{target=~"${p.target}"}[20s]))`,
      series: [
        { labels: { target: p.target }, samples: [[end, 990]], min: 990, mean: 990, max: 990, last: 990 },
      ],
      overRun: { expr: '…[11s]', values: [{ labels: { target: p.target }, value: 985 }] },
      error: null,
    },
  ],
});

function manifest(runs: number): Manifest {
  return {
    schema: 1,
    runId: 'mon',
    status: 'running',
    reason: null,
    createdAt: 'x',
    updatedAt: 'x',
    command: './run-benchmark.sh a 03 --monitor',
    options: {
      targets: ['a'],
      scenarios: ['03-pdp'],
      runs,
      duration: null,
      vus: null,
      rate: null,
      warmup: '1s',
      cooldown: '0s',
      seed: 42,
      scale: 1,
      mode: 'native',
      quick: true,
      noLimits: false,
      monitor: true,
    },
    git: { commit: null, dirty: null },
    host: { cpuModel: 'x', cores: 2, memoryGiB: 1, node: 'v20', kernel: 'x' },
    versions: {},
    loadgen: { cpuset: '0', cores: 1, pinned: true },
    targets: {
      a: {
        profile: 'a',
        url: 'http://a.invalid',
        mode: 'native',
        budget: null,
        components: {},
        verify: null,
      },
    },
    plan: [],
    sessions: [],
  };
}

test('--monitor is an option of a run', () => {
  const c = parseCommand(['reference', '03', '--monitor']);
  assert.equal(c.kind === 'run' && c.monitor, true);
  const d = parseCommand(['reference', '03']);
  assert.equal(d.kind === 'run' && d.monitor, false);
});

test('every k6 run streams to Prometheus; each measured step stores its answers; failures are recorded', async () => {
  const runDir = mkdtempSync(join(tmpdir(), 'lab-monloop-'));
  dirs.push(runDir);
  const calls: K6Options[] = [];
  const captured: K6Phase[] = [];
  let n = 0;
  const monitor: RunMonitor = {
    k6: (p) => k6RemoteWrite('http://fake', 'mon', p),
    async capture(p, start, end) {
      captured.push(p);
      if (++n === 2) throw new Error('Prometheus went away');
      return capture(p, start, end);
    },
  };
  const scenario = planScenario(
    loadScenarios(root).find((s) => s.name === '03-pdp')!,
    { quick: true },
  );
  const code = await execute({
    root,
    runDir,
    manifest: manifest(2),
    targets: [{ name: 'a', profile: 'a', url: 'http://a.invalid', available: true }],
    scenarios: [scenario],
    lab: { async releaseOneshot() {} } as unknown as Lab,
    driver: driver(),
    k6: { name: 'k6', path: 'k6', version: 'v1.8.1', source: 'fake' },
    adminToken: 'token-token',
    dataFile: '/nonexistent',
    loadgenCpuset: '0',
    log: () => {},
    progressOut: () => {},
    monitor,
    hooks: {
      runK6: k6(calls),
      verify: async () => ({
        baseUrl: 'http://a.invalid',
        target: 'a',
        seed: 42,
        scale: 1,
        startedAt: 'now',
        durationMs: 1,
        total: 400,
        failed: 0,
        ok: true,
        checks: [],
      }),
      reset: async () => {},
      smoke: async () => {},
      sleep: async () => {},
    },
  });
  assert.equal(code, 0, 'a monitoring failure never fails the run');
  // warm-up, run 1, run 2: each with the remote-write output and its tags.
  assert.equal(calls.length, 3);
  for (const [i, c] of calls.entries()) {
    assert.deepEqual(c.extraArgs!.slice(0, 2), ['-o', 'experimental-prometheus-rw']);
    assert.equal(c.env['K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM'], 'true');
    assert.ok(c.extraArgs!.includes('target=a'));
    assert.ok(c.extraArgs!.includes('scenario_name=03-pdp'));
    assert.ok(c.extraArgs!.includes(`step=${c.env['LAB_STEP']}`));
    assert.ok(c.extraArgs!.includes(i === 0 ? 'phase=warmup' : 'phase=measure'));
  }
  assert.deepEqual(
    captured.map((p) => [p.target, p.run, p.phase]),
    [
      ['a', 1, 'measure'],
      ['a', 2, 'measure'],
    ],
  );
  const cell = join(runDir, 'a', '03-pdp');
  const m1 = JSON.parse(readFileSync(join(cell, 'monitoring-01.json'), 'utf8')) as MonitoringFile;
  assert.equal(m1.run, 1);
  assert.equal((m1.steps[0] as MonitoringCapture).queries[0]!.overRun.values[0]!.value, 985);
  const m2 = JSON.parse(readFileSync(join(cell, 'monitoring-02.json'), 'utf8')) as MonitoringFile;
  assert.deepEqual(m2.steps[0], { step: 'main', error: 'Prometheus went away' });
  const md = readFileSync(join(runDir, 'monitoring.md'), 'utf8');
  assert.match(md, /## a · 03-pdp · run 1 · main/);
  assert.match(md, /\| via Prometheus \| 1000 \| 0 \| 1\.50 \| 1\.00 \| 3\.00 \| 9\.00 \|/);
  assert.match(md, /\| k6 summary \(run-01\.json\) \| 1000 \| 0 \| 1\.50 \| 1\.00 \| 3\.00 \| 9\.00 \|/);
  assert.match(md, /\| Requests\/s \(A\) \| a \| 985 \| 990 \| 990 \|/);
  assert.match(md, /## a · 03-pdp · run 2 · main\n\ncapture failed: Prometheus went away/);
});
