/**
 * The real k6 running scenario 03 (product pages) against a URL, for the tests that prove what the scenarios
 * count: its exit code and the summary file the runner would read.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureScenarioData } from '../src/benchmark/scenario-data.js';
import type { K6Summary } from '../src/k6/k6.js';
import { LabPaths } from '../src/lab/paths.js';
import { findTool } from '../src/lab/tools.js';
import { repoRoot } from '../src/lib/env-file.js';

export const root = repoRoot();
export const k6 = findTool('k6', { paths: new LabPaths(root), env: process.env, log: () => undefined });

/** Rejects, with k6's last stderr, when k6 wrote no summary. */
export function runPdp(
  baseUrl: string,
  summary: string,
  o: { vus: number; seconds: number },
): Promise<{ code: number | null; summary: K6Summary }> {
  const env = {
    ...process.env,
    K6_NO_USAGE_REPORT: 'true',
    LAB_DATA: ensureScenarioData(root, 42, 1),
    LAB_BASE_URL: baseUrl,
    LAB_VUS: String(o.vus),
    LAB_DURATION: `${o.seconds}s`,
    LAB_SUMMARY: summary,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(k6!.path, ['run', '--quiet', '--no-color', join(root, 'scenarios/03-pdp.ts')], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-4000)));
    child.once('error', reject);
    child.once('exit', (code) => {
      try {
        resolve({ code, summary: JSON.parse(readFileSync(summary, 'utf8')) as K6Summary });
      } catch (e) {
        reject(new Error(`k6 exited ${code} without a summary: ${(e as Error).message}\n${err}`));
      }
    });
  });
}
