/**
 * Scenario 12's table and charts, rendered from the files: the scale run's scale.json (seed times, and the
 * benchmark run id of each scale) and each benchmark run's summary.json. Charts put data size (products) on a
 * log x axis and the cost on a log y axis, one line per scenario: a straight line of slope 1 is linear growth.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { readJson } from '../lib/files.js';
import type { MetricKey, RunSummary } from '../stats/aggregate.js';
import type { SeedTime } from './seed-time.js';

export const SCENARIO = '12-data-scale';
export const PRODUCTS_PER_SCALE = 1200;

/** A scale the target refused before anything started (its tools said why), so it was not run. */
export interface RefusedScale {
  scale: number;
  reason: string;
}

export interface ScaleRunFile {
  scenario: typeof SCENARIO;
  target: string;
  scenarios: string[];
  scales: (SeedTime & { runId: string | null })[];
  /** Absent in files written before refusals were recorded. */
  refused?: RefusedScale[];
}

export interface ScalePoint {
  target: string;
  scenario: string;
  scale: number;
  products: number;
  metric: string;
  value: number;
}

const METRICS: [MetricKey, string][] = [
  ['p50', 'p50 ms'],
  ['p99', 'p99 ms'],
  ['cpuPer1kReq', 'CPU ms per request'],
  ['peakMemoryMiB', 'peak memory MiB'],
];

export function scalePoints(resultsDir: string, file: ScaleRunFile): ScalePoint[] {
  const out: ScalePoint[] = [];
  for (const s of file.scales) {
    const products = s.scale * PRODUCTS_PER_SCALE;
    out.push({
      target: file.target,
      scenario: 'seed',
      scale: s.scale,
      products,
      metric: 'start incl. seed, s',
      value: s.upSeconds,
    });
    const summaryFile = s.runId ? join(resultsDir, s.runId, 'summary.json') : null;
    if (!summaryFile || !existsSync(summaryFile)) continue;
    for (const cell of readJson<RunSummary>(summaryFile).cells) {
      const step = cell.steps[0];
      if (!step) continue;
      for (const [key, label] of METRICS) {
        const v = step.stats[key]?.median;
        if (v !== undefined && v !== null)
          out.push({
            target: cell.target,
            scenario: cell.scenario,
            scale: s.scale,
            products,
            metric: label,
            value: v,
          });
      }
    }
  }
  return out;
}

const fmt = (v: number | undefined) =>
  v === undefined ? '-' : v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(2);

const products = (scale: number) => `${scale} (${(scale * PRODUCTS_PER_SCALE).toLocaleString('en-US')})`;

/** The scales a run did not run, each with the reason its target gave, as lines under a table. */
export function renderRefused(file: ScaleRunFile, withTarget = false): string {
  return (file.refused ?? [])
    .map((r) => `\n${withTarget ? `${file.target}: ` : ''}Scale ${products(r.scale)} not run: ${r.reason}.\n`)
    .join('');
}

export function renderScaleTable(points: ScalePoint[]): string {
  const scales = [...new Set(points.map((p) => p.scale))].sort((a, b) => a - b);
  const scenarios = [...new Set(points.filter((p) => p.scenario !== 'seed').map((p) => p.scenario))].sort();
  const get = (scenario: string, scale: number, metric: string) =>
    points.find((p) => p.scenario === scenario && p.scale === scale && p.metric === metric)?.value;
  const rows = [
    '| scenario | scale (products) | p50 ms | p99 ms | CPU ms per request | peak memory MiB |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
  ];
  for (const sc of scenarios)
    for (const s of scales)
      rows.push(`| ${sc} | ${products(s)} | ${METRICS.map(([, l]) => fmt(get(sc, s, l))).join(' | ')} |`);
  const seed = ['| scale (products) | start incl. seed, s |', '| --- | ---: |'];
  for (const s of scales) seed.push(`| ${products(s)} | ${fmt(get('seed', s, 'start incl. seed, s'))} |`);
  return `${rows.join('\n')}\n\n${seed.join('\n')}\n\nCells: medians over runs (benchmark runs named in scale.json).\n`;
}

/** Metrics the side-by-side comparison of several targets shows. */
export const COMPARED = ['CPU ms per request', 'p99 ms'] as const;

/**
 * Several targets' scale runs side by side: per compared metric, one row per scenario and scale, one column per
 * target ("not run" where that target refused the scale), then the start incl. seed per scale and target.
 */
export function renderScaleComparison(runs: { file: ScaleRunFile; points: ScalePoint[] }[]): string {
  const targets = runs.map((r) => r.file.target);
  const all = runs.flatMap((r) => r.points);
  const scales = [
    ...new Set([
      ...all.map((p) => p.scale),
      ...runs.flatMap((r) => (r.file.refused ?? []).map((x) => x.scale)),
    ]),
  ].sort((a, b) => a - b);
  const scenarios = [...new Set(all.filter((p) => p.scenario !== 'seed').map((p) => p.scenario))].sort();
  const cell = (r: (typeof runs)[number], scenario: string, scale: number, metric: string) => {
    if (r.file.refused?.some((x) => x.scale === scale)) return 'not run';
    return fmt(
      r.points.find((p) => p.scenario === scenario && p.scale === scale && p.metric === metric)?.value,
    );
  };
  const head = (first: string) => [
    `| ${first} | scale (products) | ${targets.join(' | ')} |`,
    `| --- | --- | ${targets.map(() => '---:').join(' | ')} |`,
  ];
  const tables = COMPARED.map((metric) => {
    const rows = head('scenario');
    for (const sc of scenarios)
      for (const s of scales)
        rows.push(`| ${sc} | ${products(s)} | ${runs.map((r) => cell(r, sc, s, metric)).join(' | ')} |`);
    return `**${metric}** (median over runs)\n\n${rows.join('\n')}`;
  });
  const seed = ['| | scale (products) | ' + targets.join(' | ') + ' |', head('')[1]!];
  for (const s of scales)
    seed.push(
      `| start incl. seed, s | ${products(s)} | ${runs.map((r) => cell(r, 'seed', s, 'start incl. seed, s')).join(' | ')} |`,
    );
  const refused = runs.map((r) => renderRefused(r.file, true)).join('');
  return `${[...tables, `**Start, seed included**\n\n${seed.join('\n')}`].join('\n\n')}\n${refused}`;
}

/** Lines of a metric against the number of products, both axes logarithmic, one line per `line` field. */
function logLogLines(metric: string, line: 'scenario' | 'target') {
  return {
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'products', type: 'quantitative', scale: { type: 'log' }, title: 'products (log)' },
      y: { field: 'value', type: 'quantitative', scale: { type: 'log' }, title: `${metric} (log)` },
      color: { field: line, type: 'nominal' },
    },
  } as const;
}

/** An SVG file name for a chart of this metric ("CPU ms per request" → cpu-ms-per-request). */
export function chartFileSlug(metric: string): string {
  return metric
    .replace(/[^a-z0-9]+/gi, '-')
    .replace(/-+$/, '')
    .toLowerCase();
}

/** Several targets on one log-log chart per scenario (small multiples), a line per target. */
export function scaleComparisonSpec(title: string, points: ScalePoint[], metric: string): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    data: { values: points.filter((p) => p.metric === metric && p.scenario !== 'seed') },
    facet: { field: 'scenario', type: 'nominal', title: null },
    columns: 2,
    spec: {
      width: 240,
      height: 160,
      ...logLogLines(metric, 'target'),
    },
  } as TopLevelSpec;
}

/** One log-log chart of a metric against data size, a line per scenario. */
export function scaleSpec(title: string, points: ScalePoint[], metric: string): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 320,
    height: 220,
    data: { values: points.filter((p) => p.metric === metric) },
    ...logLogLines(metric, 'scenario'),
  } as TopLevelSpec;
}

export function chartMetrics(): string[] {
  return [...METRICS.map(([, l]) => l), 'start incl. seed, s'];
}
