/**
 * `./run-benchmark.sh note <run-id>` for a resilience run (10, 11): the same templates as every note, filled
 * from the run's manifest and the tables of its summary.md (themselves rendered from the run files).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { readJson, writeFileAtomic } from '../lib/files.js';
import { describeBudget } from '../lab/launcher.js';
import { RESILIENCE_MANIFEST, type ResilienceManifest, resilienceHeader } from '../resilience/manifest.js';
import { fill, NOTE_DIRS, type NoteOptions, slug } from './template.js';

export function isResilienceRun(runDir: string): boolean {
  return existsSync(join(runDir, RESILIENCE_MANIFEST));
}

export function scaffoldResilienceNote(o: NoteOptions): string {
  const runDir = join(o.resultsRoot, o.runId);
  const m = readJson<ResilienceManifest>(join(runDir, RESILIENCE_MANIFEST));
  const summary = existsSync(join(runDir, 'summary.md'))
    ? readFileSync(join(runDir, 'summary.md'), 'utf8')
    : '';
  // The tables: summary.md without its title and header block (the note prints its own header).
  const tables = summary
    .split('\n')
    .filter((l) => !l.startsWith('# ') && !l.startsWith('> '))
    .join('\n')
    .trim();
  const date = o.date ?? new Date().toISOString().slice(0, 10);
  const title = o.title ?? `${m.target}: ${m.scenario}`;
  const file = join(o.root, 'learnings', NOTE_DIRS[o.kind], `${date}-${slug(title)}.md`);
  if (existsSync(file)) throw new Error(`${relative(o.root, file)} exists already: pass another --title`);
  const text = fill(readFileSync(join(o.root, 'learnings', 'templates', `${o.kind}.md`), 'utf8'), {
    title,
    date,
    runId: m.runId,
    runLink: relative(join(o.root, 'learnings', NOTE_DIRS[o.kind]), runDir),
    status: m.status,
    command: m.command,
    header: resilienceHeader(m),
    budget: `- ${m.target}: ${describeBudget(m.budget)} (read back from the cgroups)`,
    versions: [
      `- node: ${m.machine.node}`,
      ...Object.entries(m.components).map(([k, v]) => `- ${m.target} · ${k}: ${v}`),
    ].join('\n'),
    tables,
  });
  writeFileAtomic(file, text);
  return file;
}
