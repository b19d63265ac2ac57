/**
 * `./run-benchmark.sh resilience-report <run-id…>`: docs/resilience-results.md (and its charts) for scenarios
 * 10, 11 and 12, rendered from the named runs' files only — fault and cold-start runs (resilience.json and their
 * run files) and data-scale runs (scale.json, the benchmark summaries it names, its SVG charts).
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { readJson, writeFileAtomic } from '../lib/files.js';
import { renderSvg } from '../report/charts.js';
import {
  chartFileSlug,
  COMPARED,
  renderRefused,
  renderScaleComparison,
  renderScaleTable,
  scaleComparisonSpec,
  type ScalePoint,
  type ScaleRunFile,
  scalePoints,
} from '../scale/report.js';
import { RESILIENCE_MANIFEST, resilienceHeader } from './manifest.js';
import { readResilienceManifest, type ResilienceRun, runsTable, writeResilienceSummary } from './summary.js';

export interface ResilienceReportOptions {
  root: string;
  resultsRoot: string;
  runIds: string[];
  out?: string;
}

const TITLES: Record<string, string> = {
  '10-fault-injection': '10-fault-injection — one process killed or paused under load',
  '11-cold-start': '11-cold-start — time to serve after a start',
  '12-data-scale': '12-data-scale — cost against catalogue size',
};

/** One run's part of the page: a scale run's whole section, or a fault/cold-start run's header and table. */
type Part =
  | { kind: 'scale'; scenario: string; text: string; file: ScaleRunFile; points: ScalePoint[] }
  | { kind: 'table'; scenario: string; run: ResilienceRun };
type ScalePart = Extract<Part, { kind: 'scale' }>;

function scalePart(o: ResilienceReportOptions, dir: string, file: string, chartDir: string): Part {
  const s = readJson<ScaleRunFile>(join(dir, 'scale.json'));
  const charts = readdirSync(dir)
    .filter((f) => f.endsWith('.svg'))
    .sort();
  const links = charts.map((c) => {
    copyFileSync(join(dir, c), join(chartDir, c));
    return `![${c}](${relative(dirname(file), join(chartDir, c))})`;
  });
  const runs = s.scales.map((x) => `scale ${x.scale}: \`${x.runId ?? 'failed'}\``).join(', ');
  const m = readResilienceManifest(dir);
  const head = m ? `${resilienceHeader(m)}\n\n` : '';
  const points = scalePoints(o.resultsRoot, s);
  return {
    kind: 'scale',
    scenario: s.scenario,
    file: s,
    points,
    text: `### ${s.target}\n\n${head}Benchmark runs (headers, budgets and commands in their summaries): ${runs}.\n\n${renderScaleTable(points)}${renderRefused(s)}\n${links.join('\n')}\n`,
  };
}

function part(o: ResilienceReportOptions, id: string, file: string, chartDir: string): Part {
  const dir = join(o.resultsRoot, id);
  if (existsSync(join(dir, 'scale.json'))) return scalePart(o, dir, file, chartDir);
  const m = readResilienceManifest(dir);
  if (m) {
    // The run's own summary.md is rendered again too, by the same code as this page.
    writeResilienceSummary(dir, m);
    return { kind: 'table', scenario: m.scenario, run: { dir, m } };
  }
  throw new Error(
    `results/${id} is neither a resilience run (${RESILIENCE_MANIFEST}) nor a scale run (scale.json)`,
  );
}

/** Fault and cold-start runs (one per target) side by side: one table of all their rows, then each run's header. */
function mergedSection(parts: Extract<Part, { kind: 'table' }>[]): string {
  const runs = parts.map((p) => p.run);
  const headers = runs.map(({ m }) => `**${m.target}**\n\n${resilienceHeader(m)}`);
  return `${[runsTable(runs).trim(), '#### Runs', ...headers].join('\n\n')}\n`;
}

/** Several targets' scale runs: the side-by-side tables and one small-multiples chart per compared metric. */
async function scaleComparison(scales: ScalePart[], file: string, chartDir: string): Promise<string> {
  const links: string[] = [];
  for (const metric of COMPARED) {
    const name = `scale-${chartFileSlug(metric)}.svg`;
    const points = scales.flatMap((p) => p.points);
    writeFileAtomic(
      join(chartDir, name),
      await renderSvg(scaleComparisonSpec(`${metric} against data size`, points, metric)),
    );
    links.push(`![${name}](${relative(dirname(file), join(chartDir, name))})`);
  }
  return `### All targets\n\n${renderScaleComparison(scales)}\n${links.join('\n')}\n`;
}

async function scenarioSection(parts: Part[], file: string, chartDir: string): Promise<string[]> {
  const tables = parts.filter((p): p is Extract<Part, { kind: 'table' }> => p.kind === 'table');
  const scales = parts.filter((p): p is ScalePart => p.kind === 'scale');
  return [
    ...(tables.length ? [mergedSection(tables)] : []),
    ...(scales.length > 1 ? [await scaleComparison(scales, file, chartDir)] : []),
    ...scales.map((p) => p.text),
  ];
}

export async function renderResilienceReport(o: ResilienceReportOptions): Promise<string> {
  if (o.runIds.length === 0) throw new Error('name the runs: ./run-benchmark.sh resilience-report <run-id…>');
  const file = resolve(o.root, o.out ?? 'docs/resilience-results.md');
  const chartDir = join(dirname(file), basename(file, '.md'));
  rmSync(chartDir, { recursive: true, force: true });
  mkdirSync(chartDir, { recursive: true });
  const bySc = new Map<string, Part[]>();
  for (const id of o.runIds) {
    const p = part(o, id, file, chartDir);
    bySc.set(p.scenario, [...(bySc.get(p.scenario) ?? []), p]);
  }
  const cmd = `./run-benchmark.sh resilience-report ${o.runIds.join(' ')}`;
  const parts = [
    `<!-- Generated by \`${cmd}\` from ${o.runIds.map((r) => `results/${r}/`).join(', ')}. Do not edit: re-run the command. -->`,
    '',
    '# Resilience and scale results',
    '',
    'Every number below is computed from the result files named in each header. What each scenario measures, and',
    'what it does not show: [10](scenarios/10-fault-injection.md), [11](scenarios/11-cold-start.md),',
    '[12](scenarios/12-data-scale.md).',
    '',
  ];
  for (const sc of [...bySc.keys()].sort())
    parts.push(`## ${TITLES[sc] ?? sc}`, '', ...(await scenarioSection(bySc.get(sc)!, file, chartDir)), '');
  writeFileAtomic(file, parts.join('\n'));
  return file;
}
