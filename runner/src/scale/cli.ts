/**
 * `./run-benchmark.sh scale <target> [--scales 1,10,100] [--runs N] [--duration D] [--select 01-04]`:
 * scenario 12. For each scale: start the target with LAB_SCALE=N (timed: the seed), then the ordinary benchmark
 * runner on scenarios 01–04 at that scale (its own run directory); finally scale.json, summary.md and log-log
 * SVG charts in results/<run-id>/, rendered from those files.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { writeJsonAtomic } from '../lib/files.js';
import { Lab } from '../lab/launcher.js';
import { repoRoot } from '../lib/env-file.js';
import { renderSvg } from '../report/charts.js';
import {
  chartFileSlug,
  chartMetrics,
  SCENARIO,
  type ScaleRunFile,
  scalePoints,
  scaleSpec,
} from './report.js';
import { startAtScale } from './seed-time.js';
import { refusedScales } from './preflight.js';
import {
  findTarget,
  finishing,
  parseTargetCommand,
  positiveInt,
  runCommand,
  startRun,
  UsageError,
} from '../resilience/command.js';
import { readBudget } from '../resilience/manifest.js';

const USAGE = `usage: ./run-benchmark.sh scale <target> [--scales 1,10,100] [--runs N] [--duration D] [--select 01-04]
       [--run-id ID] [--results-dir DIR]
Scenario 12: scenarios 01-04 at each dataset scale (1,200 products per scale), seed time, log-log charts.
See docs/scenarios/12-data-scale.md.`;

function parse(argv: string[]) {
  const { values, target, runId, resultsDir } = parseTargetCommand(argv, USAGE, {
    scales: { type: 'string', default: '1,10,100' },
    runs: { type: 'string', default: '10' },
    duration: { type: 'string' },
    select: { type: 'string', default: '01-04' },
  });
  const scales = values.scales.split(',').map(Number);
  if (scales.some((s) => !Number.isInteger(s) || s < 1 || s > 1000))
    throw new UsageError(`--scales: integers from 1 to 1000, not ${values.scales}`);
  return {
    target,
    scales,
    runs: positiveInt('runs', values.runs),
    duration: values.duration ?? null,
    select: values.select,
    runId,
    resultsDir,
  };
}

function bench(root: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'runner/dist/src/benchmark/cli.js'), ...args], {
      stdio: 'inherit',
    });
    child.once('exit', (code) => resolve(code ?? 1));
  });
}

async function main(): Promise<void> {
  const a = parse(process.argv.slice(2));
  const root = repoRoot();
  const log = (l: string) => process.stderr.write(`${l}\n`);
  const lab = new Lab({ root, log });
  const target = findTarget(lab, a.target);
  const refused = await refusedScales(root, target, a.scales, log);
  if (refused.length === a.scales.length)
    throw new UsageError(
      `${target.name} cannot run any of the scales asked for:\n  ${refused.map((r) => r.reason).join('\n  ')}`,
    );
  // The benchmark runs it starts go beside it.
  const resultsDir = a.resultsDir ?? join(root, 'results');
  const { runDir, manifest } = startRun({
    root,
    lab,
    command: 'scale',
    scenario: SCENARIO,
    target,
    resultsDir,
    runId: a.runId,
    options: { scales: a.scales, runs: a.runs, duration: a.duration, select: a.select },
  });
  const runId = basename(runDir);
  const file: ScaleRunFile = {
    scenario: SCENARIO,
    target: target.name,
    scenarios: [a.select],
    scales: [],
    refused,
  };
  await finishing({ lab, profile: target.profile, runDir, manifest, log }, async () => {
    for (const scale of a.scales.filter((s) => !refused.some((r) => r.scale === s))) {
      log(`— ${target.name} at scale ${scale}: start (and seed)`);
      const seed = await startAtScale(root, target, scale, log);
      manifest.budget ??= await readBudget(lab, target.profile);
      log(`  up in ${seed.upSeconds.toFixed(1)} s`);
      const benchId = `${runId}-s${scale}`;
      const args = [
        target.name,
        a.select,
        '--scale',
        String(scale),
        '--runs',
        String(a.runs),
        '--run-id',
        benchId,
      ];
      if (a.resultsDir) args.push('--results-dir', resultsDir);
      if (a.duration) args.push('--duration', a.duration);
      const code = await bench(root, args);
      if (code !== 0) manifest.failures.push(`scale ${scale}: the benchmark run ${benchId} exited ${code}`);
      file.scales.push({ ...seed, runId: code === 0 ? benchId : null });
      writeJsonAtomic(join(runDir, 'scale.json'), file);
    }
  });
  const points = scalePoints(resultsDir, file);
  for (const m of chartMetrics()) {
    const name = chartFileSlug(m);
    writeFileSync(
      join(runDir, `${target.name}-${name}.svg`),
      await renderSvg(scaleSpec(`${target.name}: ${m} against data size`, points, m)),
    );
  }
}

runCommand('scale', main);
