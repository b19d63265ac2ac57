/** The report's section on whether the machine's probes follow the windows' cost (stats/probe-follow.ts). */
import type { CellSummary } from '../stats/aggregate.js';
import { MIN_WINDOWS, probeFollowOf } from '../stats/probe-follow.js';
import { mdTable, num } from './format.js';

/** The section, or null when no target has enough windows with a probe. */
export function probeFollowSection(
  cells: readonly CellSummary[],
  methodology = 'methodology.md',
): string | null {
  const rows = probeFollowOf(cells);
  if (rows.length === 0) return null;
  const table = mdTable(
    ['run', 'target', 'windows', 'compute probe r', 'windows with a memory probe', 'memory probe r'],
    rows.map((r) => [
      `\`${r.runId}\``,
      r.target,
      String(r.windows),
      num(r.compute, 2),
      String(r.memoryWindows),
      num(r.memory, 2),
    ]),
    ['l', 'l', 'r', 'r', 'r', 'r'],
  );
  return [
    '## Does the machine’s probe follow the cost?',
    '',
    'Before every window the runner times a compute loop that fits in a core’s cache and a pointer chase over',
    '16 MiB (the memory probe, recorded since 2026-12-07; – where a run has none) on k6’s idle core. Each',
    '(scenario, step) series of CPU per request and of each probe is centred on its own mean (log scale) and a',
    'target’s windows of one run are pooled: r near 1 says a window is dear when the machine is slow, r near 0',
    `that the probe does not see what moves the cost. Fewer than ${MIN_WINDOWS} windows: –. How to read it:`,
    `[methodology.md](${methodology}).`,
    '',
    table,
  ].join('\n');
}
