/**
 * One cold-start measurement of scenario 11, timestamped by the runner:
 *
 * - start: the profile is stopped cleanly (`down`), then `up` is called at t0 with its data on disk;
 * - crash: every process of the profile is SIGKILLed (a power cut), then `up` at t0 finds the stale state
 *   and lock files, cleans them up and starts again from the data on disk.
 *
 * From t0 the prober (probe.ts) asks for a product page until the first correct 200, then keeps going to see
 * p99 settle (steady.ts). `up` returning (every service healthy, as the lab judges it) is recorded too.
 */
import { join } from 'node:path';
import { writeJsonAtomic } from '../lib/files.js';
import type { LabTarget } from '../lab/compose.js';
import { isAlive, type Lab } from '../lab/launcher.js';
import { signalAll } from '../lab/pid.js';
import { probe } from './probe.js';
import { type Steady, steadyState } from './steady.js';

export const SCENARIO = '11-cold-start';
export type StartMode = 'start' | 'crash';

export interface ColdStartFile {
  scenario: typeof SCENARIO;
  target: string;
  mode: StartMode;
  rep: number;
  /** Epoch ms of t0. */
  t0: number;
  /** ms from t0 to the first correct 200; to `up` returning; null when it never came. */
  firstOkMs: number | null;
  upMs: number | null;
  upError: string | null;
  attempts: number;
  /** Failed or wrong answers after the first correct 200 (absent in files written before it was counted). */
  steadyFailures?: number;
  steadyP99Ms: number | null;
  timeToSteadyMs: number | null;
  windows: Steady['windows'];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** SIGKILLs every process the lab started for the profile (each service's cgroup, else its recorded PID). */
export async function killProfile(lab: Lab, profile: string): Promise<void> {
  const pids = lab.processes(profile);
  signalAll(pids, 'SIGKILL');
  const t = Date.now();
  while (pids.some(isAlive) && Date.now() - t < 10_000) await sleep(20);
}

export interface ColdStartOptions {
  lab: Lab;
  runDir: string;
  target: LabTarget;
  mode: StartMode;
  rep: number;
  probePath: string;
  expectedBody: string;
  steadyMs: number;
  deadlineMs: number;
}

export async function coldStart(o: ColdStartOptions): Promise<ColdStartFile> {
  const { lab, target } = o;
  if (o.mode === 'crash') {
    await lab.up(target.profile);
    await killProfile(lab, target.profile);
  } else {
    await lab.down(target.profile, { quiet: true });
  }
  const t0 = performance.now();
  const epoch = Date.now();
  let upMs: number | null = null;
  let upError: string | null = null;
  const up = lab.up(target.profile).then(
    () => {
      upMs = performance.now() - t0;
    },
    (e: Error) => {
      upError = e.message;
    },
  );
  const p = await probe({
    url: `${target.url}${o.probePath}`,
    expectedBody: o.expectedBody,
    t0,
    deadlineMs: o.deadlineMs,
    steadyMs: o.steadyMs,
    failed: () => upError !== null,
  });
  await up;
  const s = steadyState(p.samples);
  const file: ColdStartFile = {
    scenario: SCENARIO,
    target: target.name,
    mode: o.mode,
    rep: o.rep,
    t0: epoch,
    firstOkMs: p.firstOkMs,
    upMs,
    upError,
    attempts: p.attempts,
    steadyFailures: p.steadyFailures,
    steadyP99Ms: s.steadyP99Ms,
    timeToSteadyMs: s.timeToSteadyMs,
    windows: s.windows,
  };
  writeJsonAtomic(
    join(o.runDir, target.name, SCENARIO, `${o.mode}-${String(o.rep).padStart(2, '0')}.json`),
    file,
  );
  return file;
}
