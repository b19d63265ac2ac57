/** A resilience run's table (10, 11 or 12, by its manifest) and its summary.md, rendered from the run's files. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readJson, writeFileAtomic } from '../lib/files.js';
import { SCENARIO as COLD_START } from '../coldstart/cold-start.js';
import { readColdStarts, renderColdStartTable } from '../coldstart/summary.js';
import { SCENARIO as FAULTS } from '../faults/fault-run.js';
import { readFaultRuns, renderFaultTable } from '../faults/summary.js';
import {
  renderRefused,
  renderScaleTable,
  SCENARIO as SCALE,
  type ScaleRunFile,
  scalePoints,
} from '../scale/report.js';
import { RESILIENCE_MANIFEST, type ResilienceManifest, resilienceHeader } from './manifest.js';

export function readResilienceManifest(runDir: string): ResilienceManifest | null {
  const f = join(runDir, RESILIENCE_MANIFEST);
  return existsSync(f) ? readJson<ResilienceManifest>(f) : null;
}

const TABLES: Record<string, (runDirs: string[]) => string> = {
  [FAULTS]: (runDirs) => renderFaultTable(runDirs.flatMap(readFaultRuns)),
  [COLD_START]: (runDirs) => renderColdStartTable(runDirs.flatMap(readColdStarts)),
  [SCALE]: (runDirs) =>
    runDirs
      .map((d) => {
        const file = readJson<ScaleRunFile>(join(d, 'scale.json'));
        return renderScaleTable(scalePoints(dirname(d), file)) + renderRefused(file);
      })
      .join('\n'),
};

export interface ResilienceRun {
  dir: string;
  m: ResilienceManifest;
}

/**
 * One table of one scenario's runs (one per target side by side, or a single run), rendered from all their files
 * at once, with each run's failed measurements under it (named by target when there are several). A manifest of
 * another scenario (a newer lab, a hand-edited file) is an error, not a fault table.
 */
export function runsTable(runs: ResilienceRun[]): string {
  const scenario = runs[0]!.m.scenario;
  const render = TABLES[scenario];
  if (!render)
    throw new Error(
      `${runs[0]!.dir}: scenario ${scenario} is not a resilience scenario (${Object.keys(TABLES).join(', ')})`,
    );
  const failures = runs
    .filter((r) => r.m.failures.length)
    .map(
      (r) =>
        `\n${runs.length > 1 ? `${r.m.target}: ` : ''}Failed measurements: ${r.m.failures.join('; ')}.\n`,
    );
  return `${render(runs.map((r) => r.dir))}${failures.join('')}`;
}

/** The run's table; a manifest of another scenario is an error, not a fault table. */
export function resilienceTable(runDir: string, m: ResilienceManifest): string {
  return runsTable([{ dir: runDir, m }]);
}

/** Writes results/<run-id>/summary.md: title, header, table. */
export function writeResilienceSummary(runDir: string, m: ResilienceManifest): void {
  writeFileAtomic(
    join(runDir, 'summary.md'),
    `# ${m.runId}: ${m.scenario}\n\n${resilienceHeader(m)}\n\n${resilienceTable(runDir, m)}`,
  );
}
