/**
 * Where each file of a run lives. results/<run-id>/ holds manifest.json, summary.{json,md}, report.md and one
 * directory per cell, <target>/<scenario>/, with run-NN.json, resources-NN.json and (with --monitor)
 * monitoring-NN.json per measured run, and the cell's summary.{json,md}. The record types are in ./types.ts.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const MANIFEST_FILE = 'manifest.json';

/** The files one measured run writes in its cell directory. */
export type RunFileKind = 'run' | 'resources' | 'monitoring';

export function runFileName(run: number, kind: RunFileKind): string {
  return `${kind}-${String(run).padStart(2, '0')}.json`;
}

export function cellDir(runDir: string, target: string, scenario: string): string {
  return join(runDir, target, scenario);
}

export function manifestPath(runDir: string): string {
  return join(runDir, MANIFEST_FILE);
}

/** The run numbers with a run-NN.json in a cell directory, ascending. */
export function runNumbers(dir: string): number[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((f) => /^run-(\d+)\.json$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}
