/**
 * Where the spread over runs comes from. In the benchmark loop one run is one start of the target, and every
 * scenario of the run is measured on that start, one after the other. So a target's values form a table
 * starts × scenarios, and a two-way decomposition (without replication) on the log scale splits the spread:
 *
 * - between starts: what moves every scenario of one start together (the process's luck at start — JIT, heap
 *   and memory layout — and the machine's state in those minutes). Only more starts (runs) shrink it.
 * - within a start: what is left (the window's own noise, and what a start does to one scenario only). Longer
 *   windows can shrink at most this part.
 *
 * The start effects of two targets of the same round are also correlated: what they share is the machine's
 * drift over the round, which the paired ratios cancel; what they do not share stays in every ratio.
 *
 * From the two parts, the levers on a paired ratio's interval: twice the runs (the same spread, more rounds) and
 * windows three times as long (at best a third of the within-start variance left).
 */
import { mean, sampleCorrelation, sampleVariance, sumSimple } from 'simple-statistics';
import { byRunAndTarget, type CellSummary, type MetricKey } from './aggregate.js';
import { logHalfWidth } from './paired.js';

export const SPREAD_METRICS = ['rps', 'cpuPer1kReq'] as const satisfies readonly MetricKey[];
export type SpreadMetric = (typeof SPREAD_METRICS)[number];

/** Fewer starts than this, and a standard deviation over starts says nothing. */
export const MIN_STARTS = 3;

export interface Spread {
  runId: string;
  target: string;
  metric: SpreadMetric;
  /** The scenarios read (closed model, one step each, measured on the same starts). */
  scenarios: string[];
  /** Run numbers (starts) with a value in every one of those scenarios. */
  starts: number[];
  /** Standard deviations on the log scale (≈ relative: 0.05 is about ±5%). */
  betweenStarts: number;
  withinStart: number;
  /** Share of the variance that moves a whole start: betweenStarts² / (betweenStarts² + withinStart²). */
  startShare: number | null;
  /**
   * Mean correlation of this target's start effects with those of the other targets of the run, round by round
   * (null with no other target): the part of a start's luck that is the machine's, shared by the round.
   */
  roundCorrelation: number | null;
}

interface Table {
  runId: string;
  target: string;
  metric: SpreadMetric;
  scenarios: string[];
  starts: number[];
  /** logs[i][j]: start i, scenario j. */
  logs: number[][];
  /** Each start's effect: its mean residual over the scenarios, once each scenario's own mean is removed. */
  effects: number[];
  /** The variance left within a start (the residuals' around their start's effect). */
  within: number;
}

function valueAt(cell: CellSummary, metric: SpreadMetric, run: number): number | null {
  const step = cell.steps[0]!;
  const i = step.runs.indexOf(run);
  const v = i < 0 ? null : (step.values[metric][i] ?? null);
  return v !== null && v > 0 ? v : null;
}

/** A target's starts × scenarios table for one run id, or null when it is too small to split. */
function table(cells: readonly CellSummary[], metric: SpreadMetric): Table | null {
  const usable = cells
    .filter((c) => c.model === 'closed' && c.steps.length === 1)
    .sort((a, b) => (a.scenario < b.scenario ? -1 : 1));
  if (usable.length < 2) return null;
  const starts = usable[0]!.steps[0]!.runs.filter((r) => usable.every((c) => valueAt(c, metric, r) !== null));
  if (starts.length < MIN_STARTS) return null;
  const logs = starts.map((r) => usable.map((c) => Math.log(valueAt(c, metric, r)!)));
  return {
    runId: usable[0]!.runId,
    target: usable[0]!.target,
    metric,
    scenarios: usable.map((c) => c.scenario),
    starts,
    logs,
    ...startEffects(logs),
  };
}

/** The two-way decomposition of a starts × scenarios table of logs (without replication). */
function startEffects(logs: number[][]): { effects: number[]; within: number } {
  const n = logs.length;
  const k = logs[0]!.length;
  const colMeans = logs[0]!.map((_, j) => mean(logs.map((row) => row[j]!)));
  const residuals = logs.map((row) => row.map((x, j) => x - colMeans[j]!));
  const effects = residuals.map((row) => mean(row));
  const squares = residuals.flatMap((row, i) => row.map((e) => (e - effects[i]!) ** 2));
  return { effects, within: sumSimple(squares) / ((n - 1) * (k - 1)) };
}

function split(t: Table): Omit<Spread, 'roundCorrelation'> {
  const { effects, within } = t;
  const k = t.scenarios.length;
  // The start effects carry within-start noise too (averaged over k scenarios): take it out.
  const between = Math.max(0, sampleVariance(effects) - within / k);
  const total = between + within;
  return {
    runId: t.runId,
    target: t.target,
    metric: t.metric,
    scenarios: t.scenarios,
    starts: t.starts,
    betweenStarts: Math.sqrt(between),
    withinStart: Math.sqrt(within),
    startShare: total > 0 ? between / total : null,
  };
}

function correlation(a: Table, b: Table): number | null {
  const xs: number[] = [];
  const ys: number[] = [];
  a.starts.forEach((run, i) => {
    const j = b.starts.indexOf(run);
    if (j >= 0) {
      xs.push(a.effects[i]!);
      ys.push(b.effects[j]!);
    }
  });
  if (xs.length < MIN_STARTS) return null;
  const r = sampleCorrelation(xs, ys);
  return Number.isFinite(r) ? r : null;
}

/** Every target's table per run id (cells of one run id and target measured on the same starts). */
function tablesOf(cells: readonly CellSummary[], metric: SpreadMetric): Table[] {
  return byRunAndTarget(cells)
    .map((g) => table(g, metric))
    .filter((t): t is Table => t !== null);
}

/** Per run id, target and metric: the split of the spread, for every target with at least two scenarios per start. */
export function spreadOf(cells: readonly CellSummary[]): Spread[] {
  return SPREAD_METRICS.flatMap((metric) => {
    const tables = tablesOf(cells, metric);
    return tables.map((t) => {
      const others = tables.filter((o) => o.runId === t.runId && o.target !== t.target);
      const rs = others.map((o) => correlation(t, o)).filter((r): r is number => r !== null);
      return { ...split(t), roundCorrelation: rs.length ? mean(rs) : null };
    });
  });
}

/** What would narrow one paired ratio (CPU per request, the headline): 95% CI half-widths, worst scenario of a pair. */
export interface Lever {
  runId: string;
  a: string;
  b: string;
  /** The scenario whose paired ratio is widest today. */
  scenario: string;
  /** Today's half-width (as in the comparison tables), the worst over the scenarios. */
  now: number;
  /** With twice the runs, the same spread of per-round ratios: the worst over the scenarios. */
  twiceTheRuns: number;
  /**
   * With windows three times as long, at best: the within-start variance of both targets divided by three (as if
   * it were all the windows' own noise), the rest unchanged; the worst over the scenarios.
   */
  longerWindows: number;
}

/** The 95% half-width of a paired ratio whose logs have this variance over n rounds (×/÷, like pairedRatio). */
function halfWidth(variance: number, n: number): number {
  return Math.expm1(logHalfWidth(Math.sqrt(variance), n));
}

function pairVariance(a: Table, b: Table, scenario: string): { variance: number; n: number } | null {
  const ja = a.scenarios.indexOf(scenario);
  const jb = b.scenarios.indexOf(scenario);
  const logs = a.starts.flatMap((run, i) => {
    const k = b.starts.indexOf(run);
    return k < 0 ? [] : [a.logs[i]![ja]! - b.logs[k]![jb]!];
  });
  if (logs.length < MIN_STARTS) return null;
  return { variance: sampleVariance(logs), n: logs.length };
}

function lever(a: Table, b: Table): Lever | null {
  const within = a.within + b.within;
  const rows = a.scenarios
    .filter((x) => b.scenarios.includes(x))
    .flatMap((scenario) => {
      const v = pairVariance(a, b, scenario);
      if (!v) return [];
      return [
        {
          scenario,
          now: halfWidth(v.variance, v.n),
          twiceTheRuns: halfWidth(v.variance, 2 * v.n),
          longerWindows: halfWidth(Math.max(0, v.variance - (2 / 3) * within), v.n),
        },
      ];
    });
  if (rows.length === 0) return null;
  const widest = rows.reduce((w, r) => (r.now > w.now ? r : w));
  return {
    runId: a.runId,
    a: a.target,
    b: b.target,
    scenario: widest.scenario,
    now: widest.now,
    twiceTheRuns: Math.max(...rows.map((r) => r.twiceTheRuns)),
    longerWindows: Math.max(...rows.map((r) => r.longerWindows)),
  };
}

/** Per run id and pair of targets (in the order given), the two levers on CPU per request's paired ratio. */
export function leversOf(cells: readonly CellSummary[], targets: readonly string[]): Lever[] {
  const tables = tablesOf(cells, 'cpuPer1kReq')
    .filter((t) => targets.includes(t.target))
    .sort((x, y) => targets.indexOf(x.target) - targets.indexOf(y.target));
  return tables.flatMap((a, i) =>
    tables
      .slice(i + 1)
      .filter((b) => b.runId === a.runId)
      .map((b) => lever(a, b))
      .filter((l): l is Lever => l !== null),
  );
}

/**
 * How the sharing of start effects falls off along the round (CPU per request): per run id, the mean correlation
 * of the start effects of two targets measured d places apart in the round's order (d = 1 next to each other,
 * minutes apart; larger d, further apart). Drift over minutes that pairing misses would show as correlations
 * falling with d; a flat profile says the unshared part is each start's own, which no finer interleave cancels.
 */
export interface RoundDistance {
  runId: string;
  /** Index d − 1: the mean correlation over the pairs d places apart (null: no such pair with enough rounds). */
  byDistance: (number | null)[];
}

/** `orders`: each run id's targets in the order its rounds measured them (the manifest's options.targets). */
export function roundDistances(
  cells: readonly CellSummary[],
  orders: ReadonlyMap<string, readonly string[]>,
): RoundDistance[] {
  const tables = tablesOf(cells, 'cpuPer1kReq');
  return [...orders].flatMap(([runId, order]) => {
    const mine = tables.filter((t) => t.runId === runId && order.includes(t.target));
    if (mine.length < 3) return [];
    const byDistance: number[][] = Array.from({ length: order.length - 1 }, () => []);
    mine.forEach((a, i) =>
      mine.slice(i + 1).forEach((b) => {
        const r = correlation(a, b);
        if (r !== null) byDistance[Math.abs(order.indexOf(a.target) - order.indexOf(b.target)) - 1]!.push(r);
      }),
    );
    return [{ runId, byDistance: byDistance.map((rs) => (rs.length ? mean(rs) : null)) }];
  });
}
