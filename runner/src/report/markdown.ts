/**
 * Markdown for results: the header every table carries (machine, budget read back, databases, command, run),
 * a table per scenario (median and 95% CI over runs, resources, flags), the capacity table and the pairwise
 * comparisons (ratio with its CI, Welch's p, stars, and the expected number of false positives).
 */

import type { Manifest } from '../results/types.js';
import { formatBytes } from '../lab/budget.js';
import type { ReadBack } from '../lab/cgroup.js';
import { describeMachine } from '../lib/machine.js';
import { describeOrder } from '../results/order.js';
import { sessionCommits, shortCommit } from '../results/sessions.js';
import { type CellSummary, FLAG_TEXT, type Flag, type PairComparison } from '../stats/aggregate.js';
import { CEILING_SHARE, ceilingOf } from '../calibration/calibrate.js';
import type { Describe } from '../stats/describe.js';
import { TARGET_HALF_WIDTH } from '../stats/paired.js';
import { mdTable, num, pct, ratioNum, withCi } from './format.js';
import { errorKindTable } from './error-kinds.js';
import { routeTable } from './routes.js';
import { serviceTable } from './services.js';

function budgetText(b: ReadBack | null): string {
  if (!b) return 'UNLIMITED';
  return `${b.cpus ?? 'no quota'} cpu (cpuset ${b.cpuset ?? '-'}), ${b.memoryBytes === null ? 'no memory limit' : formatBytes(b.memoryBytes)}`;
}

/** The block above every table: what, where, under which budget, with which command. */
export function header(manifests: Manifest[], targets?: string[]): string {
  const lines: string[] = [];
  for (const m of manifests) {
    const ts = Object.entries(m.targets).filter(([t]) => !targets || targets.includes(t));
    const budgets = ts
      .map(([t, i]) => `${t}: ${i.budget || i.verify ? budgetText(i.budget) : 'not started'}`)
      .join('; ');
    const dbs = ts
      .map(([t, i]) => (i.components['database'] ? `${t}: ${i.components['database']}` : null))
      .filter(Boolean)
      .join('; ');
    const versions = ts
      .flatMap(([t, i]) =>
        Object.entries(i.components)
          .filter(([k]) => k !== 'database' && k !== 'server')
          .map(([k, v]) => `${t}: ${k} ${v}`),
      )
      .join(', ');
    lines.push(
      `> **Run** \`${m.runId}\` (${m.status}${m.reason ? `: ${m.reason.split('\n')[0]}` : ''}), commit \`${m.git.commit?.slice(0, 10) ?? 'unknown'}\`${m.git.dirty ? ' (dirty)' : ''}${commitsNote(m)}, ${m.createdAt.slice(0, 10)}  `,
      `> **Machine** ${describeMachine(m.host)}${machinesNote(m)}  `,
      `> **Budget (read back)** ${budgets || '–'} · **load generator** k6 ${m.versions['k6'] ?? '?'} on cpuset ${m.loadgen.cpuset}${m.loadgen.pinned ? '' : ' (NOT pinned)'}  `,
      `> **Load generator ceiling** ${ceilingText(m)}  `,
      `> **Databases** ${dbs || 'none (in-memory)'}${versions ? ` · **versions** ${versions}` : ''}  `,
      `> **Command** \`${m.command}\` — ${m.options.runs} runs, warm-up ${m.options.warmup}, cooldown ${m.options.cooldown}, seed ${m.options.seed}, scale ${m.options.scale}, ${m.options.mode}${describeOrder(m.options) ? `, ${describeOrder(m.options)}` : ''}${m.options.nodeOptions ? `, Node targets with \`${m.options.nodeOptions}\`` : ''}${m.options.quick ? ', QUICK (smoke test: not a measurement)' : ''}`,
    );
  }
  return lines.join('\n');
}

/** A run resumed at other commits says so: its rounds did not all run the same code. */
function commitsNote(m: Manifest): string {
  const commits = sessionCommits(m);
  return commits.length > 1
    ? ` · **sessions at ${commits.length} commits** (${commits.map(shortCommit).join(', ')})`
    : '';
}

/** A run resumed on other machines says so: its rounds are not all from one machine. */
function machinesNote(m: Manifest): string {
  const ids = new Set(m.sessions.flatMap((s) => (s.bootId ? [s.bootId] : [])));
  return ids.size > 1
    ? ` · **sessions on ${ids.size} machines** (boot ids ${[...ids].map((i) => i.slice(0, 8)).join(', ')})`
    : '';
}

/** The calibration (k6 against the null endpoint) that cells are judged against: the lowest of the sessions. */
function ceilingText(m: Manifest): string {
  const cs = m.calibrations ?? [];
  const c = ceilingOf(cs);
  if (c === null)
    return cs.length
      ? 'not measured (the calibration served nothing): no cell is judged against it'
      : 'not measured (run before calibration existed): no cell is judged against it';
  // The session that set the ceiling describes it (ceilingOf's own reading of a session's figure).
  const low = cs.find((x) => ceilingOf([x]) === c)!;
  const share = low.loadgenCpuShare;
  return (
    `${num(c, 0)} req/s: k6 running scenario ${low.scenario} (${low.vus} VUs, ${low.duration}) against the null endpoint` +
    `${low.serverCpuset ? ` pinned to cpuset ${low.serverCpuset}` : ' (not pinned)'}${cs.length > 1 ? `, lowest of ${cs.length} sessions` : ''}` +
    `${share !== null && share < 0.8 ? ` (extrapolated: k6 used only ${pct(share, 0)} of its core, the null server's core was busy)` : ''}; ` +
    `a cell above ${CEILING_SHARE * 100}% of it is flagged loadgen-bound`
  );
}

function flagText(flags: Flag[]): string {
  return flags.length ? flags.join(', ') : '';
}

/** One row per target and step. */
export function scenarioTable(cells: CellSummary[]): string {
  const multiStep = cells.some((c) => c.steps.length > 1);
  const head = [
    'target',
    ...(multiStep ? ['step'] : []),
    'runs',
    'req/s',
    'CPU ms / req',
    'of k6 ceiling',
    'p50 ms',
    'p95 ms',
    'p99 ms',
    'errors',
    'CPU of budget',
    'throttled',
    'peak MiB',
    'k6 CPU',
    'speed drift',
    'flags',
  ];
  const rows: string[][] = [];
  for (const c of cells) {
    for (const s of c.steps) {
      const st = s.stats;
      rows.push([
        c.target,
        ...(multiStep ? [s.step] : []),
        `${s.n}/${c.plannedRuns}`,
        withCi(st.rps, 0),
        withCi(st.cpuPer1kReq, 3),
        pct(st.ceilingShare?.median ?? null, 0),
        withCi(st.p50),
        withCi(st.p95),
        withCi(st.p99),
        pct(st.errorRate?.max ?? null, 2),
        pct(st.cpuShare?.median ?? null, 0),
        pct(st.throttledShare?.median ?? null, 0),
        num(st.peakMemoryMiB?.median ?? null, 0),
        pct(st.loadgenCpuShare?.max ?? null, 0),
        driftText(s.values.probeMs, st.stealShare),
        flagText(s.flags),
      ]);
    }
  }
  const table = mdTable(
    head,
    rows,
    head.map((h, i) => (i === 0 || h === 'step' || h === 'flags' ? 'l' : 'r')),
  );
  return [table, serviceTable(cells), routeTable(cells), errorKindTable(cells)].filter(Boolean).join('\n\n');
}

/** The widest spread of a cell's speed probes (max/min - 1) and the worst steal share: the machine's drift. */
function driftText(probes: (number | null)[], steal: Describe | null): string {
  const xs = probes.filter((v): v is number => v !== null && v > 0);
  const spread = xs.length > 1 ? Math.max(...xs) / Math.min(...xs) - 1 : null;
  const st = steal && steal.max > 0.001 ? `, steal ${pct(steal.max, 0)}` : '';
  return spread === null ? (st ? st.slice(2) : '–') : `±${pct(spread / 2, 0)}${st}`;
}

export function capacityTable(cells: CellSummary[]): string {
  const rows = cells
    .filter((c) => c.capacity)
    .map((c) => {
      const cap = c.capacity!;
      return [
        c.target,
        `${c.runs.length}/${c.plannedRuns}`,
        `p99 ≤ ${cap.sloP99Ms} ms`,
        cap.values.every((v) => v === null) ? `< ${num(cap.firstRate, 0)}` : withCi(cap.stats, 0),
        cap.values.map((v) => (v === null ? `< ${num(cap.firstRate, 0)}` : num(v, 0))).join(', '),
        flagText(cap.flags),
      ];
    });
  return mdTable(['target', 'runs', 'SLO', 'capacity req/s (median)', 'per run', 'flags'], rows, [
    'l',
    'r',
    'l',
    'r',
    'l',
    'l',
  ]);
}

const METRIC_NAME: Record<PairComparison['metric'], string> = {
  rps: 'req/s',
  p50: 'p50',
  p99: 'p99',
  capacity: 'capacity',
  cpuPer1kReq: 'CPU / request',
};

function roundsText(p: PairComparison['paired']): string {
  if (p?.halfWidth == null) return '–';
  return p.roundsForTarget === null ? '> 1,000' : num(p.roundsForTarget, 0);
}

export function comparisonTable(comparisons: PairComparison[]): string {
  if (comparisons.length === 0) return '';
  const rows = comparisons.map((c) => [
    `${c.a} / ${c.b}`,
    c.step,
    METRIC_NAME[c.metric],
    c.paired ? `${ratioNum(c.paired.ratio)}×` : '–',
    c.paired?.ci95 ? `${ratioNum(c.paired.ci95[0])}–${ratioNum(c.paired.ci95[1])}` : '–',
    c.paired?.halfWidth != null ? `±${pct(c.paired.halfWidth, 1)}` : '–',
    roundsText(c.paired),
    `${ratioNum(c.result.ratio)}×`,
    c.result.ci95 ? `${ratioNum(c.result.ci95[0])}–${ratioNum(c.result.ci95[1])}` : '–',
    c.result.welch ? (c.result.welch.p < 0.001 ? '< 0.001' : num(c.result.welch.p, 3)) : '–',
    c.result.stars,
  ]);
  const fp = comparisons.filter((c) => c.result.welch).length * 0.05;
  return (
    mdTable(
      [
        'a / b',
        'step',
        'metric',
        'paired ratio',
        'paired 95% CI',
        '±',
        `runs for ±${pct(TARGET_HALF_WIDTH, 0)}`,
        'ratio of means',
        '95% CI',
        "Welch's p",
        '',
      ],
      rows,
      ['l', 'l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
    ) +
    `\n\n${comparisons.length} comparisons: at p < 0.05 about ${num(fp, 1)} would be "significant" by chance alone. ` +
    'Stars: * p < 0.05, ** p < 0.01, *** p < 0.001 (Welch, runs as samples). No stars, no conclusion. ' +
    'Paired ratio: geometric mean of the per-round ratios (run i of a / run i of b, measured in the same round), ' +
    '95% CI on the log scale; it cancels the machine’s drift that the ratio of means carries. ' +
    `Runs for ±${pct(TARGET_HALF_WIDTH, 0)}: how many rounds the same spread of per-round ratios would need for ` +
    `a paired CI within ±${pct(TARGET_HALF_WIDTH, 0)}. ` +
    'req/s and latency ratios leave out cells flagged loadgen-bound.'
  );
}

export function flagLegend(cells: CellSummary[]): string {
  const used = new Set<Flag>();
  for (const c of cells) {
    for (const s of c.steps) for (const f of s.flags) used.add(f);
    for (const f of c.capacity?.flags ?? []) used.add(f);
  }
  if (used.size === 0)
    return 'No flags: no noisy cell, no saturated load generator, no error, every run under the budget.';
  return [...used].map((f) => `- \`${f}\`: ${FLAG_TEXT[f]}`).join('\n');
}

export const TABLE_NOTE =
  'Values are medians over runs (each run is one sample); ±x% is the 95% confidence interval of the mean over ' +
  'runs (Student t), relative to the mean. CPU ms / req = the target’s CPU (all its cgroups) per request: it does ' +
  'not depend on the load generator. of k6 ceiling = req/s as a share of k6’s own ceiling against the null ' +
  'endpoint. Latency is over successful requests; errors = worst run’s failed-request rate; k6 CPU = the busiest ' +
  'run; speed drift = half the spread of the speed probe timed before each run (and the worst steal time).';
