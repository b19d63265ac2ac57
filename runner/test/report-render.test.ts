import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { writeJsonAtomic } from '../src/lib/files.js';
import type {
  Manifest,
  ResourcesFile,
  RunFile,
  SloResult,
  StepMetrics,
  StepResult,
} from '../src/results/types.js';
import { repoRoot } from '../src/lib/env-file.js';
import { scaffoldNote } from '../src/notes/note.js';
import { renderReport } from '../src/report/report.js';
import { summarizeRun } from '../src/stats/aggregate.js';
import { type StepResources } from '../src/results/types.js';
import { benchmarkManifest, stepMetrics, targetInfo } from './helpers.js';

const root = repoRoot();
let dir: string;
const RUN = 'fixture-run';

/** One step of a run file: 10 s, k6 exited 0; closed (no rate, no SLO) unless a rate and its SLO verdict are given. */
function step(
  label: string,
  vus: number,
  metrics: StepMetrics,
  rate: number | null = null,
  slo: SloResult | null = null,
): StepResult {
  return { step: label, vus, rate, duration: '10s', k6ExitCode: 0, metrics, slo };
}

function resources(step: string, cpu: number, k6Share: number, limited = true): StepResources {
  return {
    step,
    wallSeconds: 10,
    sut: {
      budget: limited ? { cpus: 1, cpuset: '1', memoryBytes: 2 ** 31 } : null,
      cpuSeconds: cpu,
      cpuShareOfBudget: cpu / 10,
      periods: 100,
      throttledPeriods: 20,
      throttledShare: 0.2,
      peakMemoryBytes: 100 * 2 ** 20,
      peakMethod: 'reset-v1',
      services: { app: { cpuSeconds: cpu, periods: 0, throttledPeriods: 0, peakMemoryBytes: 100 * 2 ** 20 } },
    },
    loadgen: {
      pinned: true,
      cpuset: '0',
      cores: 1,
      cpuSeconds: k6Share * 10,
      cpuShare: k6Share,
      peakMemoryBytes: 2 ** 26,
    },
  };
}

function write(
  target: string,
  scenario: string,
  run: number,
  steps: RunFile['steps'],
  res: StepResources[],
  capacity: RunFile['capacity'] = null,
) {
  const base = { schema: 1, runId: RUN, target, scenario, run };
  const d = join(dir, RUN, target, scenario);
  const nn = String(run).padStart(2, '0');
  writeJsonAtomic(join(d, `run-${nn}.json`), {
    ...base,
    startedAt: 'x',
    endedAt: 'y',
    steps,
    capacity,
    k6: {},
  } satisfies RunFile);
  writeJsonAtomic(join(d, `resources-${nn}.json`), { ...base, steps: res } satisfies ResourcesFile);
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'lab-report-'));
  const manifest: Manifest = benchmarkManifest({
    runId: RUN,
    command: './run-benchmark.sh harper,micro 03,07,08 --runs 3',
    options: {
      ...benchmarkManifest().options,
      targets: ['harper', 'micro'],
      scenarios: ['03-pdp', '07-concurrency-sweep', '08-capacity'],
    },
    targets: {
      harper: {
        ...targetInfo('harper', undefined, { harperdb: '4.7.29' }),
        url: 'http://127.0.0.1:9926',
        verify: null,
      },
      micro: {
        ...targetInfo('micro', undefined, {
          database: 'FerretDB v1.24.1 on SQLite — MongoDB wire protocol, NOT MongoDB',
        }),
        url: 'http://127.0.0.1:3000',
        verify: null,
      },
    },
    plan: [
      {
        name: '03-pdp',
        title: 'Product detail',
        model: 'closed',
        slo: null,
        steps: [{ label: 'main', vus: 50, rate: null, duration: '10s', seconds: 10 }],
      },
      {
        name: '07-concurrency-sweep',
        title: 'Concurrency sweep',
        model: 'closed',
        slo: null,
        steps: [20, 200, 2000].map((v) => ({
          label: `vus-${v}`,
          vus: v,
          rate: null,
          duration: '10s',
          seconds: 10,
        })),
      },
      {
        name: '08-capacity',
        title: 'Capacity',
        model: 'open',
        slo: { p99Ms: 50 },
        steps: [100, 200, 400].map((r) => ({
          label: `rate-${r}`,
          vus: 1,
          rate: r,
          duration: '10s',
          seconds: 10,
        })),
      },
    ],
    sessions: [],
  });
  writeJsonAtomic(join(dir, RUN, 'manifest.json'), manifest);
  for (let run = 1; run <= 3; run++) {
    // harper: steady 1000 req/s; micro: 400-ish, noisy, and one failed request in run 2.
    write(
      'harper',
      '03-pdp',
      run,
      [step('main', 50, stepMetrics(1000 + run, 8))],
      [resources('main', 5, 0.4)],
    );
    const microPdp = stepMetrics([300, 400, 520][run - 1]!, 40, run === 2 ? { failedRequests: 1 } : {});
    write('micro', '03-pdp', run, [step('main', 50, microPdp)], [resources('main', 9, 0.3)]);
    for (const t of ['harper', 'micro']) {
      const f = t === 'harper' ? 1 : 0.4;
      write(
        t,
        '07-concurrency-sweep',
        run,
        [20, 200, 2000].map((v) => step(`vus-${v}`, v, stepMetrics(Math.round(1000 * f) + run, v / 10 / f))),
        [20, 200, 2000].map((v) => resources(`vus-${v}`, 9, v === 2000 ? 0.95 : 0.5)),
      );
      // 08: harper sustains 200/s (fails at 400), micro sustains 100/s (fails at 200).
      const rates = t === 'harper' ? [100, 200, 400] : [100, 200];
      const steps = rates.map((r, i) => {
        const pass = i < rates.length - 1;
        const slo = { p99Ms: 50, pass, reasons: pass ? [] : ['p99 80.0 ms > 50 ms'] };
        // The missed step also dropped arrivals (k6 at 20% of its core: the target held every VU).
        return step(
          `rate-${r}`,
          1,
          stepMetrics(r, pass ? 20 : 80, pass ? {} : { droppedIterations: 3 }),
          r,
          slo,
        );
      });
      const best = steps.filter((s) => s.slo?.pass).pop()!;
      write(
        t,
        '08-capacity',
        run,
        steps,
        rates.map((r) => resources(`rate-${r}`, 5, 0.2)),
        { rate: best.rate, step: best.step, sloP99Ms: 50 },
      );
    }
  }
  // A root with the real templates, for the note.
  mkdirSync(join(dir, 'root', 'learnings'), { recursive: true });
  cpSync(join(root, 'learnings', 'templates'), join(dir, 'root', 'learnings', 'templates'), {
    recursive: true,
  });
});

after(() => rmSync(dir, { recursive: true, force: true }));

describe('results → statistics → report', () => {
  test('cells: medians, CIs and flags from the run files', () => {
    const s = summarizeRun(join(dir, RUN));
    const cell = (t: string, sc: string) => s.cells.find((c) => c.target === t && c.scenario === sc)!;
    const h = cell('harper', '03-pdp').steps[0]!;
    assert.equal(h.n, 3);
    assert.equal(h.stats.rps!.median, 1002);
    assert.deepEqual(h.flags, []);
    assert.equal(h.stats.cpuPer1kReq!.median, (5 * 1000) / 10020);
    const m = cell('micro', '03-pdp').steps[0]!;
    assert.deepEqual(m.flags.sort(), ['errors', 'noisy']);
    const sweep = cell('harper', '07-concurrency-sweep');
    assert.deepEqual(
      sweep.steps.map((x) => x.step),
      ['vus-20', 'vus-200', 'vus-2000'],
    );
    assert.deepEqual(sweep.steps[2]!.flags, ['loadgen-saturated']);
    assert.deepEqual(cell('harper', '08-capacity').capacity!.values, [200, 200, 200]);
    assert.deepEqual(cell('micro', '08-capacity').capacity!.values, [100, 100, 100]);
    assert.deepEqual(cell('harper', '08-capacity').steps[2]!.flags, ['dropped']);
    const ratio = s.comparisons.find((c) => c.scenario === '08-capacity' && c.metric === 'capacity')!;
    assert.equal(ratio.result.ratio, 2);
    // A ladder's rungs compare on cost only: their req/s is the offered rate, their latencies set the capacity.
    assert.deepEqual(
      [...new Set(s.comparisons.filter((c) => c.scenario === '08-capacity').map((c) => c.metric))].sort(),
      ['capacity', 'cpuPer1kReq'],
    );
    const rps = s.comparisons.find((c) => c.scenario === '03-pdp' && c.metric === 'rps')!;
    assert.equal(rps.a, 'harper');
    assert.ok(rps.result.ratio > 2 && rps.result.welch!.p < 0.05);
  });

  test('report: a header on every table, tables with CI and flags, SVG charts, nothing by hand', async () => {
    const out = join(dir, 'docs', 'benchmark-results.md');
    const r = await renderReport({ root, resultsRoot: dir, runIds: [], out });
    assert.deepEqual(r.runIds, [RUN]);
    const md = readFileSync(out, 'utf8');
    // The command re-creates the page where it was written (--out names it).
    assert.match(
      md,
      /^<!-- Generated by `\.\/run-benchmark\.sh report fixture-run --out [^`]*benchmark-results\.md`/,
    );
    assert.match(md, /scenarios 10–12.*\n\[resilience-results\.md\]\([^)]*docs\/resilience-results\.md\)/);
    for (const sc of ['03-pdp', '07-concurrency-sweep', '08-capacity']) {
      const section = md.split(`## ${sc}`)[1]!.split('\n## ')[0]!;
      assert.match(section, /> \*\*Machine\*\* Test CPU, 2 cores/, `${sc}: machine`);
      assert.match(section, /\*\*Budget \(read back\)\*\* harper: 1 cpu \(cpuset 1\), 2g/, `${sc}: budget`);
      assert.match(section, /\*\*Databases\*\* micro: FerretDB v1\.24\.1/, `${sc}: database`);
      assert.match(
        section,
        /\*\*Command\*\* `\.\/run-benchmark\.sh harper,micro 03,07,08 --runs 3`/,
        `${sc}: command`,
      );
      assert.match(section, new RegExp(`!\\[[^\\]]+\\]\\(benchmark-results/${sc}\\.svg\\)`), `${sc}: chart`);
      const svg = readFileSync(join(dir, 'docs', 'benchmark-results', `${sc}.svg`), 'utf8');
      assert.match(svg, /^<svg[^>]+xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      assert.match(svg, /harper/);
    }
    assert.match(md, /\| harper \| 3\/3 \| 1,002 ±0\.\d% \|/);
    assert.match(md, /\| micro \| 3\/3 \| 400 ±\d+% \|.*errors, noisy|noisy, errors/);
    assert.match(md, /\| harper \| vus-2000 \|.*loadgen-saturated \|/);
    assert.match(md, /\| harper \| 3\/3 \| p99 ≤ 50 ms \| 200 ±0\.0% \| 200, 200, 200 \|/);
    assert.match(md, /\| harper \/ micro \| capacity \| capacity \| 2\.000× \|/);
    assert.match(md, /comparisons: at p < 0\.05 about [\d.]+ would be "significant" by chance alone/);
    assert.match(md, /`loadgen-saturated`: k6 used >= 90%/);
  });

  test('note: a dated file from the template, with the run link, tables, budget, versions and hypotheses', () => {
    const scaffold = () =>
      scaffoldNote({
        root: join(dir, 'root'),
        resultsRoot: dir,
        runIds: [RUN],
        kind: 'retrospective',
        title: 'First matrix',
        date: '2026-11-24',
      });
    const file = scaffold();
    assert.equal(file, join(dir, 'root', 'learnings', 'retrospectives', '2026-11-24-first-matrix.md'));
    const text = readFileSync(file, 'utf8');
    assert.match(text, /^# Retrospective: First matrix/);
    assert.match(
      text,
      /^- Run: \[`fixture-run`\]\(\.\.\/\.\.\/\.\.\/fixture-run\/summary\.md\) \(complete\)/m,
    );
    assert.match(text, /## Hypotheses/);
    assert.match(text, /### 03-pdp — Product detail/);
    assert.match(text, /- harper: 1 cpu on cpuset 1, 2g \(read back from the cgroups\)/);
    assert.match(text, /- micro · database: FerretDB/);
    assert.doesNotMatch(text, /\{\{/);
    assert.throws(scaffold, /exists already/);
    const two = {
      root: join(dir, 'root'),
      resultsRoot: dir,
      runIds: [RUN, RUN],
      kind: 'qna',
      title: 'x',
    } as const;
    assert.throws(
      () => scaffoldNote({ ...two, runIds: [...two.runIds] }),
      /a benchmark run's note is of one run/,
    );
    assert.ok(existsSync(join(root, 'learnings', 'templates', 'discovery.md')));
  });
});
