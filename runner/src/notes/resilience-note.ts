/**
 * `./run-benchmark.sh note <run-id…>` for resilience runs (10, 11, 12) of one scenario — one run per target: the
 * same templates as every note, filled from each run's manifest and the tables of its summary.md (themselves
 * rendered from the run files), a section per target.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { readJson, writeFileAtomic } from '../lib/files.js';
import { describeBudget } from '../lab/launcher.js';
import { RESILIENCE_MANIFEST, type ResilienceManifest, resilienceHeader } from '../resilience/manifest.js';
import { fill, NOTE_DIRS, type NoteOptions, runLines, slug } from './template.js';

export function isResilienceRun(runDir: string): boolean {
  return existsSync(join(runDir, RESILIENCE_MANIFEST));
}

interface Run {
  runDir: string;
  m: ResilienceManifest;
}

function readRuns(o: NoteOptions): Run[] {
  const runs = o.runIds.map((id) => {
    const runDir = join(o.resultsRoot, id);
    if (!isResilienceRun(runDir))
      throw new Error(
        `${id} is not a resilience run: a note of several runs is of scenario 10, 11 or 12 runs`,
      );
    return { runDir, m: readJson<ResilienceManifest>(join(runDir, RESILIENCE_MANIFEST)) };
  });
  const scenarios = [...new Set(runs.map((r) => r.m.scenario))];
  if (scenarios.length > 1)
    throw new Error(`a note is of one scenario's runs, not ${scenarios.join(' and ')}`);
  return runs;
}

/** The tables: summary.md without its title and header block (the note prints each run's header itself). */
function tablesOf(runDir: string): string {
  const file = join(runDir, 'summary.md');
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => !l.startsWith('# ') && !l.startsWith('> '))
    .join('\n')
    .trim();
}

export function scaffoldResilienceNote(o: NoteOptions): string {
  const runs = readRuns(o);
  const first = runs[0]!.m;
  const targets = runs.map((r) => r.m.target);
  const date = o.date ?? new Date().toISOString().slice(0, 10);
  const title = o.title ?? `${targets.join(', ')}: ${first.scenario}`;
  const noteDir = join(o.root, 'learnings', NOTE_DIRS[o.kind]);
  const file = join(noteDir, `${date}-${slug(title)}.md`);
  if (existsSync(file)) throw new Error(`${relative(o.root, file)} exists already: pass another --title`);
  const one = runs.length === 1;
  const text = fill(readFileSync(join(o.root, 'learnings', 'templates', `${o.kind}.md`), 'utf8'), {
    title,
    date,
    runs: runLines(
      noteDir,
      runs.map(({ runDir, m }) => ({ runId: m.runId, runDir, status: m.status, command: m.command })),
    ),
    header: one ? resilienceHeader(first) : '',
    budget: runs
      .map(({ m }) => `- ${m.target}: ${describeBudget(m.budget)} (read back from the cgroups)`)
      .join('\n'),
    versions: [
      `- node: ${first.machine.node}`,
      ...runs.flatMap(({ m }) => Object.entries(m.components).map(([k, v]) => `- ${m.target} · ${k}: ${v}`)),
    ].join('\n'),
    tables: one
      ? tablesOf(runs[0]!.runDir)
      : runs
          .map(({ runDir, m }) => `### ${m.target}\n\n${resilienceHeader(m)}\n\n${tablesOf(runDir)}`)
          .join('\n\n'),
  });
  writeFileAtomic(file, text);
  return file;
}
