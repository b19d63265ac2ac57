/**
 * Scenario 09 read two ways, from measured cells only: the injector's own cost (09's 0 ms step against its
 * `direct` step, the same load with every hop direct; runs from before that step existed compare with 03) and the
 * slope of page latency against the latency added per hop (ms of p50 and p99 per ms of hop RTT, between the 0 ms
 * and the largest step).
 */
import type { CellSummary, StepSummary } from '../stats/aggregate.js';
import { mdTable, num } from './format.js';

export const LATENCY_SCENARIO = '09-network-latency';
export const DIRECT_SCENARIO = '03-pdp';
/** 09's step with every hop direct (no proxy): the injector's baseline at the same load. */
export const DIRECT_STEP = 'direct';

export interface LatencyRow {
  target: string;
  /** 09 at 0 ms minus its direct step (else minus 03), medians over runs, ms; null without either. */
  overheadP50: number | null;
  overheadP99: number | null;
  /** (p50 at the largest step − p50 at 0 ms) / that step's added latency: ms per ms of hop RTT. */
  slopeP50: number | null;
  slopeP99: number | null;
  maxLatencyMs: number | null;
  /** Flags of the steps and cells read (a flagged figure is not a finding). */
  flags: string[];
}

/** The added latency of a 09 step, from its label ("hop-0.25ms" → 0.25). */
export function stepLatency(step: string): number | null {
  const m = /^hop-(\d+(?:\.\d+)?)ms$/.exec(step);
  return m ? Number(m[1]) : null;
}

const med = (s: StepSummary | undefined, k: 'p50' | 'p99') => s?.stats[k]?.median ?? null;
const minus = (a: number | null, b: number | null) => (a === null || b === null ? null : a - b);

export function latencyRows(cells: readonly CellSummary[]): LatencyRow[] {
  const rows: LatencyRow[] = [];
  for (const c of cells.filter((x) => x.scenario === LATENCY_SCENARIO)) {
    const steps = c.steps.filter((s) => stepLatency(s.step) !== null);
    const zero = steps.find((s) => stepLatency(s.step) === 0);
    const top = [...steps].sort((a, b) => stepLatency(b.step)! - stepLatency(a.step)!)[0];
    const direct = cells.find((x) => x.scenario === DIRECT_SCENARIO && x.target === c.target);
    const d =
      c.steps.find((s) => s.step === DIRECT_STEP) ??
      (direct?.steps.length === 1 ? direct.steps[0] : undefined);
    const maxLatencyMs = top && top !== zero ? stepLatency(top.step) : null;
    const slope = (k: 'p50' | 'p99') => {
      const rise = minus(med(top, k), med(zero, k));
      return rise === null || !maxLatencyMs ? null : rise / maxLatencyMs;
    };
    rows.push({
      target: c.target,
      overheadP50: minus(med(zero, 'p50'), med(d, 'p50')),
      overheadP99: minus(med(zero, 'p99'), med(d, 'p99')),
      slopeP50: slope('p50'),
      slopeP99: slope('p99'),
      maxLatencyMs,
      flags: [...new Set([zero, top, d].flatMap((s) => s?.flags ?? []))].sort(),
    });
  }
  return rows;
}

/** The report's section for 09, or null without a 09 cell. */
export function latencySection(cells: readonly CellSummary[]): string | null {
  const rows = latencyRows(cells);
  if (rows.length === 0) return null;
  const signed = (v: number | null) => (v === null ? '–' : `${v >= 0 ? '+' : ''}${num(v, 2)}`);
  return [
    '## Network latency: the injector’s cost and the slope per millisecond of hop latency',
    '',
    `Medians over runs. Injector overhead: ${LATENCY_SCENARIO}'s 0 ms step (every internal hop through a bare`,
    `Toxiproxy proxy) minus its \`${DIRECT_STEP}\` step (the same load, every hop direct; older runs: ${DIRECT_SCENARIO});`,
    'Harper has no hop, so its row is the noise between two identical cells. Slope: how many ms a page gains per ms',
    'added to every hop, between the 0 ms step and the largest one — the number of sequential network round trips',
    'a page makes.',
    '',
    mdTable(
      [
        'target',
        'injector p50 ms',
        'injector p99 ms',
        'p50 ms per hop-ms',
        'p99 ms per hop-ms',
        'up to',
        'flags',
      ],
      rows.map((r) => [
        r.target,
        signed(r.overheadP50),
        signed(r.overheadP99),
        num(r.slopeP50, 2),
        num(r.slopeP99, 2),
        r.maxLatencyMs === null ? '–' : `${r.maxLatencyMs} ms`,
        r.flags.join(', '),
      ]),
    ),
  ].join('\n');
}
