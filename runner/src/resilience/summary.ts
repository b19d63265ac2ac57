/** A resilience run's table (10, 11 or 12, by its manifest) and its summary.md, rendered from the run's files. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readJson, writeFileAtomic } from '../lib/files.js';
import { SCENARIO as COLD_START } from '../coldstart/cold-start.js';
import { readColdStarts, renderColdStartTable } from '../coldstart/summary.js';
import { SCENARIO as FAULTS } from '../faults/fault-run.js';
import { readFaultRuns, renderFaultTable } from '../faults/summary.js';
import { renderScaleTable, SCENARIO as SCALE, type ScaleRunFile, scalePoints } from '../scale/report.js';
import { RESILIENCE_MANIFEST, type ResilienceManifest, resilienceHeader } from './manifest.js';

export function readResilienceManifest(runDir: string): ResilienceManifest | null {
  const f = join(runDir, RESILIENCE_MANIFEST);
  return existsSync(f) ? readJson<ResilienceManifest>(f) : null;
}

const TABLES: Record<string, (runDir: string) => string> = {
  [FAULTS]: (runDir) => renderFaultTable(readFaultRuns(runDir)),
  [COLD_START]: (runDir) => renderColdStartTable(readColdStarts(runDir)),
  [SCALE]: (runDir) =>
    renderScaleTable(scalePoints(dirname(runDir), readJson<ScaleRunFile>(join(runDir, 'scale.json')))),
};

/** The run's table; a manifest of another scenario (a newer lab, a hand-edited file) is an error, not a fault table. */
export function resilienceTable(runDir: string, m: ResilienceManifest): string {
  const render = TABLES[m.scenario];
  if (!render)
    throw new Error(
      `${runDir}: scenario ${m.scenario} is not a resilience scenario (${Object.keys(TABLES).join(', ')})`,
    );
  const table = render(runDir);
  const failures = m.failures.length ? `\nFailed measurements: ${m.failures.join('; ')}.\n` : '';
  return `${table}${failures}`;
}

/** Writes results/<run-id>/summary.md: title, header, table. */
export function writeResilienceSummary(runDir: string, m: ResilienceManifest): void {
  writeFileAtomic(
    join(runDir, 'summary.md'),
    `# ${m.runId}: ${m.scenario}\n\n${resilienceHeader(m)}\n\n${resilienceTable(runDir, m)}`,
  );
}
