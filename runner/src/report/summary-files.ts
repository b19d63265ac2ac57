/** summary.json and summary.md per cell and per run directory: the small files that are committed. */
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../lib/files.js';
import type { Manifest } from '../results/types.js';
import type { RunSummary } from '../stats/aggregate.js';
import { capacityTable, comparisonTable, flagLegend, header, scenarioTable, TABLE_NOTE } from './markdown.js';

export function writeCellSummaries(runDir: string, summary: RunSummary): void {
  for (const c of summary.cells) {
    const dir = join(runDir, c.target, c.scenario);
    writeJsonAtomic(join(dir, 'summary.json'), c);
    let md = `# ${c.scenario} · ${c.target}\n\n${c.title}\n\n${scenarioTable([c])}\n`;
    if (c.capacity) md += `\n${capacityTable([c])}\n`;
    writeFileAtomic(join(dir, 'summary.md'), md);
  }
}

/** Writes results/<run-id>/summary.{json,md}; returns the markdown (the runner prints it). */
export function writeRunSummary(runDir: string, manifest: Manifest, summary: RunSummary): string {
  writeJsonAtomic(join(runDir, 'summary.json'), summary);
  const parts = [`# Run ${manifest.runId}`, '', header([manifest]), ''];
  for (const scenario of manifest.options.scenarios) {
    const cells = summary.cells.filter((c) => c.scenario === scenario);
    if (cells.length === 0) continue;
    parts.push(`## ${scenario} — ${cells[0]!.title}`, '', scenarioTable(cells), '');
    if (cells.some((c) => c.capacity)) parts.push(capacityTable(cells), '');
    const comps = summary.comparisons.filter((c) => c.scenario === scenario);
    if (comps.length) parts.push(comparisonTable(comps), '');
  }
  parts.push(TABLE_NOTE, '', flagLegend(summary.cells), '');
  const md = parts.join('\n');
  writeFileAtomic(join(runDir, 'summary.md'), md);
  return md;
}
