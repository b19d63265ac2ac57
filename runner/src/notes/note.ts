/**
 * `./run-benchmark.sh note <run-id…> [--kind qna|retrospective|topic]`: a dated note under learnings/, from the
 * kind's template (learnings/templates/<kind>.md), prefilled with the run's header (machine, budget, versions,
 * command), its tables, and a hypotheses section to fill in. A note always links the run it is based on.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { writeFileAtomic } from '../lib/files.js';
import { formatBytes } from '../lab/budget.js';
import { capacityTable, flagLegend, header, scenarioTable, TABLE_NOTE } from '../report/markdown.js';
import { isResilienceRun, scaffoldResilienceNote } from './resilience-note.js';
import { fill, NOTE_DIRS, type NoteOptions, runLines, slug } from './template.js';
import { summarizeRun } from '../stats/aggregate.js';
import { manifestPath } from '../results/layout.js';
import { readManifest } from '../results/read.js';

export function scaffoldNote(o: NoteOptions): string {
  const [runId, ...more] = o.runIds;
  if (runId === undefined) throw new Error('name the run: ./run-benchmark.sh note <run-id>');
  const runDir = join(o.resultsRoot, runId);
  if (isResilienceRun(runDir)) return scaffoldResilienceNote(o);
  if (!existsSync(manifestPath(runDir))) throw new Error(`no run "${runId}" in ${o.resultsRoot}`);
  if (more.length > 0)
    throw new Error(`a benchmark run's note is of one run (its targets are side by side): ${runId}`);
  const manifest = readManifest(runDir);
  const summary = summarizeRun(runDir);
  const date = o.date ?? new Date().toISOString().slice(0, 10);
  const title =
    o.title ?? `${manifest.options.targets.join(' vs ')}: ${manifest.options.scenarios.join(', ')}`;
  const templateFile = join(o.root, 'learnings', 'templates', `${o.kind}.md`);
  const template = readFileSync(templateFile, 'utf8');
  const tables: string[] = [];
  for (const scenario of manifest.options.scenarios) {
    const cells = summary.cells.filter((c) => c.scenario === scenario);
    if (cells.length === 0) continue;
    tables.push(`### ${scenario} — ${cells[0]!.title}`, '', scenarioTable(cells), '');
    if (cells.some((c) => c.capacity)) tables.push(capacityTable(cells), '');
  }
  tables.push(TABLE_NOTE, '', flagLegend(summary.cells));
  const budget = Object.entries(manifest.targets)
    .map(([t, i]) => {
      const b = i.budget;
      return `- ${t}: ${b ? `${b.cpus ?? 'no quota'} cpu on cpuset ${b.cpuset ?? '-'}, ${b.memoryBytes === null ? 'no memory limit' : formatBytes(b.memoryBytes)}` : 'UNLIMITED'} (read back from the cgroups)`;
    })
    .join('\n');
  const versions = [
    ...Object.entries(manifest.versions).map(([k, v]) => `- ${k}: ${v ?? 'unknown'}`),
    ...Object.entries(manifest.targets).flatMap(([t, i]) =>
      Object.entries(i.components).map(([k, v]) => `- ${t} · ${k}: ${v}`),
    ),
  ].join('\n');
  const file = join(o.root, 'learnings', NOTE_DIRS[o.kind], `${date}-${slug(title)}.md`);
  if (existsSync(file)) throw new Error(`${relative(o.root, file)} exists already: pass another --title`);
  const text = fill(template, {
    title,
    date,
    runs: runLines(join(o.root, 'learnings', NOTE_DIRS[o.kind]), [
      { runId, runDir, status: manifest.status, command: manifest.command },
    ]),
    header: header([manifest]),
    budget,
    versions,
    tables: tables.join('\n'),
  });
  writeFileAtomic(file, text);
  return file;
}
