/**
 * From run files to cells: one cell is a target x scenario (x step); each metric is described over the runs
 * (runs are the samples), each cell carries flags, and targets are compared pairwise per scenario and step.
 */
import { cellDir, runNumbers } from '../results/layout.js';
import { cellDirs, readManifest, readResourcesFile, readRunFile } from '../results/read.js';
import {
  type Manifest,
  type RouteMetrics,
  SCHEMA_VERSION,
  type StepResources,
  type StepResult,
} from '../results/types.js';
import { CEILING_SHARE, ceilingOf } from '../calibration/calibrate.js';
import { DRIFT_SHARE } from '../calibration/speed-probe.js';
import { type Comparison, compare } from './compare.js';
import { type Describe, describe } from './describe.js';
import { type PairedRatio, pairedRatio } from './paired.js';

/** A cell is noisy when the coefficient of variation over runs of req/s or of p50 exceeds this. */
export const NOISY_CV = 0.1;
/** k6 is saturated when it used this share of its cpuset's cores or more during a run. */
export const LOADGEN_SATURATED_SHARE = 0.9;

/** Other processes took more than this share of the lab's cores (target's or k6's) during a run. */
export const HOST_BUSY_SHARE = 0.1;

export type Flag =
  | 'noisy'
  | 'loadgen-saturated'
  | 'dropped'
  | 'loadgen-bound'
  | 'drift'
  | 'errors'
  | 'unlimited'
  | 'host-busy'
  | 'incomplete';

export const FLAG_TEXT: Record<Flag, string> = {
  noisy: `CV over runs of req/s or p50 above ${NOISY_CV * 100}%`,
  'loadgen-saturated': `k6 used >= ${LOADGEN_SATURATED_SHARE * 100}% of its cores: the load generator, not the target, may be the limit`,
  dropped:
    'the open model dropped arrivals in some run: every VU was waiting on the target (a stall longer than the VU pool covers), unless k6 is saturated too',
  'loadgen-bound': `median req/s above ${CEILING_SHARE * 100}% of k6's own ceiling against the null endpoint (calibration): left out of req/s and latency ratios`,
  drift: `in some run the machine's speed probe differed from the run's median by more than ${DRIFT_SHARE * 100}%`,
  errors: 'at least one failed request or failed check in some run',
  unlimited: 'no CPU/memory budget was enforced: not comparable',
  'host-busy': `other processes used more than ${HOST_BUSY_SHARE * 100}% of the target's or k6's cores during some run (the machine was not quiet)`,
  incomplete: 'fewer runs than planned',
};

export const METRICS = [
  'rps',
  'p50',
  'p90',
  'p95',
  'p99',
  'p999',
  'errorRate',
  'cpuSeconds',
  'cpuShare',
  'cpuPer1kReq',
  'throttledShare',
  'peakMemoryMiB',
  'loadgenCpuShare',
  'hostOtherShare',
  'ceilingShare',
  'probeMs',
  'memoryProbeMs',
  'stealShare',
] as const;
export type MetricKey = (typeof METRICS)[number];

export interface StepSummary {
  step: string;
  vus: number;
  rate: number | null;
  n: number;
  runs: number[];
  /** Per metric: the value of each run, in run order (the samples). */
  values: Record<MetricKey, (number | null)[]>;
  stats: Record<MetricKey, Describe | null>;
  flags: Flag[];
  /** Multi-process targets: CPU ms per request of each service (bff, catalog, …, database), per run and described. */
  services: Record<string, { values: (number | null)[]; stats: Describe | null }>;
  /** Mixed scenarios (05, 06): per route, medians over runs of its req/s and successful p50/p99, errors summed. */
  routes: Record<string, RouteSummary>;
  /** 08: in how many runs this step met the SLO. */
  sloPassed: number | null;
  /** Failed requests by kind, summed over runs; absent when no run counted kinds (files from before). */
  errorKinds?: Record<string, number>;
}

export interface RouteSummary {
  rps: number | null;
  p50: number | null;
  p99: number | null;
  failedRequests: number;
  checksFailed: number;
}

/**
 * A cell summary written by an older runner, with the fields it did not keep yet (metrics added since, per-service
 * CPU, routes) filled in as unknown, so that the report renders it as "–" instead of failing.
 */
export function upgradeCellSummary(cell: CellSummary): CellSummary {
  for (const step of cell.steps) {
    for (const m of METRICS) {
      step.values[m] ??= step.runs.map(() => null);
      step.stats[m] ??= null;
    }
    step.services ??= {};
    step.routes ??= {};
  }
  return cell;
}

/** Per route over the runs of one step (runs written before routes were kept have none). */
function routeSummaries(steps: StepResult[]): Record<string, RouteSummary> {
  const names = [...new Set(steps.flatMap((s) => Object.keys(s.metrics.routes ?? {})))];
  const med = (xs: number[]) => describe(xs)?.median ?? null;
  return Object.fromEntries(
    names.map((n) => {
      const rs = steps.map((s) => ({ r: s.metrics.routes?.[n], sec: s.metrics.testRunDurationMs / 1000 }));
      const present = rs.filter((x): x is { r: RouteMetrics; sec: number } => x.r !== undefined);
      return [
        n,
        {
          rps: med(present.filter((x) => x.sec > 0).map((x) => x.r.requests / x.sec)),
          p50: med(present.map((x) => x.r.p50)),
          p99: med(present.map((x) => x.r.p99)),
          failedRequests: present.reduce((a, x) => a + x.r.failedRequests, 0),
          checksFailed: present.reduce((a, x) => a + x.r.checksFailed, 0),
        },
      ];
    }),
  );
}

/** Failed requests by kind summed over the runs of one step; undefined when none of them counted kinds. */
function errorKindSums(steps: StepResult[]): Record<string, number> | undefined {
  const counted = steps.filter((s) => s.metrics.errorKinds !== undefined);
  if (counted.length === 0) return undefined;
  const out: Record<string, number> = {};
  for (const s of counted)
    for (const [k, n] of Object.entries(s.metrics.errorKinds!)) out[k] = (out[k] ?? 0) + n;
  return out;
}

export interface CellSummary {
  schema: number;
  runId: string;
  target: string;
  scenario: string;
  title: string;
  model: 'closed' | 'open';
  plannedRuns: number;
  runs: number[];
  steps: StepSummary[];
  /** 08: capacity per run (null: not even the first step, firstRate, was sustained). */
  capacity: {
    sloP99Ms: number;
    firstRate: number | null;
    values: (number | null)[];
    stats: Describe | null;
    flags: Flag[];
  } | null;
}

export interface PairComparison {
  scenario: string;
  step: string;
  metric: 'rps' | 'p50' | 'p99' | 'capacity' | 'cpuPer1kReq';
  a: string;
  b: string;
  result: Comparison;
  /** Ratio of per-round pairs (run i of a / run i of b), on log scale: what drift cancels out of. */
  paired: PairedRatio | null;
}

export interface RunSummary {
  schema: number;
  runId: string;
  status: Manifest['status'];
  cells: CellSummary[];
  comparisons: PairComparison[];
}

function hostOther(r: StepResources | undefined): number | null {
  const h = r?.host;
  if (!h || (h.sutCoresOtherShare === null && h.loadgenCoresOtherShare === null)) return null;
  return Math.max(h.sutCoresOtherShare ?? 0, h.loadgenCoresOtherShare ?? 0);
}

function metricValues(
  s: StepResult,
  r: StepResources | undefined,
  ceiling: number | null,
): Record<MetricKey, number | null> {
  const m = s.metrics;
  const sut = r?.sut ?? null;
  return {
    rps: m.rps,
    p50: m.latencyMs.p50,
    p90: m.latencyMs.p90,
    p95: m.latencyMs.p95,
    p99: m.latencyMs.p99,
    p999: m.latencyMs.p999,
    errorRate: m.requests > 0 ? m.failedRequests / m.requests : 0,
    cpuSeconds: sut ? sut.cpuSeconds : null,
    cpuShare: sut?.cpuShareOfBudget ?? null,
    cpuPer1kReq: sut && m.requests > 0 ? (sut.cpuSeconds * 1000) / m.requests : null,
    throttledShare: sut?.throttledShare ?? null,
    peakMemoryMiB: sut?.peakMemoryBytes != null ? sut.peakMemoryBytes / 2 ** 20 : null,
    loadgenCpuShare: r?.loadgen.cpuShare ?? null,
    hostOtherShare: hostOther(r),
    ceilingShare: ceiling ? m.rps / ceiling : null,
    probeMs: r?.drift?.probeMs ?? null,
    memoryProbeMs: r?.drift?.memoryProbeMs ?? null,
    stealShare: r?.drift?.stealShare ?? null,
  };
}

/** CPU ms per request of each service of a multi-process target (one service: nothing to break out). */
function serviceValues(s: StepResult, r: StepResources | undefined): Record<string, number> {
  const services = r?.sut?.services ?? {};
  const names = Object.keys(services);
  if (names.length < 2 || s.metrics.requests === 0) return {};
  return Object.fromEntries(names.map((n) => [n, (services[n]!.cpuSeconds * 1000) / s.metrics.requests]));
}

function describeAll(values: Record<MetricKey, (number | null)[]>): Record<MetricKey, Describe | null> {
  const out = {} as Record<MetricKey, Describe | null>;
  for (const k of METRICS) out[k] = describe(values[k].filter((v): v is number => v !== null));
  return out;
}

function stepFlags(
  pairs: { s: StepResult; r: StepResources | undefined }[],
  stats: Record<MetricKey, Describe | null>,
): Flag[] {
  const flags = new Set<Flag>();
  const cv = (d: Describe | null) => (d && d.n > 1 && d.cv !== null ? d.cv : 0);
  if (cv(stats.rps) > NOISY_CV || cv(stats.p50) > NOISY_CV) flags.add('noisy');
  if ((stats.ceilingShare?.median ?? 0) > CEILING_SHARE) flags.add('loadgen-bound');
  for (const { s, r } of pairs) {
    if ((r?.loadgen.cpuShare ?? 0) >= LOADGEN_SATURATED_SHARE) flags.add('loadgen-saturated');
    if (s.metrics.droppedIterations > 0) flags.add('dropped');
    if (s.metrics.failedRequests > 0 || s.metrics.checksFailed > 0) flags.add('errors');
    if (!r?.sut?.budget || r.sut.budget.cpus === null) flags.add('unlimited');
    if ((hostOther(r) ?? 0) > HOST_BUSY_SHARE) flags.add('host-busy');
  }
  return [...flags];
}

/** Summarises one cell directory (target/scenario) from its run and resources files. */
export function summarizeCell(
  runDir: string,
  manifest: Manifest,
  target: string,
  scenario: string,
): CellSummary {
  const dir = cellDir(runDir, target, scenario);
  const plan = manifest.plan.find((p) => p.name === scenario);
  const ceiling = ceilingOf(manifest.calibrations);
  const runs = runNumbers(dir);
  const files = runs.map((n) => ({
    run: readRunFile(dir, n),
    res: readResourcesFile(dir, n),
  }));
  const labels: string[] = [];
  for (const st of plan?.steps ?? []) labels.push(st.label);
  for (const f of files) for (const s of f.run.steps) if (!labels.includes(s.step)) labels.push(s.step);
  const steps: StepSummary[] = [];
  for (const label of labels) {
    const pairs: { s: StepResult; r: StepResources | undefined; run: number }[] = [];
    for (const f of files) {
      const s = f.run.steps.find((x) => x.step === label);
      if (s) pairs.push({ s, r: f.res?.steps.find((x) => x.step === label), run: f.run.run });
    }
    if (pairs.length === 0) continue;
    const values = {} as Record<MetricKey, (number | null)[]>;
    for (const k of METRICS) values[k] = [];
    const perService: Record<string, (number | null)[]> = {};
    pairs.forEach((p, i) => {
      const v = metricValues(p.s, p.r, ceiling);
      for (const k of METRICS) values[k].push(v[k]);
      for (const [name, ms] of Object.entries(serviceValues(p.s, p.r)))
        (perService[name] ??= new Array<number | null>(i).fill(null)).push(ms);
      for (const list of Object.values(perService)) if (list.length < i + 1) list.push(null);
    });
    const services = Object.fromEntries(
      Object.entries(perService).map(([n, vs]) => [
        n,
        { values: vs, stats: describe(vs.filter((x): x is number => x !== null)) },
      ]),
    );
    const stats = describeAll(values);
    const flags = stepFlags(pairs, stats);
    if (runs.length < manifest.options.runs) flags.push('incomplete');
    const errorKinds = errorKindSums(pairs.map((p) => p.s));
    steps.push({
      step: label,
      vus: pairs[0]!.s.vus,
      rate: pairs[0]!.s.rate,
      n: pairs.length,
      runs: pairs.map((p) => p.run),
      values,
      stats,
      flags,
      services,
      routes: routeSummaries(pairs.map((p) => p.s)),
      sloPassed: pairs[0]!.s.slo ? pairs.filter((p) => p.s.slo?.pass).length : null,
      // absent, not undefined, for older runs: their summaries stay byte for byte the same
      ...(errorKinds ? { errorKinds } : {}),
    });
  }
  let capacity: CellSummary['capacity'] = null;
  if (plan?.slo && plan.model === 'open') {
    const values = files.map((f) => f.run.capacity?.rate ?? null);
    const flags = new Set<Flag>();
    for (const f of files) {
      // The steps that decided the capacity: every sustained step and the first one that was not.
      const firstFail = f.run.steps.findIndex((s) => !s.slo?.pass);
      const deciding = firstFail === -1 ? f.run.steps : f.run.steps.slice(0, firstFail + 1);
      for (const s of deciding) {
        const r = f.res?.steps.find((x) => x.step === s.step);
        if ((r?.loadgen.cpuShare ?? 0) >= LOADGEN_SATURATED_SHARE) flags.add('loadgen-saturated');
        if (!r?.sut?.budget || r.sut.budget.cpus === null) flags.add('unlimited');
        if ((hostOther(r) ?? 0) > HOST_BUSY_SHARE) flags.add('host-busy');
      }
    }
    const stats = describe(values.map((v) => v ?? 0));
    if (stats && stats.n > 1 && stats.cv !== null && stats.cv > NOISY_CV) flags.add('noisy');
    if (runs.length < manifest.options.runs) flags.add('incomplete');
    capacity = {
      sloP99Ms: plan.slo.p99Ms,
      firstRate: plan.steps[0]?.rate ?? null,
      values,
      stats,
      flags: [...flags],
    };
  }
  return {
    schema: SCHEMA_VERSION,
    runId: manifest.runId,
    target,
    scenario,
    title: plan?.title ?? scenario,
    model: plan?.model ?? 'closed',
    plannedRuns: manifest.options.runs,
    runs,
    steps,
    capacity,
  };
}

const COMPARED: PairComparison['metric'][] = ['rps', 'p50', 'p99', 'cpuPer1kReq'];
/** What k6 bounds: a cell near its ceiling says little about these (CPU per request stays comparable). */
const LOADGEN_BOUND_METRICS = new Set<PairComparison['metric']>(['rps', 'p50', 'p99']);

/** The cells of each run id and target together, in first-seen order (one start of a target measures them all). */
export function byRunAndTarget(cells: readonly CellSummary[]): CellSummary[][] {
  const groups = new Map<string, CellSummary[]>();
  for (const c of cells) {
    const key = `${c.runId}|${c.target}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  return [...groups.values()];
}

/**
 * The run's median speed probe over every measured run of every cell; a step is flagged `drift` when one of
 * its runs is more than DRIFT_SHARE away from it (the machine, not the target, changed speed).
 */
export function flagDrift(cells: CellSummary[]): void {
  const all = cells
    .flatMap((c) => c.steps.flatMap((s) => s.values.probeMs))
    .filter((v): v is number => v !== null);
  const mid = describe(all)?.median;
  if (!mid) return;
  for (const c of cells)
    for (const s of c.steps)
      if (
        s.values.probeMs.some((v) => v !== null && Math.abs(v / mid - 1) > DRIFT_SHARE) &&
        !s.flags.includes('drift')
      )
        s.flags.push('drift');
}

/** Every cell of a run directory, and every pair of targets compared per scenario and step. */
export function summarizeRun(runDir: string): RunSummary {
  const manifest = readManifest(runDir);
  const cells = cellDirs(runDir, manifest).map((c) => summarizeCell(runDir, manifest, c.target, c.scenario));
  flagDrift(cells);
  const comparisons = comparePairs(cells, manifest.options.targets, manifest.options.scenarios);
  return { schema: SCHEMA_VERSION, runId: manifest.runId, status: manifest.status, cells, comparisons };
}

const byRun = (runs: number[], values: (number | null)[]) =>
  new Map(runs.map((r, i) => [r, values[i] ?? null]));

/**
 * The metrics worth a ratio at one step: under an open model req/s is the offered rate, the same for both (not
 * compared); on a capacity ladder (08) the capacity is the comparison, and per rung only the cost is, since each
 * rung's latencies are in the cell table and decide the capacity.
 */
function comparedAt(a: CellSummary, sa: StepSummary): PairComparison['metric'][] {
  if (a.capacity) return ['cpuPer1kReq'];
  return sa.rate !== null ? COMPARED.filter((m) => m !== 'rps') : COMPARED;
}

function compareSteps(scenario: string, a: CellSummary, sa: StepSummary, b: CellSummary, sb: StepSummary) {
  const out: PairComparison[] = [];
  const bound = sa.flags.includes('loadgen-bound') || sb.flags.includes('loadgen-bound');
  for (const metric of comparedAt(a, sa)) {
    if (bound && LOADGEN_BOUND_METRICS.has(metric)) continue;
    const key = metric as MetricKey;
    const xs = sa.values[key].filter((v): v is number => v !== null);
    const ys = sb.values[key].filter((v): v is number => v !== null);
    const result = compare(xs, ys);
    const paired = pairedRatio(byRun(sa.runs, sa.values[key]), byRun(sb.runs, sb.values[key]));
    if (result) out.push({ scenario, step: sa.step, metric, a: a.target, b: b.target, result, paired });
  }
  return out;
}

/**
 * Every pair of targets (in the given order), per scenario and step, on req/s, p50, p99, CPU and capacity (see
 * comparedAt): ratio of means with Welch's test, and the paired per-round ratio. Cells flagged `loadgen-bound` are
 * left out of the req/s and latency ratios.
 */
export function comparePairs(cells: CellSummary[], targets: string[], scenarios: string[]): PairComparison[] {
  const comparisons: PairComparison[] = [];
  for (const scenario of scenarios) {
    const byTarget = new Map(cells.filter((c) => c.scenario === scenario).map((c) => [c.target, c]));
    for (let i = 0; i < targets.length; i++) {
      for (let j = i + 1; j < targets.length; j++) {
        const a = byTarget.get(targets[i]!);
        const b = byTarget.get(targets[j]!);
        if (!a || !b) continue;
        for (const sa of a.steps) {
          const sb = b.steps.find((s) => s.step === sa.step);
          if (sb) comparisons.push(...compareSteps(scenario, a, sa, b, sb));
        }
        if (a.capacity && b.capacity) {
          const xs = a.capacity.values.filter((v): v is number => v !== null);
          const ys = b.capacity.values.filter((v): v is number => v !== null);
          const result = compare(xs, ys);
          const paired = pairedRatio(byRun(a.runs, a.capacity.values), byRun(b.runs, b.capacity.values));
          if (result)
            comparisons.push({
              scenario,
              step: 'capacity',
              metric: 'capacity',
              a: a.target,
              b: b.target,
              result,
              paired,
            });
        }
      }
    }
  }
  return comparisons;
}
