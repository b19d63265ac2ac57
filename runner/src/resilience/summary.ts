/** A resilience run's table (10, 11 or 12, by its manifest) and its summary.md, rendered from the run's files. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readJson, writeFileAtomic } from '../lib/files.js';
import { readColdStarts, renderColdStartTable } from '../coldstart/summary.js';
import { readFaultRuns, renderFaultTable } from '../faults/summary.js';
import { renderScaleTable, type ScaleRunFile, scalePoints } from '../scale/report.js';
import { RESILIENCE_MANIFEST, type ResilienceManifest, resilienceHeader } from './manifest.js';

export function readResilienceManifest(runDir: string): ResilienceManifest | null {
  const f = join(runDir, RESILIENCE_MANIFEST);
  return existsSync(f) ? readJson<ResilienceManifest>(f) : null;
}

export function resilienceTable(runDir: string, m: ResilienceManifest): string {
  const table =
    m.scenario === '12-data-scale'
      ? renderScaleTable(scalePoints(dirname(runDir), readJson<ScaleRunFile>(join(runDir, 'scale.json'))))
      : m.scenario === '11-cold-start'
        ? renderColdStartTable(readColdStarts(runDir))
        : renderFaultTable(readFaultRuns(runDir));
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
