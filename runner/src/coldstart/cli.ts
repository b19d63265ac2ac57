/**
 * `./run-benchmark.sh cold-start <target> [--reps 10] [--mode start,crash] [--steady 10]`: scenario 11.
 * Writes results/<run-id>/<target>/11-cold-start/<mode>-NN.json, resilience.json and summary.md.
 */
import { generateDataset, Oracle } from '@lab/contract';
import { Lab } from '../lab/launcher.js';
import { labEnv, repoRoot } from '../lib/env-file.js';
import { resetTarget } from '../lab/reset.js';
import {
  findTarget,
  finishing,
  listOption,
  parseTargetCommand,
  positiveInt,
  runCommand,
  startRun,
  UsageError,
} from '../resilience/command.js';
import { readBudget } from '../resilience/manifest.js';
import { coldStart, SCENARIO, type StartMode } from './cold-start.js';

const USAGE = `usage: ./run-benchmark.sh cold-start <target> [--reps N] [--mode start,crash] [--steady SECONDS]
       [--run-id ID] [--results-dir DIR]
Scenario 11: time from \`up\` to the first correct 200 and to a steady p99, after a clean stop and after a
SIGKILL of every process (data on disk). See docs/scenarios/11-cold-start.md.`;

function parse(argv: string[]) {
  const { values, target, runId, resultsDir } = parseTargetCommand(argv, USAGE, {
    reps: { type: 'string', default: '10' },
    mode: { type: 'string', default: 'start,crash' },
    steady: { type: 'string', default: '10' },
  });
  const modes = listOption<StartMode>('mode', values.mode, ['start', 'crash']);
  const reps = positiveInt('reps', values.reps);
  const steady = Number(values.steady);
  if (!(steady > 0)) throw new UsageError(`--steady must be a positive number of seconds`);
  return {
    target,
    modes,
    reps,
    steady,
    runId,
    resultsDir,
  };
}

async function main(): Promise<void> {
  const a = parse(process.argv.slice(2));
  const root = repoRoot();
  const env = { ...labEnv(root), ...process.env } as Record<string, string>;
  const log = (l: string) => process.stderr.write(`${l}\n`);
  const lab = new Lab({ root, log: () => undefined });
  const target = findTarget(lab, a.target);
  const seed = Number(env['LAB_SEED'] ?? 42);
  const scale = Number(env['LAB_SCALE'] ?? 1);
  const oracle = new Oracle(generateDataset({ seed, scale }), { adminToken: 'cold-start' });
  // The most popular product: the page a returning user asks for first.
  const id = oracle.catalog.popular[0]!;
  const expectedBody = JSON.stringify(oracle.product(String(id)).body);
  const { runDir, manifest } = startRun({
    root,
    lab,
    command: 'cold-start',
    scenario: SCENARIO,
    target,
    resultsDir: a.resultsDir,
    runId: a.runId,
    options: {
      modes: a.modes,
      reps: a.reps,
      steadySeconds: a.steady,
      probe: `/api/products/${id}`,
      seed,
      scale,
    },
  });
  await finishing({ lab, profile: target.profile, runDir, manifest, log }, async () => {
    // A first start seeds an empty data dir: not a cold start with data on disk, so it is not measured.
    await lab.up(target.profile);
    manifest.budget = await readBudget(lab, target.profile);
    // The probe expects the seeded page (its stock included): undo what earlier runs sold.
    await resetTarget(target.url, env['LAB_ADMIN_TOKEN'] ?? '', 'recovering');
    for (let rep = 1; rep <= a.reps; rep++)
      for (const mode of a.modes) {
        const f = await coldStart({
          lab,
          runDir,
          target,
          mode,
          rep,
          probePath: `/api/products/${id}`,
          expectedBody,
          steadyMs: a.steady * 1000,
          deadlineMs: 600_000,
        });
        log(
          `${target.name} ${mode} ${rep}/${a.reps}: first 200 ${f.firstOkMs?.toFixed(0)} ms · up ${f.upMs?.toFixed(0)} ms · steady p99 ${f.steadyP99Ms?.toFixed(2)} ms after ${f.timeToSteadyMs} ms${f.upError ? ` · up failed: ${f.upError}` : ''}`,
        );
      }
  });
}

runCommand('cold-start', main);
