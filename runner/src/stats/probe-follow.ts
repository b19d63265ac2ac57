/**
 * Does the machine's probe follow a target's cost? Before every window the runner times two probes on the target's
 * core: a compute loop that fits in a core's cache (`probeMs`) and a pointer chase over 16 MiB (`memoryProbeMs`).
 * If what makes a window expensive is the machine (neighbours taking the shared cache or the memory bus), a slow
 * window's probe is slow too; if it is the target's own state, the probes do not move with it.
 *
 * Each window is one run of one step of one scenario. The scenarios and steps differ in cost by design, so each
 * (scenario, step) series is centred on its own mean first (log scale), and the residuals of all a target's
 * series in one run id are pooled: the correlation is between a window being dearer than its series' average and
 * its probe being slower than the series' average.
 */
import { mean, sampleCorrelation } from 'simple-statistics';
import { byRunAndTarget, type CellSummary, type MetricKey } from './aggregate.js';

/** Fewer windows than this (after pairing with a probe), and a correlation says nothing. */
export const MIN_WINDOWS = 8;

export interface ProbeFollow {
  runId: string;
  target: string;
  /** Windows with a CPU per request and a compute probe; and of those, with a memory probe too. */
  windows: number;
  memoryWindows: number;
  /** Pearson correlation of the centred logs (null: too few windows, or a series that never moved). */
  compute: number | null;
  memory: number | null;
}

interface Residuals {
  cost: number[];
  probe: number[];
}

/** The centred logs of one (scenario, step) series: windows where both values are known and positive. */
function centred(costs: (number | null)[], probes: (number | null)[]): Residuals {
  const pairs = costs.flatMap((c, i) => {
    const p = probes[i];
    return c !== null && c > 0 && p !== null && p !== undefined && p > 0 ? [[Math.log(c), Math.log(p)]] : [];
  });
  if (pairs.length < 2) return { cost: [], probe: [] };
  const mc = mean(pairs.map((x) => x[0]!));
  const mp = mean(pairs.map((x) => x[1]!));
  return { cost: pairs.map((x) => x[0]! - mc), probe: pairs.map((x) => x[1]! - mp) };
}

function pooled(cells: readonly CellSummary[], probe: MetricKey): Residuals {
  const all: Residuals = { cost: [], probe: [] };
  for (const step of cells.flatMap((c) => c.steps)) {
    const r = centred(step.values.cpuPer1kReq, step.values[probe]);
    all.cost.push(...r.cost);
    all.probe.push(...r.probe);
  }
  return all;
}

function correlation(r: Residuals): number | null {
  if (r.cost.length < MIN_WINDOWS) return null;
  const c = sampleCorrelation(r.cost, r.probe);
  return Number.isFinite(c) ? c : null;
}

/** Per run id and target (in first-seen order): how far each probe follows the windows' CPU per request. */
export function probeFollowOf(cells: readonly CellSummary[]): ProbeFollow[] {
  return byRunAndTarget(cells).flatMap((g) => {
    const compute = pooled(g, 'probeMs');
    const memory = pooled(g, 'memoryProbeMs');
    if (compute.cost.length < MIN_WINDOWS && memory.cost.length < MIN_WINDOWS) return [];
    return [
      {
        runId: g[0]!.runId,
        target: g[0]!.target,
        windows: compute.cost.length,
        memoryWindows: memory.cost.length,
        compute: correlation(compute),
        memory: correlation(memory),
      },
    ];
  });
}
