/** report/markdown.ts: the header above every table, the scenario and capacity tables, comparisons, the legend. */
import assert from 'node:assert/strict';
import { describe as suite, test } from 'node:test';
import { capacityTable, comparisonTable, flagLegend, header, scenarioTable } from '../src/report/markdown.js';
import type { Calibration, Session } from '../src/results/types.js';
import { type CellSummary, FLAG_TEXT, type PairComparison } from '../src/stats/aggregate.js';
import { compare } from '../src/stats/compare.js';
import { describe } from '../src/stats/describe.js';
import { pairedRatio } from '../src/stats/paired.js';
import { benchmarkManifest, session, summaryCell, summaryStep, targetInfo } from './helpers.js';

/** A null-endpoint calibration of 00 at 50 VUs for 10 s. */
function calibration(ceilingRps: number, loadgenCpuShare: number, serverCpuset: string | null): Calibration {
  return {
    at: '2026-11-23T10:00:00.000Z',
    scenario: '00-null',
    vus: 50,
    duration: '10s',
    rps: ceilingRps * loadgenCpuShare,
    ceilingRps,
    requests: 1000,
    checksFailed: 0,
    loadgenCpuShare,
    serverCpuset,
  };
}

/** The cell with an 08-style capacity per run (null: not even the first rate, 100/s, was sustained). */
function withCapacity(cell: CellSummary, values: (number | null)[]): CellSummary {
  cell.capacity = {
    sloP99Ms: 50,
    firstRate: 100,
    values,
    stats: describe(values.map((v) => v ?? 0)),
    flags: [],
  };
  return cell;
}

/** One comparison of a and b over three interleaved runs, as comparePairs makes it. */
function comparison(
  metric: PairComparison['metric'],
  step: string,
  a: number[],
  b: number[],
): PairComparison {
  const byRun = (xs: number[]) => new Map(xs.map((x, i) => [i + 1, x]));
  return {
    scenario: '03-pdp',
    step,
    metric,
    a: 'a',
    b: 'b',
    result: compare(a, b)!,
    paired: pairedRatio(byRun(a), byRun(b)),
  };
}

suite('header', () => {
  test('run, machine, budgets read back, databases and versions, command: one line each', () => {
    const m = benchmarkManifest({
      status: 'incomplete',
      reason: 'b died during 03-pdp · b · run 2/3\nsecond line of the reason',
      git: { commit: 'fedcba9876543210', dirty: true },
      loadgen: { cpuset: '0', cores: 1, pinned: false },
      options: { ...benchmarkManifest().options, quick: true },
      targets: {
        a: targetInfo(
          'a',
          { cpus: 0.5, cpuset: '1', memoryBytes: 512 * 2 ** 20 },
          {
            database: 'PostgreSQL 16',
            server: 'node',
            pg: '8.13',
          },
        ),
        b: targetInfo('b', { cpus: null, cpuset: null, memoryBytes: null }),
        c: targetInfo('c', null),
        d: { ...targetInfo('d', null), verify: null },
      },
    });
    assert.deepEqual(header([m]).split('\n'), [
      '> **Run** `r` (incomplete: b died during 03-pdp · b · run 2/3), commit `fedcba9876` (dirty), 2026-11-23  ',
      '> **Machine** Test CPU, 2 cores, 24 GiB, Linux 6.1, Node v20.20.2  ',
      '> **Budget (read back)** a: 0.5 cpu (cpuset 1), 512m; b: no quota cpu (cpuset -), no memory limit; ' +
        'c: UNLIMITED; d: not started · **load generator** k6 v1.8.1 on cpuset 0 (NOT pinned)  ',
      '> **Load generator ceiling** not measured (run before calibration existed): no cell is judged against it  ',
      '> **Databases** a: PostgreSQL 16 · **versions** a: pg 8.13  ',
      '> **Command** `./run-benchmark.sh a,b 03 --runs 3` — 3 runs, warm-up 10s, cooldown 3s, seed 42, scale 1, ' +
        'native, QUICK (smoke test: not a measurement)',
    ]);
  });

  test('only the named targets; a block per manifest; unknown commit, no database, unknown k6', () => {
    const one = benchmarkManifest({
      targets: { a: targetInfo('a', null, { database: 'SQLite' }), b: targetInfo('b') },
    });
    const two = benchmarkManifest({
      runId: 'r2',
      git: { commit: null, dirty: null },
      versions: {},
    });
    const lines = header([one, two], ['b']).split('\n');
    assert.equal(lines.length, 12);
    assert.equal(lines[0], '> **Run** `r` (complete), commit `0123456789`, 2026-11-23  ');
    assert.match(lines[2]!, /^> \*\*Budget \(read back\)\*\* b: 1 cpu \(cpuset 1\), 2g · /);
    assert.equal(lines[4], '> **Databases** none (in-memory)  ', 'a and its SQLite are left out');
    assert.equal(lines[6], '> **Run** `r2` (complete), commit `unknown`, 2026-11-23  ');
    assert.match(lines[8]!, / · \*\*load generator\*\* k6 \? on cpuset 0 {2}$/);
  });

  test('a run resumed on another boot says so on its Machine line; Node flags are named with the command', () => {
    const machineLine = (sessions: Session[]) => header([benchmarkManifest({ sessions })]).split('\n')[1]!;
    assert.doesNotMatch(
      machineLine([session('aaaaaaaa-1'), session('aaaaaaaa-1'), session()]),
      /sessions on/,
    );
    assert.match(
      machineLine([session('aaaaaaaa-1'), session(), session('bbbbbbbb-2')]),
      / · \*\*sessions on 2 machines\*\* \(boot ids aaaaaaaa, bbbbbbbb\) {2}$/,
    );
    const runLine = (sessions: Session[]) => header([benchmarkManifest({ sessions })]).split('\n')[0]!;
    assert.doesNotMatch(
      runLine([session(), { ...session(), git: { commit: '0123456789abcdef', dirty: false } }]),
      /sessions at/,
    );
    assert.match(
      runLine([session(), { ...session(), git: { commit: 'fedcba9876543210', dirty: true } }]),
      /commit `0123456789` · \*\*sessions at 2 commits\*\* \(0123456789, fedcba9876\+\), 2026-/,
    );
    const base = benchmarkManifest();
    const flagged = benchmarkManifest({ options: { ...base.options, nodeOptions: '--v8-pool-size=1' } });
    assert.match(header([flagged]), /, Node targets with `--v8-pool-size=1`/);
    assert.doesNotMatch(header([base]), /Node targets with/);
    const inside = benchmarkManifest({ options: { ...base.options, order: 'scenario' } });
    assert.match(
      header([inside]),
      /, native, scenario order \(every target up at once, the idle ones running,/,
    );
    const frozen = benchmarkManifest({
      options: { ...base.options, order: 'scenario', idleTargets: 'frozen' },
    });
    assert.match(header([frozen]), /scenario order \(every target up at once, the idle ones frozen,/);
    assert.doesNotMatch(header([base]), /scenario order/);
  });

  test('the k6 ceiling: the lowest calibration of the sessions, where the null server ran, extrapolation named', () => {
    const single = header([benchmarkManifest({ calibrations: [calibration(3000, 0.95, null)] })]);
    assert.match(
      single,
      /^> \*\*Load generator ceiling\*\* 3,000 req\/s: k6 running scenario 00-null \(50 VUs, 10s\) against the null endpoint \(not pinned\); a cell above 50% of it is flagged loadgen-bound {2}$/m,
    );
    const two = header([
      benchmarkManifest({ calibrations: [calibration(5000, 0.99, '1'), calibration(4000, 0.5, '1')] }),
    ]);
    assert.match(
      two,
      /^> \*\*Load generator ceiling\*\* 4,000 req\/s: k6 running scenario 00-null \(50 VUs, 10s\) against the null endpoint pinned to cpuset 1, lowest of 2 sessions \(extrapolated: k6 used only 50% of its core, the null server's core was busy\); a cell above 50% of it is flagged loadgen-bound {2}$/m,
    );
    // The session that set the ceiling describes it: not the first one, and not another session's extrapolation.
    const later = header([
      benchmarkManifest({ calibrations: [calibration(5000, 0.5, null), calibration(4000, 0.99, '1')] }),
    ]);
    assert.match(
      later,
      /^> \*\*Load generator ceiling\*\* 4,000 req\/s: .* pinned to cpuset 1, lowest of 2 sessions; a cell above/m,
    );
    assert.match(
      header([benchmarkManifest({ calibrations: [calibration(0, 0.99, '1')] })]),
      /not measured \(the calibration served nothing\)/,
    );
  });
});

suite('scenarioTable', () => {
  const thrice = (v: number): number[] => [v, v, v];
  const steady = summaryStep('main', {
    rps: thrice(1000),
    cpuPer1kReq: thrice(0.5),
    ceilingShare: thrice(0.2),
    p50: thrice(2),
    p95: thrice(4),
    p99: thrice(8),
    errorRate: [0, 0.0012, 0],
    cpuShare: thrice(0.8),
    throttledShare: thrice(0.1),
    peakMemoryMiB: [100, 110, 120],
    loadgenCpuShare: [0.3, 0.45, 0.35],
    probeMs: [10, 11, 10],
    stealShare: [0, 0.02, 0],
  });
  steady.flags = ['errors', 'noisy'];

  test('one step: no step column, a row per target with every column; unknown values are dashes', () => {
    const sparse = summaryStep('main', { rps: [400, 400] });
    const table = scenarioTable([summaryCell('a', '03-pdp', [steady]), summaryCell('b', '03-pdp', [sparse])]);
    const lines = table.split('\n');
    assert.equal(lines.length, 4, 'head, alignment and two rows; no service or route table');
    assert.equal(
      lines[0],
      '| target | runs | req/s | CPU ms / req | of k6 ceiling | p50 ms | p95 ms | p99 ms | errors | CPU of budget | throttled | peak MiB | k6 CPU | speed drift | flags |',
    );
    assert.equal(lines[1], '|:---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---|');
    assert.equal(
      lines[2],
      '| a | 3/3 | 1,000 ±0.0% | 0.500 ±0.0% | 20% | 2.00 ±0.0% | 4.00 ±0.0% | 8.00 ±0.0% | 0.12% | 80% | 10% | 110 | 45% | ±5%, steal 2% | errors, noisy |',
    );
    assert.equal(lines[3], '| b | 2/2 | 400 ±0.0% | – | – | – | – | – | – | – | – | – | – | – |  |');
  });

  test('speed drift: half the spread of the probes; steal alone when there is one probe; none below 0.1%', () => {
    const drift = (probeMs: number[], stealShare: number[]) =>
      scenarioTable([
        summaryCell('a', '03-pdp', [summaryStep('main', { rps: [1, 1, 1], probeMs, stealShare })]),
      ])
        .split('\n')[2]!
        .split(' | ')
        .at(-2);
    assert.equal(drift([10, 12, 14], [0, 0, 0]), '±20%');
    assert.equal(drift([10], [0, 0.05, 0]), 'steal 5%');
    assert.equal(drift([10], [0.0005, 0, 0]), '–');
  });

  test('several steps: a step column for every cell; services and routes follow as their own tables', () => {
    const a = summaryCell('a', '07-concurrency-sweep', [
      summaryStep('vus-20', { rps: [100] }),
      summaryStep('vus-200', { rps: [900] }),
    ]);
    const b = summaryCell('b', '07-concurrency-sweep', [summaryStep('vus-20', { rps: [50] })]);
    b.steps[0]!.stats.cpuPer1kReq = describe([1]);
    b.steps[0]!.services = { db: { values: [0.75], stats: describe([0.75]) } };
    b.steps[0]!.routes = { pdp: { rps: 50, p50: 2, p99: 9, failedRequests: 1, checksFailed: 0 } };
    // The table, then "CPU per request by service:" and its table, then "Per route:" and its table.
    const parts = scenarioTable([a, b]).split('\n\n');
    assert.equal(parts.length, 5);
    const rows = parts[0]!.split('\n');
    assert.match(rows[0]!, /^\| target \| step \| runs \| req\/s \|/);
    assert.match(rows[1]!, /^\|:---\|:---\|---:\|/);
    assert.deepEqual(
      rows.slice(2).map((r) => r.split(' | ').slice(0, 4)),
      [
        ['| a', 'vus-20', '1/1', '100'],
        ['| a', 'vus-200', '1/1', '900'],
        ['| b', 'vus-20', '1/1', '50'],
      ],
    );
    assert.match(parts[1]!, /^CPU per request by service/);
    // Only b has services, with one step: that table needs no step column.
    assert.deepEqual(parts[2]!.split('\n'), [
      '| target | CPU ms / req (total) | per service: ms / req (share) |',
      '|:---|---:|:---|',
      '| b | 1.000 | db 0.750 (75%) |',
    ]);
    assert.match(parts[3]!, /^Per route/);
    assert.equal(parts[4]!.split('\n')[2], '| b | pdp | 50 | 2.00 | 9.00 | 1 | 0 |');
  });
});

suite('capacityTable', () => {
  test('only cells with a capacity; a cell that sustained nothing reads "< first rate"', () => {
    const a = withCapacity(
      summaryCell('a', '08-capacity', [summaryStep('rate-100', { rps: [1, 1, 1] })]),
      [200, 200, 400],
    );
    a.capacity!.flags = ['noisy'];
    const b = withCapacity(summaryCell('b', '08-capacity', [summaryStep('rate-100', { rps: [1, 1, 1] })]), [
      null,
      null,
      null,
    ]);
    const c = withCapacity(summaryCell('c', '08-capacity', [summaryStep('rate-100', { rps: [1, 1] })]), [
      100,
      null,
    ]);
    const none = summaryCell('d', '03-pdp', [summaryStep('main', { rps: [1] })]);
    const lines = capacityTable([a, none, b, c]).split('\n');
    assert.equal(lines[0], '| target | runs | SLO | capacity req/s (median) | per run | flags |');
    assert.equal(lines[1], '|:---|---:|:---|---:|:---|:---|');
    assert.match(lines[2]!, /^\| a \| 3\/3 \| p99 ≤ 50 ms \| 200 ±\d+% \| 200, 200, 400 \| noisy \|$/);
    assert.equal(lines[3], '| b | 3/3 | p99 ≤ 50 ms | < 100 | < 100, < 100, < 100 |  |');
    assert.match(lines[4]!, /^\| c \| 2\/2 \| p99 ≤ 50 ms \| [^|]+ \| 100, < 100 \| {2}\|$/);
    assert.equal(lines.length, 5);
    assert.equal(capacityTable([none]).split('\n').length, 2, 'no capacity: the head alone');
  });
});

suite('comparisonTable', () => {
  test('nothing to compare: nothing at all', () => {
    assert.equal(comparisonTable([]), '');
  });

  test('paired and unpaired ratios with their CIs, Welch p and stars; the false positives to expect', () => {
    const text = comparisonTable([
      comparison('rps', 'main', [1000, 1010, 990], [500, 505, 495]),
      comparison('p50', 'main', [10, 12, 11], [10, 11, 12]),
      comparison('capacity', 'capacity', [200], [100]),
    ]);
    const [table, note] = text.split('\n\n');
    const lines = table!.split('\n');
    assert.equal(
      lines[0],
      "| a / b | step | metric | paired ratio | paired 95% CI | ± | runs for ±10% | ratio of means | 95% CI | Welch's p |  |",
    );
    assert.equal(lines[1], '|:---|:---|:---|---:|---:|---:|---:|---:|---:|---:|:---|');
    assert.match(
      lines[2]!,
      /^\| a \/ b \| main \| req\/s \| 2\.000× \| 2\.000–2\.000 \| ±0\.0% \| 2 \| 2\.000× \| 1\.9\d\d–2\.0\d\d \| < 0\.001 \| \*\*\* \|$/,
    );
    assert.match(
      lines[3]!,
      /^\| a \/ b \| main \| p50 \| 1\.000× \| 0\.\d{3}–1\.\d{3} \| ±\d+\.\d% \| [\d,]+ \| 1\.000× \| 0\.\d{3}–1\.\d{3} \| 1\.000 \| {2}\|$/,
    );
    assert.equal(lines[4], '| a / b | capacity | capacity | 2.000× | – | – | – | 2.000× | – | – |  |');
    assert.equal(lines.length, 5);
    assert.match(note!, /^3 comparisons: at p < 0\.05 about 0\.1 would be "significant" by chance alone\. /);
  });
});

suite('flagLegend', () => {
  test('every flag used, once, in order of first use, with its meaning; steps and capacities alike', () => {
    const a = summaryCell('a', '03-pdp', [summaryStep('main', { rps: [1] })]);
    a.steps[0]!.flags = ['errors', 'noisy'];
    const b = withCapacity(summaryCell('b', '08-capacity', [summaryStep('rate-100', { rps: [1] })]), [100]);
    b.steps[0]!.flags = ['errors'];
    b.capacity!.flags = ['incomplete'];
    assert.equal(
      flagLegend([a, b]),
      [
        `- \`errors\`: ${FLAG_TEXT.errors}`,
        `- \`noisy\`: ${FLAG_TEXT.noisy}`,
        '- `incomplete`: fewer runs than planned',
      ].join('\n'),
    );
  });

  test('no flag anywhere: one sentence saying so', () => {
    assert.match(
      flagLegend([summaryCell('a', '03-pdp', [summaryStep('main', { rps: [1] })])]),
      /^No flags: /,
    );
    assert.match(flagLegend([]), /^No flags: /);
  });
});
