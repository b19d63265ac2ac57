/**
 * The fragmentation tax, split in two from measured cells only: micro − microlith is what micro pays for its
 * network hops, serialisation and extra processes (the same services, handlers, stores, databases and queries,
 * composed in one process); microlith − harper is what an out-of-process database and its driver cost (plus
 * whatever else differs between Harper and Fastify over MongoDB). See docs/methodology.md.
 */
import type { CellSummary } from '../stats/aggregate.js';
import { mdTable, num } from './format.js';

/**
 * The scenarios the decomposition is read on: closed model, one step, no think time — the four page kinds and the
 * write path (05, where micro's saga crosses services). Not 00 (each target's /health has its own depth), nor 06
 * (its load is capped by think time, so its latency says how saturated a target is, not what a request costs).
 */
export const DECOMPOSITION_SCENARIOS = ['01', '02', '03', '04', '05'] as const;
export const DECOMPOSITION_TARGETS = ['harper', 'microlith', 'micro', 'mono'] as const;
export type DecompositionTarget = (typeof DECOMPOSITION_TARGETS)[number];

export const DECOMPOSITION_METRICS = {
  cpuPer1kReq: 'CPU s / 1k req',
  p50: 'p50 ms',
} as const;
export type DecompositionMetric = keyof typeof DECOMPOSITION_METRICS;

export interface DecompositionRow {
  scenario: string;
  metric: DecompositionMetric;
  /** Median over runs of each target's cell; null when the cell was not measured (or is not one step). */
  values: Record<DecompositionTarget, number | null>;
  /** micro − microlith: network hops + serialisation + extra processes. */
  hops: number | null;
  /** microlith − harper: an out-of-process database and its driver. */
  database: number | null;
  /** Flags of every cell read for this row (errors, noisy, host-busy …): a flagged difference is not a finding. */
  flags: string[];
}

function median(cell: CellSummary | undefined, metric: DecompositionMetric): number | null {
  if (!cell || cell.steps.length !== 1) return null;
  return cell.steps[0]!.stats[metric]?.median ?? null;
}

const diff = (a: number | null, b: number | null) => (a === null || b === null ? null : a - b);

/** One row per scenario (01–05) and metric where microlith and at least one other target were measured. */
export function decompose(cells: readonly CellSummary[]): DecompositionRow[] {
  const rows: DecompositionRow[] = [];
  const scenarios = [...new Set(cells.map((c) => c.scenario))]
    .filter((s) => (DECOMPOSITION_SCENARIOS as readonly string[]).includes(s.slice(0, 2)))
    .sort();
  for (const scenario of scenarios) {
    const of = (t: string) => cells.find((c) => c.scenario === scenario && c.target === t);
    for (const metric of Object.keys(DECOMPOSITION_METRICS) as DecompositionMetric[]) {
      const values = {} as Record<DecompositionTarget, number | null>;
      for (const t of DECOMPOSITION_TARGETS) values[t] = median(of(t), metric);
      const hops = diff(values.micro, values.microlith);
      const database = diff(values.microlith, values.harper);
      if (hops === null && database === null) continue;
      const flags = new Set(
        DECOMPOSITION_TARGETS.flatMap((t) => (values[t] === null ? [] : (of(t)?.steps[0]?.flags ?? []))),
      );
      rows.push({ scenario, metric, values, hops, database, flags: [...flags].sort() });
    }
  }
  return rows;
}

const signed = (v: number | null) => (v === null ? '–' : `${v >= 0 ? '+' : ''}${num(v, 3)}`);

/** The report's section, or null when no scenario has the cells to decompose. */
export function decompositionSection(
  cells: readonly CellSummary[],
  /** The methodology page, relative to the page being written. */
  methodology = 'methodology.md',
): string | null {
  const rows = decompose(cells);
  if (rows.length === 0) return null;
  const table = mdTable(
    [
      'scenario',
      'metric',
      ...DECOMPOSITION_TARGETS,
      'micro − microlith (hops, serialisation, processes)',
      'microlith − harper (out-of-process database, driver)',
      'flags',
    ],
    rows.map((r) => [
      r.scenario,
      DECOMPOSITION_METRICS[r.metric],
      ...DECOMPOSITION_TARGETS.map((t) => num(r.values[t], 3)),
      signed(r.hops),
      signed(r.database),
      r.flags.join(', '),
    ]),
    ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
  );
  return [
    '## Decomposition of the fragmentation tax',
    '',
    'Medians over runs of the cells above (– : not measured). microlith runs micro’s very same services, handlers,',
    'stores and queries in one process, so micro − microlith is the price of the network hops, serialisation and',
    'extra processes alone; microlith − harper is the price of an out-of-process database and its driver (and of',
    'Fastify vs Harper’s own server). Differences of medians, not significance tests: the comparison tables and',
    `their confidence intervals say which differences are real. Limits: [methodology.md](${methodology}).`,
    '',
    table,
  ].join('\n');
}
