/** faults/summary.ts: scenario 10's run files read back, and its table (medians, ranges, audit totals). */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { faultFileName, type FaultRunFile, SCENARIO } from '../src/faults/fault-run.js';
import { readFaultRuns, renderFaultTable } from '../src/faults/summary.js';
import { writeJsonAtomic } from '../src/lib/files.js';

const dir = mkdtempSync(join(tmpdir(), 'lab-faults-summary-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Outcome {
  errorRate: number;
  firstSuccessMs: number | null;
  sloMs: number | null;
  lost: number;
  oversold?: number;
  lostUnits?: number;
  unacknowledged?: number;
}

/** One fault run's file as fault-run.ts writes it, with this recovery and audit. */
function faultRun(
  target: string,
  victim: string,
  fault: FaultRunFile['fault'],
  run: number,
  o: Outcome,
): FaultRunFile {
  return {
    scenario: SCENARIO,
    target,
    victim,
    fault,
    run,
    rate: 200,
    durationSeconds: 30,
    atSeconds: 10,
    pauseSeconds: fault === 'pause' ? 5 : null,
    sloP99Ms: 50,
    faultAtMs: 1_000_000,
    backAtMs: 1_001_000,
    victimPids: [42],
    restarts: [],
    recovery: {
      requests: 6000,
      failed: 10,
      dropped: 0,
      during: { fromMs: 0, toMs: 1000, requests: 200, failed: 10, errorRate: o.errorRate },
      timeToFirstSuccessMs: o.firstSuccessMs,
      timeToSloMs: o.sloMs,
      requestsLost: o.lost,
      series: [],
    },
    audit: {
      confirmedOrders: 100,
      confirmedUnits: 150,
      productsChecked: 1200,
      oversoldUnits: o.oversold ?? 0,
      lostUnits: o.lostUnits ?? 0,
      unacknowledgedUnits: o.unacknowledged ?? 0,
      pageMismatches: 0,
      mismatches: [],
    },
    k6: { exitCode: 0, requests: 6000, p99Ms: 12, droppedIterations: 0 },
  };
}

const ok: Outcome = { errorRate: 0, firstSuccessMs: 0, sloMs: 0, lost: 0 };

test('reads every fault run file of every target, in file order; never k6 summaries, samples or other scenarios', () => {
  assert.deepEqual(readFaultRuns(join(dir, 'missing')), []);
  const runDir = join(dir, 'read');
  const files = [
    faultRun('micro', 'catalog-db', 'kill', 2, ok),
    faultRun('micro', 'catalog-db', 'kill', 1, ok),
    faultRun('micro', 'bff', 'pause', 1, ok),
    faultRun('mono', 'postgres', 'kill', 1, ok),
  ];
  for (const f of files)
    writeJsonAtomic(join(runDir, f.target, SCENARIO, faultFileName(f.victim, f.fault, f.run)), f);
  const cell = join(runDir, 'micro', SCENARIO);
  writeFileSync(join(cell, 'catalog-db-kill-01.k6.json'), '{}');
  writeFileSync(join(cell, 'catalog-db-kill-01.samples.json'), 'not json');
  writeFileSync(join(cell, 'summary.md'), '# not a run');
  mkdirSync(join(runDir, 'mono', '11-cold-start'), { recursive: true });
  writeFileSync(join(runDir, 'mono', '11-cold-start', 'crash-01.json'), '{}');
  writeFileSync(join(runDir, 'resilience.json'), '{}');
  const read = readFaultRuns(runDir);
  assert.deepEqual(
    read.map((r) => `${r.target} ${r.victim} ${r.fault} ${r.run}`),
    ['micro bff pause 1', 'micro catalog-db kill 1', 'micro catalog-db kill 2', 'mono postgres kill 1'],
  );
  assert.deepEqual(read[1], files[1]);
});

test('a row per target, victim and fault: median error rate, ranges with the runs that never recovered, audit sums', () => {
  const table = renderFaultTable([
    faultRun('micro', 'db', 'kill', 1, { errorRate: 0.1, firstSuccessMs: 1200, sloMs: null, lost: 10 }),
    faultRun('micro', 'bff', 'pause', 1, { ...ok, unacknowledged: 2 }),
    faultRun('micro', 'db', 'kill', 2, {
      errorRate: 0.3,
      firstSuccessMs: null,
      sloMs: null,
      lost: 30,
      oversold: 1,
      unacknowledged: 1,
    }),
    faultRun('micro', 'db', 'kill', 3, {
      errorRate: 0.2,
      firstSuccessMs: 1000,
      sloMs: null,
      lost: 20,
      lostUnits: 2,
    }),
    faultRun('mono', 'db', 'kill', 1, { errorRate: 0.05, firstSuccessMs: 850.5, sloMs: 1500, lost: 4 }),
  ]);
  assert.deepEqual(table.split('\n'), [
    '| target | victim | fault | runs | error rate during fault | to first success, ms | to p99 ≤ SLO, ms | requests lost | oversold units | lost units | unacknowledged units |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    '| micro | db | SIGKILL | 3 | 20.0% | 1,100 (1,000–1,200), 1 never | never | 20 (10–30) | 1 | 2 | 1 |',
    '| micro | bff | pause 5 s | 1 | 0.0% | 0 | 0 | 0 | 0 | 0 | 2 |',
    '| mono | db | SIGKILL | 1 | 5.0% | 851 | 1,500 | 4 | 0 | 0 | 0 |',
    '',
  ]);
});

test('pauses of different lengths are rows of their own', () => {
  const pause = (run: number, seconds: number): FaultRunFile => ({
    ...faultRun('micro', 'mongo', 'pause', run, ok),
    pauseSeconds: seconds,
  });
  const rows = renderFaultTable([pause(1, 5), pause(2, 30), pause(3, 5)])
    .split('\n')
    .slice(2, -1);
  assert.deepEqual(
    rows.map((r) => r.split(' | ').slice(2, 4)),
    [
      ['pause 5 s', '2'],
      ['pause 30 s', '1'],
    ],
  );
});

test('no runs: the head alone', () => {
  assert.equal(renderFaultTable([]).split('\n').length, 3);
});
