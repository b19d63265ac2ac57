/**
 * Charts as SVG, rendered server-side by Vega (vega-lite specs compiled to Vega; renderer "none", no canvas):
 * throughput and latency per target for a scenario, the concurrency sweep, and the capacity curve. Every
 * point is a median over runs; error bars are 95% confidence intervals of the mean over runs.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { CellSummary } from '../stats/aggregate.js';

const FONT = {
  font: 'Helvetica, Arial, sans-serif',
  labelFont: 'Helvetica, Arial, sans-serif',
  titleFont: 'Helvetica, Arial, sans-serif',
};
const CONFIG = {
  axis: { ...FONT, labelFontSize: 11, titleFontSize: 11 },
  legend: { ...FONT },
  title: { font: FONT.font, fontSize: 13 },
  view: { stroke: null },
};

/** vega-lite's logger, silenced: a chart warning must not interleave with the runner's output. */
const quiet = {
  level: () => quiet,
  error: (...a: unknown[]) => {
    throw new Error(a.join(' '));
  },
  warn: () => quiet,
  info: () => quiet,
  debug: () => quiet,
} as never;

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const compiled = compile({ ...spec, config: { ...CONFIG, ...(spec.config ?? {}) } } as TopLevelSpec, {
    logger: quiet,
  }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Error });
  const svg = await view.toSVG();
  view.finalize();
  return `${svg}\n`;
}

interface Row {
  target: string;
  step: string;
  x: number;
  metric: string;
  value: number;
  lo: number;
  hi: number;
}

function rowsFor(
  cells: CellSummary[],
  metric: 'rps' | 'p50' | 'p95' | 'p99',
  label: string,
  x: (s: CellSummary['steps'][0]) => number,
): Row[] {
  const out: Row[] = [];
  for (const c of cells) {
    for (const s of c.steps) {
      const d = s.stats[metric];
      if (!d) continue;
      out.push({
        target: c.target,
        step: s.step,
        x: x(s),
        metric: label,
        value: d.median,
        lo: d.ci95?.[0] ?? d.median,
        hi: d.ci95?.[1] ?? d.median,
      });
    }
  }
  return out;
}

/** A single-load scenario: req/s per target, and p50/p95/p99 per target. */
export function scenarioSpec(title: string, cells: CellSummary[]): TopLevelSpec {
  const rps = rowsFor(cells, 'rps', 'req/s', () => 0);
  const lat = [
    ...rowsFor(cells, 'p50', 'p50', () => 0),
    ...rowsFor(cells, 'p95', 'p95', () => 0),
    ...rowsFor(cells, 'p99', 'p99', () => 0),
  ];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    resolve: { scale: { color: 'independent' } },
    hconcat: [
      {
        width: 260,
        height: 180,
        data: { values: rps },
        layer: [
          {
            mark: 'bar',
            encoding: {
              x: { field: 'target', type: 'nominal', title: null, sort: null, axis: { labelAngle: 0 } },
              y: { field: 'value', type: 'quantitative', title: 'requests per second (median)' },
              color: { field: 'target', type: 'nominal', legend: null, sort: null },
            },
          },
          {
            mark: { type: 'rule', strokeWidth: 1.5, color: '#333' },
            encoding: {
              x: { field: 'target', type: 'nominal', title: null, sort: null, axis: { labelAngle: 0 } },
              y: { field: 'lo', type: 'quantitative', title: 'requests per second (median)' },
              y2: { field: 'hi' },
            },
          },
        ],
      },
      {
        width: 320,
        height: 180,
        data: { values: lat },
        layer: [
          {
            mark: 'bar',
            encoding: {
              x: { field: 'target', type: 'nominal', title: null, sort: null, axis: { labelAngle: 0 } },
              xOffset: { field: 'metric', sort: ['p50', 'p95', 'p99'] },
              y: { field: 'value', type: 'quantitative', title: 'latency ms (median over runs)' },
              color: { field: 'metric', type: 'nominal', title: 'percentile', sort: ['p50', 'p95', 'p99'] },
            },
          },
          {
            mark: { type: 'rule', strokeWidth: 1.5, color: '#333' },
            encoding: {
              x: { field: 'target', type: 'nominal', title: null, sort: null, axis: { labelAngle: 0 } },
              xOffset: { field: 'metric', sort: ['p50', 'p95', 'p99'] },
              y: { field: 'lo', type: 'quantitative', title: 'latency ms (median over runs)' },
              y2: { field: 'hi' },
            },
          },
        ],
      },
    ],
  } as TopLevelSpec;
}

/** 07: req/s and p99 against the number of VUs, one line per target (log x). */
export function sweepSpec(title: string, cells: CellSummary[]): TopLevelSpec {
  const panel = (rows: Row[], ytitle: string, logY: boolean) => ({
    width: 280,
    height: 200,
    data: { values: rows },
    layer: [
      {
        mark: { type: 'line', point: true },
        encoding: {
          x: {
            field: 'x',
            type: 'quantitative',
            scale: { type: 'log' },
            title: 'virtual users (closed model)',
          },
          y: {
            field: 'value',
            type: 'quantitative',
            title: ytitle,
            ...(logY ? { scale: { type: 'log' } } : {}),
          },
          color: { field: 'target', type: 'nominal' },
        },
      },
      {
        mark: { type: 'rule', strokeWidth: 1.5, color: '#333' },
        encoding: {
          x: { field: 'x', type: 'quantitative' },
          y: { field: 'lo', type: 'quantitative', title: ytitle },
          y2: { field: 'hi' },
          color: { field: 'target', type: 'nominal' },
        },
      },
    ],
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    hconcat: [
      panel(
        rowsFor(cells, 'rps', 'req/s', (s) => s.vus),
        'requests per second (median)',
        false,
      ),
      panel(
        rowsFor(cells, 'p99', 'p99', (s) => s.vus),
        'p99 latency ms (median, log)',
        true,
      ),
    ],
  } as TopLevelSpec;
}

/** 08: p99 against the offered rate, one line per target, with the SLO as a rule. */
export function capacitySpec(title: string, cells: CellSummary[], sloMs: number): TopLevelSpec {
  const rows = rowsFor(cells, 'p99', 'p99', (s) => s.rate ?? 0);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 420,
    height: 240,
    layer: [
      {
        data: { values: rows },
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'x', type: 'quantitative', title: 'offered rate, requests per second (open model)' },
          y: {
            field: 'value',
            type: 'quantitative',
            title: 'p99 latency ms (median over runs, log)',
            scale: { type: 'log' },
          },
          color: { field: 'target', type: 'nominal' },
        },
      },
      {
        data: { values: [{ slo: sloMs }] },
        mark: { type: 'rule', strokeDash: [4, 4], color: '#c00' },
        encoding: { y: { field: 'slo', type: 'quantitative' } },
      },
      {
        data: { values: [{ slo: sloMs, label: `SLO p99 ≤ ${sloMs} ms` }] },
        mark: { type: 'text', align: 'left', dx: 4, dy: -6, color: '#c00' },
        encoding: { y: { field: 'slo', type: 'quantitative' }, x: { value: 0 }, text: { field: 'label' } },
      },
    ],
  } as TopLevelSpec;
}
