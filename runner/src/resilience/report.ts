/**
 * `./run-benchmark.sh resilience-report <run-id…>`: docs/resilience-results.md (and its charts) for scenarios
 * 10, 11 and 12, rendered from the named runs' files only — fault and cold-start runs (resilience.json and their
 * run files) and data-scale runs (scale.json, the benchmark summaries it names, its SVG charts).
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { readJson, writeFileAtomic } from '../lib/files.js';
import { renderScaleTable, type ScaleRunFile, scalePoints } from '../scale/report.js';
import { RESILIENCE_MANIFEST, resilienceHeader } from './manifest.js';
import { readResilienceManifest, resilienceTable, writeResilienceSummary } from './summary.js';

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
  | { kind: 'scale'; scenario: string; text: string }
  | { kind: 'table'; scenario: string; target: string; header: string; table: string };

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
  return {
    kind: 'scale',
    scenario: s.scenario,
    text: `### ${s.target}\n\n${head}Benchmark runs (headers, budgets and commands in their summaries): ${runs}.\n\n${renderScaleTable(scalePoints(o.resultsRoot, s))}\n${links.join('\n')}\n`,
  };
}

function part(o: ResilienceReportOptions, id: string, file: string, chartDir: string): Part {
  const dir = join(o.resultsRoot, id);
  if (existsSync(join(dir, 'scale.json'))) return scalePart(o, dir, file, chartDir);
  const m = readResilienceManifest(dir);
  if (m) {
    // The run's own summary.md is rendered again too, by the same code as this page.
    writeResilienceSummary(dir, m);
    return {
      kind: 'table',
      scenario: m.scenario,
      target: m.target,
      header: resilienceHeader(m),
      table: resilienceTable(dir, m),
    };
  }
  throw new Error(
    `results/${id} is neither a resilience run (${RESILIENCE_MANIFEST}) nor a scale run (scale.json)`,
  );
}

/**
 * Fault and cold-start runs (one per target) side by side: one table of every run's rows, the notes under it
 * once (a run's failed measurements named with its target), then each run's header.
 */
function mergedSection(parts: Extract<Part, { kind: 'table' }>[]): string {
  let head: string[] = [];
  const rows: string[] = [];
  const after: string[] = [];
  for (const p of parts) {
    const lines = p.table.trim().split('\n');
    const start = lines.findIndex((l) => l.startsWith('|'));
    let end = start;
    while (end < lines.length && lines[end]!.startsWith('|')) end++;
    if (head.length === 0) head = lines.slice(start, start + 2);
    rows.push(...lines.slice(start + 2, end));
    for (const l of lines.slice(end).filter((x) => x.trim() !== '')) {
      const line = l.startsWith('Failed measurements') ? `${p.target}: ${l}` : l;
      if (!after.includes(line)) after.push(line);
    }
  }
  const headers = parts.map((p) => `**${p.target}**\n\n${p.header}`);
  const blocks = [[...head, ...rows].join('\n'), after.join('\n\n'), '#### Runs', ...headers];
  return `${blocks.filter((b) => b !== '').join('\n\n')}\n`;
}

function scenarioSection(parts: Part[]): string[] {
  const tables = parts.filter((p): p is Extract<Part, { kind: 'table' }> => p.kind === 'table');
  return [
    ...(tables.length ? [mergedSection(tables)] : []),
    ...parts.flatMap((p) => (p.kind === 'scale' ? [p.text] : [])),
  ];
}

export function renderResilienceReport(o: ResilienceReportOptions): string {
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
    parts.push(`## ${TITLES[sc] ?? sc}`, '', ...scenarioSection(bySc.get(sc)!), '');
  writeFileAtomic(file, parts.join('\n'));
  return file;
}
