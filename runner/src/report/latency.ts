/**
 * Scenario 09 read two ways, from measured cells only: the injector's own cost (09's 0 ms step against its
 * `direct` step, the same load with every hop direct; runs from before that step existed compare with 03) and the
 * slope of page latency against the latency added per hop (ms of p50 and p99 per ms of hop RTT, between the two
 * largest steps). Why not from 0 ms: 09 restarts the target before its 0 ms step, and a target whose code is still
 * being compiled (a JVM database, V8) serves its first minute slower at 20 pages/s, which flattens a slope read from
 * the 0 ms step; the two largest steps both run a minute or more after that restart.
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
  /** (p50 at the largest step − p50 at the one before) / the latency between them: ms per ms of hop RTT. */
  slopeP50: number | null;
  slopeP99: number | null;
  /** The two steps the slope is read between (added RTT, ms); null without two hop steps. */
  slopeFromMs: number | null;
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
    const steps = c.steps
      .filter((s) => stepLatency(s.step) !== null)
      .sort((a, b) => stepLatency(b.step)! - stepLatency(a.step)!);
    const zero = steps.find((s) => stepLatency(s.step) === 0);
    const [top, below] = steps;
    const direct = cells.find((x) => x.scenario === DIRECT_SCENARIO && x.target === c.target);
    const d =
      c.steps.find((s) => s.step === DIRECT_STEP) ??
      (direct?.steps.length === 1 ? direct.steps[0] : undefined);
    const span = top && below ? { from: stepLatency(below.step)!, to: stepLatency(top.step)! } : null;
    const slope = (k: 'p50' | 'p99') => {
      const rise = minus(med(top, k), med(below, k));
      return rise === null || span === null ? null : rise / (span.to - span.from);
    };
    rows.push({
      target: c.target,
      overheadP50: minus(med(zero, 'p50'), med(d, 'p50')),
      overheadP99: minus(med(zero, 'p99'), med(d, 'p99')),
      slopeP50: slope('p50'),
      slopeP99: slope('p99'),
      slopeFromMs: span?.from ?? null,
      maxLatencyMs: span?.to ?? null,
      flags: [...new Set([zero, below, top, d].flatMap((s) => s?.flags ?? []))].sort(),
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
    'added to every hop, between the two largest steps — the number of sequential network round trips a page makes.',
    'Not from the 0 ms step: the target is restarted just before it and is still warming up there (Harper, which has',
    'no hop, shows the drift its slope would carry).',
    '',
    mdTable(
      [
        'target',
        'injector p50 ms',
        'injector p99 ms',
        'p50 ms per hop-ms',
        'p99 ms per hop-ms',
        'between',
        'flags',
      ],
      rows.map((r) => [
        r.target,
        signed(r.overheadP50),
        signed(r.overheadP99),
        num(r.slopeP50, 2),
        num(r.slopeP99, 2),
        r.maxLatencyMs === null ? '–' : `${r.slopeFromMs}–${r.maxLatencyMs} ms`,
        r.flags.join(', '),
      ]),
    ),
  ].join('\n');
}
