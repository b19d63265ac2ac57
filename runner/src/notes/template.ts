/** What every note shares: its kinds and their folders, its options, its file name, and the template filler. */

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
  runId: string;
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
