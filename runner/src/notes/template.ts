/** What every note shares: its kinds and their folders, its options, its file name, and the template filler. */
import { relative } from 'node:path';

export type NoteKind = 'qna' | 'retrospective' | 'topic';

export const NOTE_DIRS: Record<NoteKind, string> = {
  qna: 'qna',
  retrospective: 'retrospectives',
  topic: 'topics',
};

export function slug(s: string): string {
  return (
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'note'
  );
}

export interface NoteOptions {
  root: string;
  resultsRoot: string;
  /** One benchmark run, or resilience runs of one scenario (one per target). */
  runIds: string[];
  kind: NoteKind;
  title: string | null;
  /** Date of the note (default: today, UTC). */
  date?: string;
}

/** Fills {{name}} placeholders; an unknown placeholder is an error (a template and this code drifted apart). */
export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{([a-zA-Z]+)\}\}/g, (_, k: string) => {
    if (!(k in values))
      throw new Error(`template placeholder {{${k}}} is unknown (known: ${Object.keys(values).join(', ')})`);
    return values[k]!;
  });
}

/** A run a note is based on: its id, where it is, how it ended and the command that made it. */
export interface NoteRun {
  runId: string;
  runDir: string;
  status: string;
  command: string;
}

/** The note's "Run" line, or its "Runs" list: each run linked (from the note's folder) to its summary. */
export function runLines(noteDir: string, runs: NoteRun[]): string {
  const line = (r: NoteRun) =>
    `[\`${r.runId}\`](${relative(noteDir, r.runDir)}/summary.md) (${r.status}) — \`${r.command}\``;
  if (runs.length === 1) return `- Run: ${line(runs[0]!)}`;
  return ['- Runs:', ...runs.map((r) => `  - ${line(r)}`)].join('\n');
}
