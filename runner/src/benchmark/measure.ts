/**
 * One k6 run against a target, as a warm-up (not counted) or as a measured step: the target's cgroups are read
 * before and after, with peak memory, the machine's other work on the lab's cores and its speed.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { driftMeter } from '../calibration/speed-probe.js';
import {
  errorKindsText,
  extractMetrics,
  judgeSlo,
  k6Completed,
  type K6Run,
  type K6Summary,
} from '../k6/k6.js';
import { parseCpuset } from '../lab/budget.js';
import type { LabTarget } from '../lab/compose.js';
import type { MonitoringFile, PlannedStep, StepResources, StepResult } from '../results/types.js';
import { formatDuration, type PlannedScenario, warmupSeconds } from '../scenarios/plan.js';
import { K6_OVERHEAD_SECONDS, type Loop } from './context.js';
import { RunFailure, TargetFailure } from './errors.js';
import { coreBusySeconds, hostNoise, PeakTracker, sutDelta } from './resources.js';

type Phase = 'warmup' | 'measure';

/** Which run of which cell: the k6 environment and the monitoring tags are built from it. */
export interface Unit {
  target: LabTarget;
  scenario: PlannedScenario;
  run: number;
  dir: string;
}

function k6Env(loop: Loop, u: Unit, step: PlannedStep, duration: string): Record<string, string> {
  return {
    LAB_BASE_URL: u.target.url,
    LAB_DATA: loop.ctx.dataFile,
    LAB_ADMIN_TOKEN: loop.ctx.adminToken,
    LAB_STEP: step.label,
    LAB_VUS: String(step.vus),
    ...(step.rate !== null ? { LAB_RATE: String(step.rate) } : {}),
    LAB_DURATION: duration,
  };
}

/** --monitor: remote write to Prometheus, tagged with what this k6 run is. */
function streamed(loop: Loop, u: Unit, step: PlannedStep, phase: Phase) {
  if (!loop.ctx.monitor) return { extraArgs: [] as string[], env: {} as Record<string, string> };
  const m = loop.ctx.monitor.k6({
    target: u.target.name,
    scenario: u.scenario.entry.profile.name,
    step: step.label,
    run: u.run,
    phase,
  });
  return { extraArgs: m.args, env: m.env };
}

/** The one place k6 is started by the loop; its summary file is removed once read. */
async function invokeK6(
  loop: Loop,
  u: Unit,
  step: PlannedStep,
  phase: Phase,
  duration: string,
  file: string,
) {
  const s = streamed(loop, u, step, phase);
  const r = await loop.hooks.runK6({
    lab: loop.ctx.lab,
    k6: loop.ctx.k6.path,
    script: u.scenario.entry.file,
    env: { ...k6Env(loop, u, step, duration), ...s.env },
    extraArgs: s.extraArgs,
    summaryFile: file,
    loadgenCpuset: loop.ctx.loadgenCpuset,
    onLive: (l) => loop.progress.onLive(l),
    onStart: (stop) => loop.setStopK6(stop),
  });
  loop.setStopK6(null);
  rmSync(file, { force: true });
  return r;
}

/**
 * The warm-up before a scenario's first run on a freshly started target (not counted), at `step`'s load, or at
 * the profile's `warmupRate` (open model) when it has one.
 */
export async function warmUp(loop: Loop, u: Unit, measured: PlannedStep): Promise<void> {
  const warmupRate = u.scenario.entry.profile.warmupRate;
  const step = measured.rate !== null && warmupRate ? { ...measured, rate: warmupRate } : measured;
  const name = u.scenario.entry.name;
  const t = u.target;
  if (typeof step.latencyMs === 'number' && loop.hops) await loop.wait(loop.hops.setLatency(step.latencyMs));
  await loop.wait(loop.hooks.reset(t.url, loop.ctx.adminToken));
  const o = loop.ctx.manifest.options;
  const seconds = warmupSeconds(loop.warmup, o.quick, u.scenario, {
    seed: o.seed,
    target: t.name,
    run: u.run,
  });
  loop.progress.begin(`${name} · ${t.name} · warm-up (not counted)`, seconds);
  const w = await invokeK6(loop, u, step, 'warmup', formatDuration(seconds), join(u.dir, '.warmup.json'));
  loop.progress.end(
    seconds,
    `${name} · ${t.name} · warm-up done (${w.summary ? 'ok' : `k6 exit ${w.exitCode}`})`,
  );
  loop.check();
  if (!loop.ctx.driver.alive(t)) throw new TargetFailure(`${t.name} died during the warm-up of ${name}`);
}

/**
 * The target's cgroups, its peak memory, the lab's cores and the machine's speed, read around one k6 run: start
 * before k6, stop as soon as it ends, then turn both readings into the step's resources.
 */
function startMeter(loop: Loop, t: LabTarget) {
  const { driver, manifest, loadgenCpuset } = loop.ctx;
  const cg = driver.cgroups();
  const tracker = cg ? new PeakTracker(cg, driver.watched(t)) : null;
  // On k6's cores, idle until k6 starts: on the target's, a target still busy after its reset (a database
  // re-seeding stock) halved the probe's share of the core and raised false `drift` flags.
  const drift = driftMeter(loadgenCpuset);
  const before = driver.snapshot(t);
  const coreRoot = cg?.version === 1 ? cg.root : null;
  const coresBefore = coreBusySeconds(coreRoot);
  tracker?.start();
  const stop = () => ({
    peaks: tracker ? tracker.stop() : {},
    after: driver.snapshot(t),
    coresAfter: coreBusySeconds(coreRoot),
  });
  const resources = (
    end: ReturnType<typeof stop>,
    label: string,
    testSeconds: number,
    r: K6Run,
  ): StepResources => {
    const sut =
      before.total || Object.keys(before.services).length
        ? sutDelta(before, end.after, testSeconds, driver.budget(t), end.peaks, tracker?.method ?? 'none')
        : null;
    const host = hostNoise(
      coresBefore?.seconds ?? null,
      end.coresAfter?.seconds ?? null,
      parseCpuset(sut?.budget?.cpuset ?? manifest.targets[t.name]?.budget?.cpuset ?? '1'),
      parseCpuset(loadgenCpuset),
      r.wallSeconds,
      sut ? sut.cpuSeconds : null,
      r.loadgen.cpuSeconds,
    );
    if (coresBefore) host.method = coresBefore.method;
    return { step: label, wallSeconds: testSeconds, sut, loadgen: r.loadgen, host, drift: drift() };
  };
  return { stop, resources };
}

/** What one measured step leaves for the run's files. */
export interface StepOutcome {
  result: StepResult;
  resources: StepResources;
  summary: K6Summary;
  monitoring: MonitoringFile['steps'][number] | null;
}

/** One measured step: reset, k6 with the cgroups read around it, then its metrics, SLO and resources. */
export async function measureStep(
  loop: Loop,
  u: Unit,
  step: PlannedStep,
  label: string,
): Promise<StepOutcome> {
  const { ctx } = loop;
  const t = u.target;
  if (typeof step.latencyMs === 'number' && loop.hops) await loop.wait(loop.hops.setLatency(step.latencyMs));
  await loop.wait(loop.hooks.reset(t.url, ctx.adminToken));
  const meter = startMeter(loop, t);
  loop.progress.begin(label, step.seconds);
  const file = join(u.dir, `.k6-${String(u.run).padStart(2, '0')}-${step.label}.json`);
  const k6Start = Date.now() / 1000;
  const r = await invokeK6(loop, u, step, 'measure', step.duration, file);
  const k6End = Date.now() / 1000;
  const usage = meter.stop();
  loop.check();
  if (!ctx.driver.alive(t)) throw new TargetFailure(`${t.name} died during ${label}`);
  if (!r.summary || !k6Completed(r)) {
    throw new RunFailure(
      `k6 failed during ${label} (exit ${r.exitCode ?? r.signal}):\n  ${r.stderrTail.slice(-8).join('\n  ')}`,
    );
  }
  const metrics = extractMetrics(r.summary);
  const profile = u.scenario.entry.profile;
  const slo = profile.slo && profile.model === 'open' ? judgeSlo(metrics, profile.slo.p99Ms) : null;
  const result: StepResult = {
    step: step.label,
    vus: step.vus,
    rate: step.rate,
    duration: step.duration,
    k6ExitCode: r.exitCode,
    metrics,
    slo,
  };
  const testSeconds = metrics.testRunDurationMs / 1000 || r.wallSeconds;
  const resources = meter.resources(usage, step.label, testSeconds, r);
  const monitoring = await captureMonitoring(loop, u, step, k6Start, k6End);
  loop.progress.end(step.seconds + K6_OVERHEAD_SECONDS, stepLine(label, result, resources, r));
  return { result, resources, summary: r.summary, monitoring };
}

/** Prometheus's answers for this step; a monitoring failure is recorded, never fatal to the run. */
async function captureMonitoring(loop: Loop, u: Unit, step: PlannedStep, start: number, end: number) {
  const monitor = loop.ctx.monitor;
  if (!monitor) return null;
  try {
    const p = {
      target: u.target.name,
      scenario: u.scenario.entry.profile.name,
      step: step.label,
      run: u.run,
      phase: 'measure' as const,
    };
    return { step: step.label, ...(await monitor.capture(p, start, end)) };
  } catch (e) {
    return { step: step.label, error: (e as Error).message };
  }
}

/** The progress line of a measured step. */
function stepLine(label: string, s: StepResult, res: StepResources, r: K6Run): string {
  const m = s.metrics;
  const errs = m.failedRequests + m.checksFailed;
  const sut = res.sut;
  return (
    `${label}: ${Math.round(m.rps)} req/s · p50 ${m.latencyMs.p50.toFixed(2)} ms · p99 ${m.latencyMs.p99.toFixed(2)} ms` +
    ` · errors ${errs}` +
    (m.failedRequests > 0 && m.errorKinds ? ` (${errorKindsText(m.errorKinds)})` : '') +
    (sut?.cpuShareOfBudget != null ? ` · cpu ${(sut.cpuShareOfBudget * 100).toFixed(0)}% of budget` : '') +
    (r.loadgen.cpuShare != null ? ` · k6 cpu ${(r.loadgen.cpuShare * 100).toFixed(0)}%` : '') +
    (s.slo ? ` · ${s.slo.pass ? 'SLO met' : `SLO missed (${s.slo.reasons.join(', ')})`}` : '')
  );
}
