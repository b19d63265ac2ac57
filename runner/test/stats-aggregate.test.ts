/**
 * What the instrument adds to the statistics: the share of the k6 ceiling and the `loadgen-bound` flag (such a
 * cell leaves the req/s and latency ratios), the `drift` flag from the speed probe, paired ratios beside
 * Welch's, and CPU per request per service for multi-process targets. From real run files in a temp dir.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { writeJsonAtomic } from '../src/lib/files.js';
import type { Manifest, ResourcesFile, RunFile } from '../src/results/types.js';
import { errorKindTable } from '../src/report/error-kinds.js';
import { routeTable } from '../src/report/routes.js';
import { serviceTable } from '../src/report/services.js';
import { type RunSummary, summarizeRun } from '../src/stats/aggregate.js';
import { fakeK6Run } from './helpers.js';
import { errorKindsText, extractMetrics, judgeSlo } from '../src/k6/k6.js';
import { type StepResources, type Calibration } from '../src/results/types.js';

let dir: string;
let summary: RunSummary;
const RUN = 'instrument';

function write(target: string, run: number, rps: number, services: Record<string, number>, probeMs: number) {
  const base = { schema: 1, runId: RUN, target, scenario: '03-pdp', run };
  const d = join(dir, RUN, target, '03-pdp');
  const nn = String(run).padStart(2, '0');
  const metrics = extractMetrics(
    fakeK6Run({
      http_reqs: { count: rps * 10, rate: rps },
      http_req_duration: { 'p(50)': 2, 'p(99)': 9 },
      // multi runs a mix: the route submetrics its scenario's thresholds keep
      ...(Object.keys(services).length > 1
        ? {
            'http_reqs{name:home}': { count: rps * 2 },
            'http_req_failed{name:home}': { passes: run === 2 ? 1 : 0 },
            'checks{name:home}': { fails: 0 },
            'http_req_duration{name:home,expected_response:true}': { 'p(50)': 3, 'p(99)': 12 },
            'http_reqs{name:pdp}': { count: rps * 8 },
            'http_req_duration{name:pdp,expected_response:true}': { 'p(50)': 1.5, 'p(99)': 7 },
            // and counts its failed requests by kind (scenarios/lib/errors.ts)
            'request_errors{kind:http-5xx}': { count: run === 2 ? 1 : 0 },
            'request_errors{kind:timeout}': { count: 0 },
          }
        : {}),
    }).summary!,
  );
  const total = Object.values(services).reduce((a, b) => a + b, 0);
  const step: StepResources = {
    step: 'main',
    wallSeconds: 10,
    sut: {
      budget: { cpus: 1, cpuset: '1', memoryBytes: 2 ** 31 },
      cpuSeconds: total,
      cpuShareOfBudget: total / 10,
      periods: 100,
      throttledPeriods: 0,
      throttledShare: 0,
      peakMemoryBytes: 2 ** 27,
      peakMethod: 'reset-v1',
      services: Object.fromEntries(
        Object.entries(services).map(([n, cpu]) => [
          n,
          { cpuSeconds: cpu, periods: 0, throttledPeriods: 0, peakMemoryBytes: null },
        ]),
      ),
    },
    loadgen: { pinned: true, cpuset: '0', cores: 1, cpuSeconds: 3, cpuShare: 0.3, peakMemoryBytes: null },
    drift: { probeMs, probePinned: true, stealShare: 0 },
  };
  writeJsonAtomic(join(d, `run-${nn}.json`), {
    ...base,
    startedAt: 'x',
    endedAt: 'y',
    steps: [{ step: 'main', vus: 50, rate: null, duration: '10s', k6ExitCode: 0, metrics, slo: null }],
    capacity: null,
    k6: {},
  } satisfies RunFile);
  writeJsonAtomic(join(d, `resources-${nn}.json`), { ...base, steps: [step] } satisfies ResourcesFile);
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'lab-aggregate-'));
  const calibration: Calibration = {
    at: 'now',
    scenario: '03-pdp',
    vus: 50,
    duration: '10s',
    rps: 10_000,
    ceilingRps: 10_000,
    requests: 100_000,
    checksFailed: 0,
    loadgenCpuShare: 1,
    serverCpuset: '1',
  };
  const manifest = {
    schema: 1,
    runId: RUN,
    status: 'complete',
    reason: null,
    options: { targets: ['fast', 'multi', 'slow'], scenarios: ['03-pdp'], runs: 4 },
    plan: [{ name: '03-pdp', title: 'PDP', model: 'closed', slo: null, steps: [] }],
    calibrations: [calibration],
  } as unknown as Manifest;
  writeJsonAtomic(join(dir, RUN, 'manifest.json'), manifest);
  // The machine's speed per round: everything moves together. Round 4's probe is 30% slower.
  const speed = [1, 1.6, 0.8, 1.2];
  const probe = [10, 10, 10, 13];
  for (let i = 0; i < 4; i++) {
    write('fast', i + 1, 6000 * speed[i]!, { app: 6 }, probe[i]!);
    write('multi', i + 1, 1000 * speed[i]!, { bff: 4, catalog: 2, database: 4 }, probe[i]!);
    write('slow', i + 1, 500 * speed[i]!, { app: 5 }, probe[i]!);
  }
  summary = summarizeRun(join(dir, RUN));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const cell = (t: string) => summary.cells.find((c) => c.target === t)!.steps[0]!;

test('share of the k6 ceiling; above half of it a cell is loadgen-bound', () => {
  // 6,000 req/s x the round's speed, over a ceiling of 10,000: median of 0.6, 0.96, 0.48, 0.72
  assert.ok(Math.abs(cell('fast').stats.ceilingShare!.median - 0.66) < 1e-9);
  assert.ok(cell('fast').flags.includes('loadgen-bound'));
  assert.ok(!cell('multi').flags.includes('loadgen-bound'));
});

test('a loadgen-bound cell leaves the req/s and latency ratios; CPU per request stays', () => {
  const fast = summary.comparisons.filter((c) => c.a === 'fast');
  assert.deepEqual([...new Set(fast.map((c) => c.metric))], ['cpuPer1kReq']);
  const rps = summary.comparisons.find((c) => c.a === 'multi' && c.b === 'slow' && c.metric === 'rps')!;
  assert.ok(rps);
  // Every round is exactly 2x: the paired ratio is tight, the ratio of means carries the drift.
  assert.ok(Math.abs(rps.paired!.ratio - 2) < 1e-9);
  assert.ok(rps.paired!.halfWidth! < 1e-9);
  assert.ok((rps.result.ci95![1] - rps.result.ci95![0]) / 2 / rps.result.ratio > 0.1);
});

test('runs whose speed probe is more than 10% off the run’s median are flagged drift', () => {
  for (const t of ['fast', 'multi', 'slow']) assert.ok(cell(t).flags.includes('drift'), t);
});

test('CPU per request per service for multi-process targets, beside the total', () => {
  const m = cell('multi');
  assert.deepEqual(Object.keys(m.services).sort(), ['bff', 'catalog', 'database']);
  // round 1: 1,000 req/s x 10 s = 10,000 requests; bff 4 CPU s -> 0.4 ms per request
  assert.ok(Math.abs(m.services['bff']!.values[0]! - 0.4) < 1e-9);
  assert.deepEqual(cell('slow').services, {}, 'one service: nothing to break out');
  const md = serviceTable(summary.cells);
  assert.match(
    md,
    // medians over rounds of 10 CPU s over 10,000 x speed requests: total 0.917, bff 0.367 ms per request
    /\| multi \| 0\.917 \| bff 0\.367 \(40%\) · database 0\.367 \(40%\) · catalog 0\.183 \(20%\) \|/,
  );
  assert.doesNotMatch(md, /\| slow \|/);
});

test('mixed scenarios: per route req/s, successful latency and errors', () => {
  const r = cell('multi').routes;
  assert.deepEqual(Object.keys(r).sort(), ['home', 'pdp']);
  // the fake k6 run lasts 1 s: home is 2,000 x speed requests, median over rounds 2,200 req/s
  assert.equal(r['home']!.rps, 2200);
  assert.equal(r['home']!.failedRequests, 1);
  assert.equal(r['pdp']!.p99, 7);
  assert.deepEqual(cell('slow').routes, {});
  assert.match(routeTable(summary.cells), /\| multi \| home \| 2,200 \| 3\.00 \| 12\.0 \| 1 \| 0 \|/);
});

test('failed requests by kind: summed over runs, in their own table, absent for files without kinds', () => {
  assert.deepEqual(cell('multi').errorKinds, { 'http-5xx': 1 });
  assert.equal(
    cell('slow').errorKinds,
    undefined,
    'a summary without the submetrics: kinds unknown, not zero',
  );
  assert.ok(!('errorKinds' in cell('slow')), 'so older summaries stay byte for byte the same');
  const md = errorKindTable(summary.cells);
  assert.match(md, /\| target \| failed requests \| http-5xx \|/);
  assert.match(md, /\| multi \| 1 \| 1 \|/);
  assert.doesNotMatch(md, /\| slow \||\| timeout \|/, 'only steps that failed, only kinds that occurred');
  assert.equal(errorKindTable(summary.cells.filter((c) => c.target === 'slow')), '');
});

test('the progress line and an 08 step’s SLO reasons name the kinds, most frequent first', () => {
  assert.equal(errorKindsText({ reset: 2, timeout: 7, 'http-5xx': 1 }), 'timeout 7, reset 2, http-5xx 1');
  const m = extractMetrics(
    fakeK6Run({
      http_reqs: { count: 100, rate: 100 },
      http_req_failed: { passes: 9 },
      'request_errors{kind:timeout}': { count: 7 },
      'request_errors{kind:refused}': { count: 2 },
      'request_errors{kind:other}': { count: 0 },
    }).summary!,
  );
  assert.deepEqual(m.errorKinds, { timeout: 7, refused: 2 });
  assert.deepEqual(judgeSlo(m, 50).reasons, ['9 failed requests (timeout 7, refused 2)']);
});
