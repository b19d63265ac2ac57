/** report/monitoring-summary.ts: monitoring.md from the stored monitoring-NN.json files (and their run files). */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { writeJsonAtomic } from '../src/lib/files.js';
import { renderMonitoringSummary } from '../src/report/monitoring-summary.js';
import type { MonitoringCapture, MonitoringFile, QueryCapture, RunFile } from '../src/results/types.js';
import { stepMetrics } from './helpers.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'lab-monitoring-md-'));
  dirs.push(d);
  return d;
};

/** A Lab overview query over the step: its value per series over the whole step, and its 5 s series. */
function query(
  panel: string,
  refId: string,
  legend: string,
  over: { labels: Record<string, string>; value: number }[],
  series: { labels: Record<string, string>; mean: number | null; max: number | null }[] = [],
  extra: Partial<QueryCapture> = {},
): QueryCapture {
  return {
    dashboard: 'Lab overview',
    panel,
    refId,
    legend,
    template: 'x',
    expr: 'x',
    series: series.map((s) => ({ ...s, samples: [], min: null, last: null })),
    overRun: { expr: 'x', values: over },
    error: null,
    ...extra,
  };
}

function capture(k6: MonitoringCapture['k6'], queries: QueryCapture[]): MonitoringCapture {
  return {
    prometheus: 'http://127.0.0.1:9090',
    start: '2026-12-01T10:00:00.000Z',
    end: '2026-12-01T10:00:10.000Z',
    stepSeconds: 5,
    rateIntervalSeconds: 20,
    overRunWindowSeconds: 10,
    variables: {},
    k6,
    queries,
  };
}

function writeCell(
  runDir: string,
  target: string,
  run: number,
  steps: MonitoringFile['steps'],
  withRunFile: boolean,
) {
  const dir = join(runDir, target, '03-pdp');
  const nn = String(run).padStart(2, '0');
  const base = { schema: 1, runId: 'r', target, scenario: '03-pdp', run };
  writeJsonAtomic(join(dir, `monitoring-${nn}.json`), { ...base, steps } satisfies MonitoringFile);
  if (withRunFile)
    writeJsonAtomic(join(dir, `run-${nn}.json`), {
      ...base,
      startedAt: 'x',
      endedAt: 'y',
      steps: [
        {
          step: 'main',
          vus: 50,
          rate: null,
          duration: '10s',
          k6ExitCode: 0,
          metrics: stepMetrics(100, 8, { failedRequests: 3 }),
          slo: null,
        },
      ],
      capacity: null,
      k6: {},
    } satisfies RunFile);
}

const K6 = {
  selector: '{run="1"}',
  at: 1,
  requests: 1000,
  failedRequests: null,
  latencySeconds: { avg: 0.0012, p50: 0.001, p90: 0.0015, p95: 0.002, p99: null },
};

test('no monitoring file (or no run directory): nothing to render', () => {
  const dir = tempDir();
  assert.equal(renderMonitoringSummary(join(dir, 'missing'), 'r'), null);
  writeJsonAtomic(join(dir, 'a', '03-pdp', 'run-01.json'), {});
  assert.equal(renderMonitoringSummary(dir, 'r'), null);
});

test("per step: k6's totals beside its own summary, every Lab overview query by series, failures kept", () => {
  const dir = tempDir();
  writeCell(
    dir,
    'a',
    1,
    [
      {
        step: 'main',
        ...capture(K6, [
          query(
            'CPU',
            'A',
            '{{service}}',
            [
              { labels: { service: 'app' }, value: 0.5 },
              { labels: { service: 'db' }, value: 0.00123 },
            ],
            [
              { labels: { service: 'app' }, mean: 12.34567, max: 1234567 },
              { labels: { service: 'cache' }, mean: 0, max: -3 },
            ],
          ),
          query('Errors', 'B', '', [], [], { error: 'bad | query' }),
          query('Empty', 'C', '{{route}}', []),
          query('Total', 'D', '', [{ labels: {}, value: 7 }]),
          query('Label', 'E', 'req {{missing}}', [{ labels: { route: 'pdp' }, value: 1 }]),
          { ...query('Hidden', 'F', '', [{ labels: {}, value: 1 }]), dashboard: 'Service internals' },
        ]),
      },
      { step: 'rate-100', error: 'Prometheus did not answer' },
    ],
    true,
  );
  const md = renderMonitoringSummary(dir, 'run-7')!;
  assert.match(md, /^# Monitoring: run run-7\n\nRendered from the Prometheus answers/);
  assert.ok(md.endsWith('\n'));
  const sections = md.split(/^## /m).slice(1);
  assert.equal(sections.length, 2);
  assert.deepEqual(sections[0]!.trimEnd().split('\n'), [
    'a · 03-pdp · run 1 · main',
    '',
    '2026-12-01T10:00:00.000Z → 2026-12-01T10:00:10.000Z (window 10 s)',
    '',
    '| k6 | requests | failed | avg ms | p50 ms | p95 ms | p99 ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    '| via Prometheus | 1000 | – | 1.20 | 1.00 | 2.00 | – |',
    '| k6 summary (run-01.json) | 1000 | 3 | 2.67 | 2.00 | 5.33 | 8.00 |',
    '',
    '| panel | series | over the step | mean | max |',
    '| --- | --- | ---: | ---: | ---: |',
    '| CPU (A) | app | 0.5 | 12.35 | 1.23e+6 |',
    '| CPU (A) | db | 1.23e-3 | – | – |',
    '| CPU (A) | cache | – | 0 | -3 |',
    '| Errors (B) | error: bad \\| query | | | |',
    '| Empty (C) | no data | | | |',
    '| Total (D) | {} | 7 | – | – |',
    '| Label (E) | req | 1 | – | – |',
  ]);
  assert.deepEqual(sections[1]!.trimEnd().split('\n'), [
    'a · 03-pdp · run 1 · rate-100',
    '',
    'capture failed: Prometheus did not answer',
  ]);
});

test("cells and runs in order; no run file: Prometheus's row alone; no k6 totals: no k6 table", () => {
  const dir = tempDir();
  const cpu = [query('CPU', 'A', '{{service}}', [{ labels: { service: 'app' }, value: 1 }])];
  writeCell(dir, 'b', 2, [{ step: 'main', ...capture(null, cpu) }], true);
  writeCell(dir, 'b', 1, [{ step: 'main', ...capture(K6, cpu) }], false);
  writeCell(dir, 'a', 1, [{ step: 'other', ...capture(K6, cpu) }], true);
  const md = renderMonitoringSummary(dir, 'r')!;
  const sections = md.split(/^## /m).slice(1);
  assert.deepEqual(
    sections.map((s) => s.split('\n')[0]),
    ['a · 03-pdp · run 1 · other', 'b · 03-pdp · run 1 · main', 'b · 03-pdp · run 2 · main'],
  );
  assert.match(sections[0]!, /\| via Prometheus \|/);
  assert.doesNotMatch(sections[0]!, /k6 summary/, "the run file has no step 'other'");
  assert.match(sections[1]!, /\| via Prometheus \|/);
  assert.doesNotMatch(sections[1]!, /k6 summary/, 'no run-01.json');
  assert.doesNotMatch(sections[2]!, /\| k6 \|/);
  assert.match(sections[2]!, /\| CPU \(A\) \| app \| 1 \| – \| – \|/);
});
