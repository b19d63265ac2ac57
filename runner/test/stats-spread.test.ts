// Where the spread comes from: a start's luck (every scenario of a start moves together) against each window's own.
import assert from 'node:assert/strict';
import { describe as suite, test } from 'node:test';
import { sampleStandardDeviation } from 'simple-statistics';
import { tQuantile } from '../src/stats/describe.js';
import { spreadSection } from '../src/report/spread.js';
import type { CellSummary } from '../src/stats/aggregate.js';
import { leversOf, roundDistances, spreadOf } from '../src/stats/spread.js';
import { summaryCell, summaryStep } from './helpers.js';

/** A one-step cell of run id `runId` whose runs 1..n served these req/s (CPU per request: their inverse). */
function cell(target: string, scenario: string, rps: number[], runId = 'r'): CellSummary {
  const step = summaryStep('main', { rps, cpuPer1kReq: rps.map((x) => 1000 / x) });
  step.runs = rps.map((_, i) => i + 1);
  return { ...summaryCell(target, scenario, [step]), runId };
}

const near = (a: number, b: number, what: string) =>
  assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a} vs ${b}`);

/** Each start's luck: the factor every scenario of that start is served at. */
const luck = [1, 1.1, 0.9, 1.2, 0.95];

/** A cell whose runs follow the starts' luck (`with`) or go against it (`against`) around `base` req/s. */
function lucky(
  target: string,
  scenario: string,
  base: number,
  way: 'with' | 'against' = 'with',
): CellSummary {
  return cell(
    target,
    scenario,
    luck.map((f) => (way === 'with' ? base * f : base / f)),
  );
}

/** Harper's 01 and 03 on the same lucky starts; mono's with no spread at all. */
const harperLucky = () => [lucky('harper', '01-homepage', 2000), lucky('harper', '03-pdp', 2600)];
const monoSteady = () => [
  cell('mono', '01-homepage', [300, 300, 300, 300, 300]),
  cell('mono', '03-pdp', [400, 400, 400, 400, 400]),
];

/** Harper and mono on the same lucky starts, micro against them. */
const threeTargets = () => [
  ...harperLucky(),
  lucky('mono', '01-homepage', 250),
  lucky('mono', '03-pdp', 350),
  lucky('micro', '01-homepage', 30, 'against'),
  lucky('micro', '03-pdp', 90, 'against'),
];

suite('spread: between starts and within a start', () => {
  test('a start that moves every scenario alike is all between-start spread', () => {
    const s = spreadOf(harperLucky()).find((x) => x.metric === 'rps')!;
    near(s.withinStart, 0, 'within');
    near(s.betweenStarts, sampleStandardDeviation(luck.map(Math.log)), 'between');
    near(s.startShare!, 1, 'share');
    assert.deepEqual(s.starts, [1, 2, 3, 4, 5]);
    assert.deepEqual(s.scenarios, ['01-homepage', '03-pdp']);
  });

  test('scenarios that move against each other within a start are all within-start spread', () => {
    const cells = [lucky('mono', '01-homepage', 300), lucky('mono', '02-plp', 300, 'against')];
    const s = spreadOf(cells).find((x) => x.metric === 'cpuPer1kReq')!;
    near(s.betweenStarts, 0, 'between');
    assert.ok(s.withinStart > 0.05, String(s.withinStart));
    near(s.startShare!, 0, 'share');
  });

  test('the round correlation is what two targets of the same run share, start by start', () => {
    const cells = threeTargets();
    const of = (t: string) => spreadOf(cells).find((x) => x.target === t && x.metric === 'rps')!;
    near(of('harper').roundCorrelation!, 0, 'harper: +1 with mono, −1 with micro');
    near(of('micro').roundCorrelation!, -1, 'micro');
    // A target of another run is another round: never correlated with this one.
    const alone = spreadOf([
      ...cells.slice(0, 2),
      ...cells.slice(2, 4).map((c) => ({ ...c, runId: 'other' })),
    ]);
    assert.equal(alone.find((x) => x.target === 'harper')!.roundCorrelation, null);
  });

  test('by distance in the round: the correlations of targets next to each other and further apart', () => {
    const cells = threeTargets();
    // harper, mono, micro: 1 apart harper/mono (+1) and mono/micro (−1), 2 apart harper/micro (−1).
    const [d] = roundDistances(cells, new Map([['r', ['harper', 'mono', 'micro']]]));
    assert.equal(d?.runId, 'r');
    near(d.byDistance[0]!, 0, '1 apart');
    near(d.byDistance[1]!, -1, '2 apart');
    // The same cells in another order: micro between them.
    const [e] = roundDistances(cells, new Map([['r', ['harper', 'micro', 'mono']]]));
    near(e!.byDistance[0]!, -1, '1 apart');
    near(e!.byDistance[1]!, 1, '2 apart');
    // Fewer than three targets, or a run id without an order: no row.
    assert.deepEqual(roundDistances(cells, new Map([['r', ['harper', 'mono']]])), []);
    assert.deepEqual(roundDistances(cells, new Map()), []);
    const md = spreadSection(
      cells,
      ['harper', 'mono', 'micro'],
      'm.md',
      new Map([['r', ['harper', 'mono', 'micro']]]),
    )!;
    assert.match(md, /\| `r` \| harper, mono, micro \| -?0\.00 \| -1\.00 \|/);
    assert.doesNotMatch(
      spreadSection(cells, ['harper', 'mono', 'micro'])!,
      /Shared by the round, by distance/,
    );
  });

  test('needs two one-step closed scenarios on at least three common starts', () => {
    const two = [cell('harper', '01-homepage', [1, 2, 3]), cell('harper', '02-plp', [1, 2])];
    assert.deepEqual(spreadOf(two), [], 'two common starts');
    assert.deepEqual(spreadOf([cell('harper', '01-homepage', [1, 2, 3])]), [], 'one scenario');
    const open = { ...cell('harper', '02-plp', [1, 2, 3]), model: 'open' as const };
    assert.deepEqual(spreadOf([cell('harper', '01-homepage', [1, 2, 3]), open]), [], 'open model');
    const sweep = cell('harper', '02-plp', [1, 2, 3]);
    sweep.steps = [sweep.steps[0]!, { ...sweep.steps[0]!, step: 'b' }];
    assert.deepEqual(spreadOf([cell('harper', '01-homepage', [1, 2, 3]), sweep]), [], 'several steps');
  });

  test('renders a row per run, target and metric, and nothing without a split', () => {
    assert.equal(spreadSection([cell('harper', '01-homepage', [1, 2, 3])], ['harper']), null);
    const md = spreadSection([...harperLucky(), ...monoSteady()], ['harper', 'mono'])!;
    assert.match(md, /## Where the spread comes from/);
    assert.match(md, /\| `r` \| harper \/ mono \| ±\d+\.\d% \| 0[13] \| ±\d+\.\d% \| ±\d+\.\d% \|/);
    assert.match(md, /\| `r` \| harper \| req\/s \| 01, 03 \| 5 \| 11\.5% \| 0\.0% \| 100% \| – \|/);
    assert.match(md, /\| `r` \| harper \| CPU \/ request \| 01, 03 \| 5 \|/);
  });

  test('the levers: twice the runs narrows by the t and the square root; longer windows only shrink within-start noise', () => {
    const sd = sampleStandardDeviation(luck.map(Math.log));
    const [harper, steady] = [harperLucky(), monoSteady()];
    const [l] = leversOf([...harper, ...steady], ['harper', 'mono']);
    assert.ok(l);
    assert.deepEqual([l.a, l.b], ['harper', 'mono']);
    near(l.now, Math.expm1((tQuantile(0.95, 4) * sd) / Math.sqrt(5)), 'now');
    near(l.twiceTheRuns, Math.expm1((tQuantile(0.95, 9) * sd) / Math.sqrt(10)), 'twice the runs');
    near(l.longerWindows, l.now, 'no within-start noise: longer windows change nothing');
    // Pure within-start noise on one side: longer windows take away two thirds of its variance, at best.
    const noisy = [lucky('micro', '01-homepage', 30), lucky('micro', '03-pdp', 90, 'against')];
    const [m] = leversOf([...steady, ...noisy], ['mono', 'micro']);
    assert.ok(m && m.longerWindows < m.now, JSON.stringify(m));
    assert.deepEqual(
      leversOf([...harper, ...steady.map((c) => ({ ...c, runId: 'other' }))], ['harper', 'mono']),
      [],
    );
  });
});
