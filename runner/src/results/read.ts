/** Typed readers of a run directory (layout in ./layout.ts, records in ./types.ts): the only ones in the runner. */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readJson, tryReadJson } from '../lib/files.js';
import { cellDir, MANIFEST_FILE, manifestPath, runFileName, runNumbers } from './layout.js';
import type { Manifest, MonitoringFile, ResourcesFile, RunFile } from './types.js';

export function readManifest(runDir: string): Manifest {
  return readJson<Manifest>(manifestPath(runDir));
}

export function readRunFile(dir: string, run: number): RunFile {
  return readJson<RunFile>(join(dir, runFileName(run, 'run')));
}

/** null when the run has no resources file (or it cannot be read). */
export function readResourcesFile(dir: string, run: number): ResourcesFile | null {
  return tryReadJson<ResourcesFile>(join(dir, runFileName(run, 'resources')));
}

/** Every run's manifest under results/, oldest first. */
export function listRuns(resultsRoot: string): Manifest[] {
  if (!existsSync(resultsRoot)) return [];
  return readdirSync(resultsRoot)
    .filter((d) => existsSync(join(resultsRoot, d, MANIFEST_FILE)))
    .map((d) => readManifest(join(resultsRoot, d)))
    .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
}

/** The run a report shows when none is named: the last complete full run, else the last complete, else the last. */
export function defaultRun(resultsRoot: string): string {
  const runs = listRuns(resultsRoot);
  const pick =
    [...runs].reverse().find((m) => m.status === 'complete' && !m.options.quick) ??
    [...runs].reverse().find((m) => m.status === 'complete') ??
    runs[runs.length - 1];
  if (!pick)
    throw new Error(`no results in ${resultsRoot}: run ./run-benchmark.sh <target> <selector> first`);
  return pick.runId;
}

/** The cell directories that exist, in the manifest's order (scenario, then target). */
export function cellDirs(runDir: string, manifest: Manifest): { target: string; scenario: string; dir: string }[] {
  const out = [];
  for (const scenario of manifest.options.scenarios)
    for (const target of manifest.options.targets) {
      const dir = cellDir(runDir, target, scenario);
      if (existsSync(dir)) out.push({ target, scenario, dir });
    }
  return out;
}

/** What is missing from one cell directory: its run files, or a run file's resources file (null: nothing). */
export function missingRunFiles(dir: string): string | null {
  const files = existsSync(dir) ? readdirSync(dir) : [];
  const runs = runNumbers(dir);
  if (runs.length === 0) return 'no run-NN.json';
  const orphans = runs.map((n) => runFileName(n, 'resources')).filter((f) => !files.includes(f));
  return orphans.length ? `no ${orphans.join(', ')}` : null;
}

/** The monitoring files of a run (every cell, every run), each with its run file when there is one. */
export function readMonitoringFiles(runDir: string): { file: MonitoringFile; run: RunFile | null }[] {
  const out: { file: MonitoringFile; run: RunFile | null }[] = [];
  for (const t of existsSync(runDir) ? readdirSync(runDir, { withFileTypes: true }) : []) {
    if (!t.isDirectory()) continue;
    for (const s of readdirSync(join(runDir, t.name), { withFileTypes: true })) {
      if (!s.isDirectory()) continue;
      const dir = join(runDir, t.name, s.name);
      for (const name of readdirSync(dir).sort()) {
        const m = /^monitoring-(\d+)\.json$/.exec(name);
        if (!m) continue;
        const n = Number(m[1]);
        const run = existsSync(join(dir, runFileName(n, 'run'))) ? readRunFile(dir, n) : null;
        out.push({ file: readJson<MonitoringFile>(join(dir, name)), run });
      }
    }
  }
  return out;
}
