/**
 * `./run-benchmark.sh report [run-id…]`: docs/benchmark-results.md and its SVG charts, rendered from the files
 * under results/ only (recomputed from run and resources files, never typed by hand). Several run ids are
 * merged cell by cell (a later id wins for the same target and scenario); the default is the newest complete
 * run that is not a --quick smoke test.
 */

import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { readJson, writeFileAtomic } from '../benchmark/files.js';
import type { Manifest } from '../benchmark/types.js';
import { type CellSummary, comparePairs } from '../stats/aggregate.js';
import { capacitySpec, renderSvg, scenarioSpec, sweepSpec } from './charts.js';
import { decompositionSection } from './decomposition.js';
import { latencySection } from './latency.js';
import { capacityTable, comparisonTable, flagLegend, header, scenarioTable, TABLE_NOTE } from './markdown.js';
import { PUBLISHED_PAGE, runCells } from './run-files.js';

export interface ReportOptions {
  root: string;
  resultsRoot: string;
  runIds: string[];
  /** Where the page goes: a file, 'publish' (docs/benchmark-results.md), or null (results/<last run-id>/report.md). */
  out: string | 'publish' | null;
  /** Render from each cell's summary.json instead of the raw run files (see run-files.ts). */
  fromSummaries?: boolean;
}

/** The page and its charts, not yet written (the drift test compares them with the published ones). */
export interface RenderedReport {
  file: string;
  markdown: string;
  /** Chart files (absolute paths) and their SVG text. */
  charts: Map<string, string>;
  runIds: string[];
}

export function listRuns(resultsRoot: string): Manifest[] {
  if (!existsSync(resultsRoot)) return [];
  return readdirSync(resultsRoot)
    .filter((d) => existsSync(join(resultsRoot, d, 'manifest.json')))
    .map((d) => readJson<Manifest>(join(resultsRoot, d, 'manifest.json')))
    .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
}

export function defaultRun(resultsRoot: string): string {
  const runs = listRuns(resultsRoot);
  const pick =
    [...runs].reverse().find((m) => m.status === 'complete' && !m.options.quick) ??
    [...runs].reverse().find((m) => m.status === 'complete') ??
    runs[runs.length - 1];
  if (!pick)
    throw new Error(`no results in ${resultsRoot}: run ./run-benchmark.sh <target> <selector> first`);
  return pick.runId;
}

/** Writes the page and replaces its chart directory. */
export async function renderReport(
  o: ReportOptions,
): Promise<{ file: string; charts: string[]; runIds: string[] }> {
  const r = await buildReport(o);
  const chartDir = join(dirname(r.file), basename(r.file, '.md'));
  rmSync(chartDir, { recursive: true, force: true });
  mkdirSync(chartDir, { recursive: true });
  for (const [file, svg] of r.charts) writeFileAtomic(file, svg);
  writeFileAtomic(r.file, r.markdown);
  return { file: r.file, charts: [...r.charts.keys()], runIds: r.runIds };
}

function outputFile(o: ReportOptions, runIds: string[]): string {
  if (o.out === 'publish') return resolve(o.root, PUBLISHED_PAGE);
  if (o.out !== null) return resolve(o.root, o.out);
  return join(o.resultsRoot, runIds[runIds.length - 1]!, 'report.md');
}

export async function buildReport(o: ReportOptions): Promise<RenderedReport> {
  const runIds = o.runIds.length ? o.runIds : [defaultRun(o.resultsRoot)];
  const manifests: Manifest[] = [];
  const cells = new Map<string, { cell: CellSummary; manifest: Manifest }>();
  const targets: string[] = [];
  const scenarios: string[] = [];
  for (const id of runIds) {
    const dir = join(o.resultsRoot, id);
    if (!existsSync(join(dir, 'manifest.json'))) throw new Error(`no run "${id}" in ${o.resultsRoot}`);
    const manifest = readJson<Manifest>(join(dir, 'manifest.json'));
    manifests.push(manifest);
    for (const c of runCells(o.resultsRoot, dir, manifest, o.fromSummaries ?? false)) {
      cells.set(`${c.target}|${c.scenario}`, { cell: c, manifest });
      if (!targets.includes(c.target)) targets.push(c.target);
      if (!scenarios.includes(c.scenario)) scenarios.push(c.scenario);
    }
  }
  scenarios.sort();
  const file = outputFile(o, runIds);
  const chartDir = join(dirname(file), basename(file, '.md'));
  const charts = new Map<string, string>();
  const all = [...cells.values()].map((x) => x.cell);
  const out = o.out === 'publish' ? ' --publish' : o.out !== null ? ` --out ${o.out}` : '';
  const flags = `${o.fromSummaries ? ' --from-summaries' : ''}${out}`;
  const cmd = `./run-benchmark.sh report ${runIds.join(' ')}${flags}`;
  const source = o.fromSummaries
    ? `the per-cell summary.json files of ${runIds.map((r) => `results/${r}/`).join(', ')} (the raw run files were not kept)`
    : runIds.map((r) => `results/${r}/`).join(', ');
  const docs = (f: string) => relative(dirname(file), resolve(o.root, 'docs', f)) || '.';
  const parts: string[] = [
    `<!-- Generated by \`${cmd}\` from ${source}. Do not edit: re-run the command. -->`,
    '',
    '# Benchmark results',
    '',
    'Every number below is computed from the result files named in each header; how they are measured, and what',
    `they do and do not show, is in [methodology.md](${docs('methodology.md')}). Scenarios: [scenarios/](${docs('scenarios')}/).`,
    '',
  ];
  if (manifests.some((m) => m.options.quick))
    parts.push(
      '> **QUICK runs included: smoke tests of the tooling, not measurements. Do not quote these numbers.**',
      '',
    );
  if (manifests.some((m) => m.status !== 'complete'))
    parts.push('> **Some runs are incomplete** (see their headers): fewer samples than planned.', '');
  for (const scenario of scenarios) {
    const entries = targets
      .map((t) => cells.get(`${t}|${scenario}`))
      .filter((x): x is { cell: CellSummary; manifest: Manifest } => !!x);
    const sc = entries.map((e) => e.cell);
    const used = [...new Set(entries.map((e) => e.manifest))];
    const title = `${scenario} — ${sc[0]!.title}`;
    parts.push(
      `## ${title}`,
      '',
      header(
        used,
        sc.map((c) => c.target),
      ),
      '',
    );
    const chart = `${scenario}.svg`;
    let spec: TopLevelSpec;
    const plan = used[0]!.plan.find((p) => p.name === scenario);
    if (plan?.slo && plan.model === 'open') spec = capacitySpec(title, sc, plan.slo.p99Ms);
    else if (sc.some((c) => c.steps.length > 1)) spec = sweepSpec(title, sc);
    else spec = scenarioSpec(title, sc);
    charts.set(join(chartDir, chart), await renderSvg(spec));
    parts.push(`![${title}](${relative(dirname(file), join(chartDir, chart))})`, '');
    parts.push(scenarioTable(sc), '');
    if (sc.some((c) => c.capacity)) parts.push(capacityTable(sc), '');
    const comps = comparePairs(sc, targets, [scenario]);
    if (comps.length) parts.push(comparisonTable(comps), '');
  }
  const decomposition = decompositionSection(all, docs('methodology.md'));
  if (decomposition) parts.push(decomposition, '');
  const latency = latencySection(all);
  if (latency) parts.push(latency, '');
  parts.push('## Reading the tables', '', TABLE_NOTE, '', flagLegend(all), '');
  return { file, markdown: parts.join('\n'), charts, runIds };
}
