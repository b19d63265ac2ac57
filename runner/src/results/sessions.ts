// What a run's sessions (one per start of ./run-benchmark.sh, --resume adds one) ran on.
import type { Manifest } from './types.js';

/**
 * The commits of a run's sessions, oldest first, without repeats; a session that did not record one is taken to
 * have run the manifest's commit (the first session's; sessions before 2026-12-08 did not record theirs). A dirty
 * checkout is marked with "+".
 */
export function sessionCommits(m: Pick<Manifest, 'git' | 'sessions'>): string[] {
  const name = (g: Manifest['git']) => (g.commit ? `${g.commit}${g.dirty ? '+' : ''}` : null);
  const all = m.sessions.map((s) => name(s.git ?? m.git));
  if (m.sessions.length === 0) all.push(name(m.git));
  return [...new Set(all.filter((c): c is string => c !== null))];
}

/** A session commit as the lab prints it: 10 hex digits, and the "+" of a dirty checkout. */
export function shortCommit(c: string): string {
  return c.slice(0, 10) + (c.endsWith('+') ? '+' : '');
}
