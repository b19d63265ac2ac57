/** The report's section on where the spread over runs comes from (stats/spread.ts): more runs or longer windows. */
import type { CellSummary } from '../stats/aggregate.js';
import { leversOf, roundDistances, type Spread, spreadOf } from '../stats/spread.js';
import { mdTable, num, pct } from './format.js';

const METRIC_TEXT: Record<Spread['metric'], string> = { rps: 'req/s', cpuPer1kReq: 'CPU / request' };

/** The scenarios as their numbers: "01, 02, 03, 04". */
function scenarioList(s: Spread): string {
  return s.scenarios.map((x) => x.slice(0, 2)).join(', ');
}

/** The section, or null when no target was measured on two or more one-step scenarios per start. */
export function spreadSection(
  cells: readonly CellSummary[],
  targets: readonly string[],
  methodology = 'methodology.md',
  orders: ReadonlyMap<string, readonly string[]> = new Map(),
): string | null {
  const rows = spreadOf(cells);
  if (rows.length === 0) return null;
  const table = mdTable(
    [
      'run',
      'target',
      'metric',
      'scenarios',
      'starts',
      'sd between starts',
      'sd within a start',
      'share of starts',
      'shared by the round',
    ],
    rows.map((s) => [
      `\`${s.runId}\``,
      s.target,
      METRIC_TEXT[s.metric],
      scenarioList(s),
      String(s.starts.length),
      pct(s.betweenStarts),
      pct(s.withinStart),
      pct(s.startShare, 0),
      num(s.roundCorrelation, 2),
    ]),
    ['l', 'l', 'l', 'l', 'r', 'r', 'r', 'r', 'r'],
  );
  return [
    '## Where the spread comes from',
    '',
    'Each run starts every target afresh and measures all its scenarios on that one start, so the runs of a target',
    'split the spread in two (log scale, two-way decomposition, standard deviations ≈ relative): **between starts**',
    'is what moves every scenario of a start together (the process’s start — JIT, heap, memory layout — and the',
    'machine in those minutes); **within a start** is the rest (each window’s own noise). Longer windows can shrink',
    'only the second; more runs shrink both. **Shared by the round**: the mean correlation of a target’s start',
    'effects with those of the other targets of the same round — the machine’s drift, which the paired ratios',
    `cancel; the unshared part stays in every ratio. How this decides the number of runs: [methodology.md](${methodology}).`,
    '',
    table,
    ...distanceTable(cells, orders),
    ...leverTable(cells, targets),
  ].join('\n');
}

/** Per run: how much of the start effects two targets share, by how far apart the round measured them. */
function distanceTable(
  cells: readonly CellSummary[],
  orders: ReadonlyMap<string, readonly string[]>,
): string[] {
  const rows = roundDistances(cells, orders);
  if (rows.length === 0) return [];
  const width = Math.max(...rows.map((r) => r.byDistance.length));
  const distances = Array.from({ length: width }, (_, d) => `${d + 1} apart`);
  return [
    '',
    'Shared by the round, by distance (CPU per request): the mean correlation of the start effects of two targets',
    'measured next to each other in the round (1 apart: minutes between their windows in the default order, one',
    'window with `--order scenario`) or further apart. Drift over minutes that pairing misses would make it fall',
    'with the distance, and a finer interleave would cancel it; where it is flat, what the targets do not share is',
    'each start’s own.',
    '',
    mdTable(
      ['run', 'targets in round order', ...distances],
      rows.map((r) => [
        `\`${r.runId}\``,
        orders.get(r.runId)!.join(', '),
        ...distances.map((_, d) => num(r.byDistance[d] ?? null, 2)),
      ]),
      ['l', 'l', ...distances.map((): 'r' => 'r')],
    ),
  ];
}

/** Per pair: the widest paired CI of CPU per request today, with twice the runs, and with windows three times as long. */
function leverTable(cells: readonly CellSummary[], targets: readonly string[]): string[] {
  const levers = leversOf(cells, targets);
  if (levers.length === 0) return [];
  return [
    '',
    'What would narrow the paired ratios of CPU per request (95% CI half-width, the widest over the scenarios above):',
    'twice the runs keeps the spread of per-round ratios and doubles the rounds; windows three times as long keep',
    'the rounds and divide both targets’ within-start variance by three — as if all of it were the windows’ own',
    'noise, so it is the best that longer windows could do. What each costs in machine time: methodology.',
    '',
    mdTable(
      ['run', 'pair', 'widest now', 'on', 'twice the runs', 'windows ×3 (at best)'],
      levers.map((l) => [
        `\`${l.runId}\``,
        `${l.a} / ${l.b}`,
        `±${pct(l.now)}`,
        l.scenario.slice(0, 2),
        `±${pct(l.twiceTheRuns)}`,
        `±${pct(l.longerWindows)}`,
      ]),
      ['l', 'l', 'r', 'l', 'r', 'r'],
    ),
  ];
}
