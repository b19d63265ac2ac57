/**
 * `./run-benchmark.sh faults <target> [options]`: scenario 10, fault injection. Brings the target up natively,
 * then for every victim × fault × run: a fault run (fault-run.ts); writes results/<run-id>/ and its summary.md.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureScenarioData } from '../benchmark/scenario-data.js';
import { parseDuration, resolveProfile } from '../lab/compose.js';
import { Lab } from '../lab/launcher.js';
import { ensureTool } from '../lab/tools.js';
import { labEnv, repoRoot } from '../lib/env-file.js';
import { describePolicy } from '../lab/restart-policy.js';
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
import { readBudget, type ResilienceManifest } from '../resilience/manifest.js';
import { type FaultRunFile, faultRun, SCENARIO, warmUp } from './fault-run.js';

const WARMUP_SECONDS = 10;
import type { FaultKind } from './inject.js';

const USAGE = `usage: ./run-benchmark.sh faults <target> [--victim a,b] [--fault kill,pause] [--runs N]
       [--rate R] [--duration 40s] [--at 10] [--pause 5] [--run-id ID] [--results-dir DIR]
Scenario 10: during a steady arrival rate, SIGKILL (then restart per compose restart:) or SIGSTOP/SIGCONT one
service of the target. Default victims: every service of its profile. See docs/scenarios/10-fault-injection.md.`;

function parse(argv: string[]) {
  const { values, target, runId, resultsDir } = parseTargetCommand(argv, USAGE, {
    victim: { type: 'string' },
    fault: { type: 'string', default: 'kill,pause' },
    runs: { type: 'string', default: '3' },
    rate: { type: 'string' },
    duration: { type: 'string' },
    at: { type: 'string', default: '10' },
    pause: { type: 'string', default: '5' },
  });
  const faults = listOption<FaultKind>('fault', values.fault, ['kill', 'pause']);
  return {
    target,
    victims: values.victim?.split(',') ?? null,
    faults,
    runs: positiveInt('runs', values.runs),
    rate: values.rate === undefined ? null : positiveInt('rate', values.rate),
    duration: values.duration ?? null,
    at: positiveInt('at', values.at),
    pause: positiveInt('pause', values.pause),
    runId,
    resultsDir,
  };
}

type Args = ReturnType<typeof parse>;

interface FaultProfile {
  rate: number;
  duration: string;
  slo: { p99Ms: number };
}

/** The target and its victims (default: every long-running service of its profile). */
function victimsOf(lab: Lab, a: Args) {
  const target = findTarget(lab, a.target);
  const services = resolveProfile(lab.compose, target.profile).filter((s) => !s.native?.oneshot);
  const victims = a.victims ?? services.map((s) => s.name);
  for (const v of victims)
    if (!services.some((s) => s.name === v))
      throw new UsageError(
        `${v} is not a service of ${target.profile} (${services.map((s) => s.name).join(', ')})`,
      );
  return { target, services, victims };
}

/** Everything one fault run needs besides the victim, the fault and the run number. */
type Common = Omit<Parameters<typeof faultRun>[0], 'victim' | 'fault' | 'run'>;

/** One fault run; a failed one (e.g. the target did not come back) is recorded and the others still run. */
async function oneRun(
  c: Common,
  manifest: ResilienceManifest,
  victim: string,
  fault: FaultKind,
  run: number,
): Promise<void> {
  const { lab, target, log } = c;
  let r: FaultRunFile;
  try {
    r = await faultRun({ ...c, victim, fault, run });
  } catch (e) {
    manifest.failures.push(`${victim} ${fault} run ${run}: ${(e as Error).message}`);
    log(`  FAILED: ${(e as Error).message}`);
    await lab.up(target.profile);
    return;
  }
  log(
    `  error rate ${(r.recovery.during.errorRate * 100).toFixed(1)}% · first success ${r.recovery.timeToFirstSuccessMs} ms · p99≤SLO ${r.recovery.timeToSloMs} ms · lost ${r.recovery.requestsLost} · oversold ${r.audit.oversoldUnits} · lost units ${r.audit.lostUnits}`,
  );
  // A victim the policy did not restart (or that failed to come back) is started again for the next run.
  await lab.up(target.profile);
  await new Promise((r2) => setTimeout(r2, 3000));
}

async function main(): Promise<void> {
  const a = parse(process.argv.slice(2));
  const root = repoRoot();
  const env = { ...labEnv(root), ...process.env } as Record<string, string>;
  const log = (l: string) => process.stderr.write(`${l}\n`);
  const lab = new Lab({ root, log });
  const { target, services, victims } = victimsOf(lab, a);
  const profile = JSON.parse(
    readFileSync(join(root, 'scenarios/profiles', `${SCENARIO}.json`), 'utf8'),
  ) as FaultProfile;
  const durationSeconds = parseDuration(a.duration ?? profile.duration, 40);
  if (a.at >= durationSeconds)
    throw new UsageError(`--at ${a.at} must fall inside the run (${durationSeconds} s)`);
  const seed = Number(env['LAB_SEED'] ?? 42);
  const scale = Number(env['LAB_SCALE'] ?? 1);
  const k6 = await ensureTool('k6', { paths: lab.paths, env: process.env, log });
  const dataFile = ensureScenarioData(root, seed, scale);
  const rate = a.rate ?? profile.rate;
  const { runDir, manifest } = startRun({
    root,
    lab,
    command: 'faults',
    scenario: SCENARIO,
    target,
    resultsDir: a.resultsDir,
    runId: a.runId,
    options: {
      victims,
      faults: a.faults,
      runs: a.runs,
      rate,
      durationSeconds,
      atSeconds: a.at,
      pauseSeconds: a.pause,
      sloP99Ms: profile.slo.p99Ms,
      seed,
      scale,
      restartPolicies: Object.fromEntries(services.map((s) => [s.name, describePolicy(s.restart)])),
    },
  });
  const common: Common = {
    lab,
    root,
    runDir,
    target,
    k6: k6.path,
    dataFile,
    loadgenCpuset: env['LAB_LOADGEN_CPUSET'] ?? '0',
    adminToken: env['LAB_ADMIN_TOKEN'] ?? '',
    seed,
    scale,
    rate,
    durationSeconds,
    atSeconds: a.at,
    pauseSeconds: a.pause,
    sloP99Ms: profile.slo.p99Ms,
    log,
  };
  const failedReason = (n: number) => `${n} fault run(s) failed`;
  await finishing({ lab, profile: target.profile, runDir, manifest, log, failedReason }, async () => {
    await lab.up(target.profile);
    manifest.budget = await readBudget(lab, target.profile);
    // The first run would otherwise meet a process that has just started (JIT, pools, caches): micro failed 28 of
    // its first 382 requests before any fault in its first run without this.
    log(`— ${target.name}: warm-up, ${WARMUP_SECONDS} s of the same load without a fault (not kept)`);
    await warmUp(common, WARMUP_SECONDS);
    for (let run = 1; run <= a.runs; run++)
      for (const victim of victims)
        for (const fault of a.faults) {
          log(`— ${target.name}: ${fault} ${victim}, run ${run}/${a.runs}`);
          await oneRun(common, manifest, victim, fault, run);
        }
  });
}

runCommand('faults', main);
