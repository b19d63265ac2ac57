/**
 * The cells a report is computed from. A run's page is recomputed from its raw files (run-NN.json and
 * resources-NN.json per cell); when they are missing — a clone of a run whose raw files were never committed — the
 * report stops and says so instead of rendering empty tables. `fromSummaries` uses the per-cell summary.json
 * files instead (computed from those raw files when the run ended), and the page says it was.
 */
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { readJson } from '../lib/files.js';
import { cellDirs, missingRunFiles } from '../results/read.js';
import type { Manifest } from '../results/types.js';
import { type CellSummary, summarizeRun, upgradeCellSummary } from '../stats/aggregate.js';

export class MissingRunFilesError extends Error {}

/** The published results page; `report --publish` writes it, `report` alone never does. */
export const PUBLISHED_PAGE = 'docs/benchmark-results.md';

export function runCells(
  resultsRoot: string,
  runDir: string,
  manifest: Manifest,
  fromSummaries: boolean,
): CellSummary[] {
  const cells = cellDirs(runDir, manifest);
  const where = (dir: string) => relative(resultsRoot, dir) || '.';
  if (cells.length === 0)
    throw new MissingRunFilesError(
      `results/${manifest.runId} has a manifest but no cell directory (<target>/<scenario>/): nothing to report`,
    );
  if (fromSummaries) {
    const missing = cells.filter((c) => !existsSync(join(c.dir, 'summary.json'))).map((c) => where(c.dir));
    if (missing.length)
      throw new MissingRunFilesError(`--from-summaries: no summary.json in ${missing.join(', ')}`);
    return cells.map((c) => upgradeCellSummary(readJson<CellSummary>(join(c.dir, 'summary.json'))));
  }
  const problems = cells
    .map((c) => ({ c, why: missingRunFiles(c.dir) }))
    .filter((x) => x.why !== null)
    .map((x) => `${where(x.c.dir)}: ${x.why}`);
  if (problems.length)
    throw new MissingRunFilesError(
      `the raw files of run ${manifest.runId} are missing, so its tables cannot be recomputed:\n  ` +
        `${problems.slice(0, 5).join('\n  ')}${problems.length > 5 ? `\n  … and ${problems.length - 5} more` : ''}\n` +
        'Restore them (they are committed with every published run), or pass --from-summaries to render from ' +
        "the cells' summary.json files (the page then says so).",
    );
  return summarizeRun(runDir).cells;
}
