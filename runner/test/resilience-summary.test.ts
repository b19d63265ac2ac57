/** resilience/summary.ts: a resilience run's manifest read back, its table by scenario, and its summary.md. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { faultFileName, type FaultRunFile } from '../src/faults/fault-run.js';
import { writeJsonAtomic } from '../src/lib/files.js';
import {
  RESILIENCE_MANIFEST,
  type ResilienceManifest,
  resilienceHeader,
} from '../src/resilience/manifest.js';
import {
  readResilienceManifest,
  resilienceTable,
  writeResilienceSummary,
} from '../src/resilience/summary.js';
import type { ScaleRunFile } from '../src/scale/report.js';
import type { RunSummary } from '../src/stats/aggregate.js';
import { coldStartFile, resilienceManifest, summaryCell, summaryStep } from './helpers.js';

const results = mkdtempSync(join(tmpdir(), 'lab-resilience-summary-'));
after(() => rmSync(results, { recursive: true, force: true }));

function manifest(runId: string, scenario: string, failures: string[] = []): ResilienceManifest {
  return resilienceManifest({ runId, scenario, failures });
}

function faultRun(run: number): FaultRunFile {
  return {
    scenario: '10-fault-injection',
    target: 'mono',
    victim: 'postgres',
    fault: 'kill',
    run,
    rate: 200,
    durationSeconds: 30,
    atSeconds: 10,
    pauseSeconds: null,
    sloP99Ms: 50,
    faultAtMs: 0,
    backAtMs: 900,
    victimPids: [],
    restarts: [],
    recovery: {
      requests: 6000,
      failed: 40,
      dropped: 0,
      during: { fromMs: 0, toMs: 900, requests: 180, failed: 40, errorRate: 0.25 },
      timeToFirstSuccessMs: 900 + run * 100,
      timeToSloMs: 1900 + run * 100,
      requestsLost: 30 + run * 10,
      series: [],
    },
    audit: {
      confirmedOrders: 10,
      confirmedUnits: 12,
      productsChecked: 1200,
      oversoldUnits: 0,
      lostUnits: 0,
      unacknowledgedUnits: 0,
      pageMismatches: 0,
      mismatches: [],
    },
    k6: { exitCode: 0, requests: 6000, p99Ms: 20, droppedIterations: 0 },
  };
}

test('the manifest: read back from resilience.json; null where there is none', () => {
  const runDir = join(results, 'm1');
  assert.equal(readResilienceManifest(runDir), null);
  const m = manifest('m1', '10-fault-injection');
  writeJsonAtomic(join(runDir, RESILIENCE_MANIFEST), m);
  assert.deepEqual(readResilienceManifest(runDir), m);
});

test("10: the fault table from the run's fault files, and the measurements that failed", () => {
  const runDir = join(results, 'f1');
  for (const run of [1, 2])
    writeJsonAtomic(
      join(runDir, 'mono', '10-fault-injection', faultFileName('postgres', 'kill', run)),
      faultRun(run),
    );
  const table = resilienceTable(
    runDir,
    manifest('f1', '10-fault-injection', ['postgres pause run 1: no answer']),
  );
  assert.match(table, /^\| target \| victim \| fault \|/);
  assert.match(
    table,
    /\n\| mono \| postgres \| SIGKILL \| 2 \| 25\.0% \| 1,050 \(1,000–1,100\) \| 2,050 \(2,000–2,100\) \| 45 \(40–50\) \| 0 \| 0 \| 0 \|\n/,
  );
  assert.ok(table.endsWith('\nFailed measurements: postgres pause run 1: no answer.\n'));
  assert.doesNotMatch(resilienceTable(runDir, manifest('f1', '10-fault-injection')), /Failed measurements/);
});

test("11: the cold-start table from the run's start files", () => {
  const runDir = join(results, 'c1');
  writeJsonAtomic(join(runDir, 'mono', '11-cold-start', 'crash-01.json'), coldStartFile(1, 2500));
  writeJsonAtomic(join(runDir, 'mono', '11-cold-start', 'crash-02.json'), coldStartFile(2, null));
  const table = resilienceTable(runDir, manifest('c1', '11-cold-start'));
  assert.match(table, /^\| target \| start \| reps \|/);
  assert.match(table, /\n\| mono \| after SIGKILL \| 2 \| 2,500, 1 never \| /);
});

test('12: the scale table from scale.json and the summaries of the benchmark runs it names, beside the run', () => {
  const runDir = join(results, 's1');
  const scale: ScaleRunFile = {
    scenario: '12-data-scale',
    target: 'mono',
    scenarios: ['01-home'],
    scales: [
      { scale: 1, previousScale: null, upSeconds: 3, seeded: null, runId: 'b1' },
      { scale: 10, previousScale: 1, upSeconds: 12.5, seeded: null, runId: 'b-missing' },
    ],
  };
  writeJsonAtomic(join(runDir, 'scale.json'), scale);
  const bench: RunSummary = {
    schema: 1,
    runId: 'b1',
    status: 'complete',
    cells: [
      summaryCell('mono', '01-home', [summaryStep('main', { p50: [2], p99: [5], peakMemoryMiB: [150] })]),
    ],
    comparisons: [],
  };
  writeJsonAtomic(join(results, 'b1', 'summary.json'), bench);
  const table = resilienceTable(runDir, manifest('s1', '12-data-scale'));
  assert.match(table, /\n\| 01-home \| 1 \(1,200\) \| 2\.00 \| 5\.00 \| - \| 150 \|\n/);
  assert.match(table, /\n\| 01-home \| 10 \(12,000\) \| - \| - \| - \| - \|\n/, 'b-missing has no summary');
  assert.match(table, /\n\| 1 \(1,200\) \| 3\.00 \|\n\| 10 \(12,000\) \| 12\.50 \|\n/);
});

test('a manifest of another scenario is an error naming the resilience scenarios, not a fault table', () => {
  const runDir = join(results, 'x1');
  assert.throws(
    () => resilienceTable(runDir, manifest('x1', '03-pdp')),
    /scenario 03-pdp is not a resilience scenario \(10-fault-injection, 11-cold-start, 12-data-scale\)/,
  );
});

test('summary.md: the title, the header and the table', () => {
  const runDir = join(results, 'c2');
  writeJsonAtomic(join(runDir, 'mono', '11-cold-start', 'crash-01.json'), coldStartFile(1, 2500));
  const m = manifest('c2', '11-cold-start', ['start run 3: timed out']);
  writeResilienceSummary(runDir, m);
  assert.equal(
    readFileSync(join(runDir, 'summary.md'), 'utf8'),
    `# c2: 11-cold-start\n\n${resilienceHeader(m)}\n\n${resilienceTable(runDir, m)}`,
  );
  const md = readFileSync(join(runDir, 'summary.md'), 'utf8');
  assert.match(md, /\nFailed measurements: start run 3: timed out\.\n$/);
  assert.match(
    md,
    /\*\*Target\*\* mono · \*\*budget \(read back\)\*\* 1 cpu, cpuset 1, 2g · database PostgreSQL 16/,
  );
});
