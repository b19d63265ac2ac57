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

export interface ScaleRunFile {
  scenario: typeof SCENARIO;
  target: string;
  scenarios: string[];
  scales: (SeedTime & { runId: string | null })[];
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
      rows.push(
        `| ${sc} | ${s} (${(s * PRODUCTS_PER_SCALE).toLocaleString('en-US')}) | ${METRICS.map(([, l]) => fmt(get(sc, s, l))).join(' | ')} |`,
      );
  const seed = ['| scale (products) | start incl. seed, s |', '| --- | ---: |'];
  for (const s of scales)
    seed.push(
      `| ${s} (${(s * PRODUCTS_PER_SCALE).toLocaleString('en-US')}) | ${fmt(get('seed', s, 'start incl. seed, s'))} |`,
    );
  return `${rows.join('\n')}\n\n${seed.join('\n')}\n\nCells: medians over runs (benchmark runs named in scale.json).\n`;
}

/** One log-log chart of a metric against data size, a line per scenario. */
export function scaleSpec(title: string, points: ScalePoint[], metric: string): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 320,
    height: 220,
    data: { values: points.filter((p) => p.metric === metric) },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'products', type: 'quantitative', scale: { type: 'log' }, title: 'products (log)' },
      y: { field: 'value', type: 'quantitative', scale: { type: 'log' }, title: `${metric} (log)` },
      color: { field: 'scenario', type: 'nominal' },
    },
  } as TopLevelSpec;
}

export function chartMetrics(): string[] {
  return [...METRICS.map(([, l]) => l), 'start incl. seed, s'];
}
