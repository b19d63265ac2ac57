/**
 * One measured fault run of scenario 10 on a target that is up: reset, the restart policy's supervisor on, k6
 * at the profile's constant arrival rate writing every sample (--out json), the fault injected `atSeconds` into
 * the load, then the recovery analysis (recovery.ts) and the data audit against the oracle (audit.ts), written
 * to results/<run-id>/<target>/10-fault-injection/<victim>-<fault>-NN.json.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { extractMetrics, k6Completed, runK6 } from '../k6/k6.js';
import type { LabTarget } from '../lab/compose.js';
import type { Lab } from '../lab/launcher.js';
import { type RestartEvent, Supervisor } from '../lab/supervisor.js';
import { writeJsonAtomic } from '../lib/files.js';
import { type Audit, auditStock } from './audit.js';
import { type FaultKind, findVictim, killVictim, pauseVictim } from './inject.js';
import { confirmedOrders, readK6Samples } from './k6-samples.js';
import { analyseRecovery, type Recovery } from './recovery.js';
import { resetTarget } from '../lab/reset.js';

export const SCENARIO = '10-fault-injection';

export interface FaultRunOptions {
  lab: Lab;
  root: string;
  runDir: string;
  target: LabTarget;
  victim: string;
  fault: FaultKind;
  run: number;
  k6: string;
  dataFile: string;
  loadgenCpuset: string;
  adminToken: string;
  seed: number;
  scale: number;
  rate: number;
  durationSeconds: number;
  atSeconds: number;
  pauseSeconds: number;
  sloP99Ms: number;
  log: (line: string) => void;
}

export interface FaultRunFile {
  scenario: typeof SCENARIO;
  target: string;
  victim: string;
  fault: FaultKind;
  run: number;
  rate: number;
  durationSeconds: number;
  atSeconds: number;
  pauseSeconds: number | null;
  sloP99Ms: number;
  /** Epoch ms of the signal, and of the victim back (SIGCONT, or restarted and healthy). */
  faultAtMs: number;
  backAtMs: number | null;
  victimPids: number[];
  restarts: RestartEvent[];
  recovery: Recovery;
  audit: Audit;
  k6: { exitCode: number | null; requests: number; p99Ms: number; droppedIterations: number };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function inject(
  o: FaultRunOptions,
  sup: Supervisor,
): Promise<{ at: number; back: number | null; pids: number[] }> {
  const victim = findVictim(o.lab, o.target.profile, o.victim);
  if (o.fault === 'pause') {
    const { at, resumedAt } = await pauseVictim(victim, o.pauseSeconds * 1000);
    return { at, back: resumedAt, pids: victim.pids };
  }
  const at = killVictim(victim);
  const deadline = at + (o.durationSeconds - o.atSeconds) * 1000;
  // Back once a restart after the kill is healthy: not always the first (a restart can fail and be retried).
  const healthy = () =>
    sup.events.find((e) => e.service === o.victim && e.diedAt >= at && e.healthyAt !== null)?.healthyAt ??
    null;
  while (Date.now() < deadline && healthy() === null) await sleep(20);
  return { at, back: healthy(), pids: victim.pids };
}

export function faultFileName(victim: string, fault: FaultKind, run: number): string {
  return `${victim}-${fault}-${String(run).padStart(2, '0')}.json`;
}

type LoadOptions = Omit<FaultRunOptions, 'victim' | 'fault' | 'run'>;

/** k6 running scenario 10's script against the target at the run's rate for `seconds`, on the load generator. */
function k6Load(o: LoadOptions, seconds: number) {
  return {
    lab: o.lab,
    k6: o.k6,
    script: join(o.root, 'scenarios', `${SCENARIO}.ts`),
    env: {
      LAB_BASE_URL: o.target.url,
      LAB_DATA: o.dataFile,
      LAB_RATE: String(o.rate),
      LAB_DURATION: `${seconds}s`,
      LAB_ADMIN_TOKEN: o.adminToken,
    },
    loadgenCpuset: o.loadgenCpuset,
  };
}

/** The fault scenario's load for `seconds` without a fault, not kept: a freshly started target warms up. */
export async function warmUp(o: LoadOptions, seconds: number): Promise<void> {
  await resetTarget(o.target.url, o.adminToken, 'recovering');
  const dir = join(o.runDir, o.target.name, SCENARIO);
  mkdirSync(dir, { recursive: true });
  const summaryFile = join(dir, '.warmup.k6.json');
  const run = await runK6({ ...k6Load(o, seconds), summaryFile });
  rmSync(summaryFile, { force: true });
  if (!k6Completed(run))
    throw new Error(`k6 failed to warm up (exit ${run.exitCode}): ${run.stderrTail.slice(-3).join(' | ')}`);
}

export async function faultRun(o: FaultRunOptions): Promise<FaultRunFile> {
  const dir = join(o.runDir, o.target.name, SCENARIO);
  mkdirSync(dir, { recursive: true });
  const samplesFile = join(dir, `${o.victim}-${o.fault}-${String(o.run).padStart(2, '0')}.samples.json`);
  await resetTarget(o.target.url, o.adminToken, 'recovering');
  const sup = new Supervisor(o.lab, o.target.profile, { log: o.log }).start();
  let faultDone: Promise<{ at: number; back: number | null; pids: number[] }> | null = null;
  let k6Started = 0;
  try {
    const k6 = runK6({
      ...k6Load(o, o.durationSeconds),
      summaryFile: join(dir, `${o.victim}-${o.fault}-${String(o.run).padStart(2, '0')}.k6.json`),
      extraArgs: ['--out', `json=${samplesFile}`],
      onLive: (l) => {
        if (l.requests > 0 && k6Started === 0) {
          k6Started = Date.now();
          faultDone = sleep(o.atSeconds * 1000).then(() => inject(o, sup));
        }
      },
    });
    const run = await k6;
    if (!faultDone)
      throw new Error(`k6 sent no request (exit ${run.exitCode}): ${run.stderrTail.join(' | ')}`);
    const f = await (faultDone as Promise<{ at: number; back: number | null; pids: number[] }>);
    // 99: the errors the fault caused crossed the scenario's thresholds, as they should. 105: k6 was stopped by a
    // signal — on a shared machine, another lab user's cleanup of lab/loadgen/k6.
    if (!k6Completed(run))
      throw new Error(`k6 exited ${run.exitCode}: ${run.stderrTail.slice(-3).join(' | ')}`);
    await sup.stop();
    const samples = await readK6Samples(samplesFile);
    const m = run.summary ? extractMetrics(run.summary) : null;
    const file: FaultRunFile = {
      scenario: SCENARIO,
      target: o.target.name,
      victim: o.victim,
      fault: o.fault,
      run: o.run,
      rate: o.rate,
      durationSeconds: o.durationSeconds,
      atSeconds: o.atSeconds,
      pauseSeconds: o.fault === 'pause' ? o.pauseSeconds : null,
      sloP99Ms: o.sloP99Ms,
      faultAtMs: f.at,
      backAtMs: f.back,
      victimPids: f.pids,
      restarts: sup.events,
      recovery: analyseRecovery(samples, { atMs: f.at, backMs: f.back }, o.sloP99Ms),
      audit: await auditStock({
        baseUrl: o.target.url,
        seed: o.seed,
        scale: o.scale,
        confirmed: confirmedOrders(samples),
      }),
      k6: {
        exitCode: run.exitCode,
        requests: m?.requests ?? 0,
        p99Ms: m?.latencyMs.p99 ?? 0,
        droppedIterations: m?.droppedIterations ?? 0,
      },
    };
    writeJsonAtomic(join(dir, faultFileName(o.victim, o.fault, o.run)), file);
    // The per-sample file is large and fully summarised in the run file (its series): not kept.
    rmSync(samplesFile, { force: true });
    return file;
  } finally {
    await sup.stop();
  }
}
