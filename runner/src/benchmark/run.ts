/**
 * The benchmark loop. For run i = 1..N, for each target (A B C A B C …, so drift hits all alike): bring the
 * target up (alone: the previous one is stopped first when several are measured), verify it against the oracle
 * on its first start (a smoke check on later starts), then for each scenario: reset, warm up once per start
 * (not counted), measure every step with k6 pinned to the load generator's cores, read the target's cgroups
 * before and after, write run-NN.json and resources-NN.json atomically, cool down.
 *
 * Ctrl-C (or SIGTERM), a target that dies, a k6 that fails: everything written so far stays, the manifest says
 * "incomplete" and why, the stack is brought down, and `--resume <run-id>` carries on where it stopped.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseCpuset } from '../lab/budget.js';
import type { LabTarget } from '../lab/compose.js';
import type { Lab } from '../lab/launcher.js';
import type { ToolInfo } from '../lab/tools.js';
import {
  type MonitoringFile,
  monitoringFileName,
  type RunMonitor,
  renderMonitoringSummary,
} from '../monitoring/monitor.js';
import { driftMeter } from '../calibration/speed-probe.js';
import { writeCellSummaries, writeRunSummary } from '../report/summary-files.js';
import { runFileName, summarizeRun } from '../stats/aggregate.js';
import { type VerifyReport, verifyTarget } from '../verify/verify.js';
import { readJson, writeFileAtomic, writeJsonAtomic } from './files.js';
import { HopInjection } from '../latency/routing.js';
import { extractMetrics, judgeSlo, runK6 } from './k6.js';
import { durationSeconds, formatDuration, type PlannedScenario, type PlannedStep } from './plan.js';
import { clock, Progress } from './progress.js';
import { coreBusySeconds, hostNoise, PeakTracker, type StepResources, sutDelta } from './resources.js';
import type { TargetDriver } from './targets.js';
import type { Manifest, ResourcesFile, RunFile, Session, StepResult } from './types.js';
import { SCHEMA_VERSION } from './types.js';

export class Interrupted extends Error {}
/** Stops the whole run (k6 itself failed). */
export class RunFailure extends Error {}
/** Stops one target (it failed to start, failed verify, died): the others are still measured. */
export class TargetFailure extends RunFailure {}

export interface RunnerContext {
  root: string;
  runDir: string;
  manifest: Manifest;
  targets: LabTarget[];
  scenarios: PlannedScenario[];
  lab: Lab;
  driver: TargetDriver;
  k6: ToolInfo;
  adminToken: string;
  dataFile: string;
  loadgenCpuset: string;
  log: (line: string) => void;
  /** Where progress goes (default: stderr, a live line on a TTY). */
  progressOut?: (text: string) => void;
  /** Seams for tests (a fake k6, verify and HTTP); the defaults are the real ones. */
  hooks?: Partial<Hooks>;
  /** --monitor: k6 streams to Prometheus, and each measured step's dashboard answers are stored beside it. */
  monitor?: RunMonitor;
}

export interface Hooks {
  runK6: typeof runK6;
  verify: typeof verifyTarget;
  reset: (baseUrl: string, token: string) => Promise<void>;
  smoke: (baseUrl: string, dataFile: string) => Promise<void>;
  /** Wait between runs (a fake can skip it). */
  sleep: (ms: number) => Promise<void>;
}

const K6_OVERHEAD_SECONDS = 3;
const STARTUP_SECONDS = 15;

/**
 * Reset the target's state. A target that was just overloaded may still be draining its backlog and answer a
 * 5xx (e.g. a gateway's 503/504): retry for up to two minutes before calling it failed. A 401 is final.
 */
async function reset(baseUrl: string, token: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (let attempt = 1; ; attempt++) {
    let status: number;
    try {
      const r = await fetch(`${baseUrl}/api/admin/reset`, {
        method: 'POST',
        headers: { 'x-lab-token': token },
        signal: AbortSignal.timeout(Math.max(1000, deadline - Date.now())),
      });
      await r.arrayBuffer().catch(() => undefined);
      status = r.status;
    } catch (e) {
      throw new TargetFailure(`POST ${baseUrl}/api/admin/reset failed: ${(e as Error).message}`);
    }
    if (status === 204) return;
    if (status < 500 || Date.now() + 2000 > deadline) {
      throw new TargetFailure(`POST ${baseUrl}/api/admin/reset answered ${status} (attempt ${attempt})`);
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
}

/** After the first start, a cheap check that the target still serves the dataset: the home page's exact size. */
async function smoke(baseUrl: string, dataFile: string): Promise<void> {
  const data = readJson<{ home: { length: number; prefix: string } }>(dataFile);
  const r = await fetch(`${baseUrl}/api/home`, { signal: AbortSignal.timeout(10_000) });
  const body = await r.text();
  if (r.status !== 200 || body.length !== data.home.length || !body.startsWith(data.home.prefix))
    throw new TargetFailure(
      `${baseUrl}/api/home differs from the oracle after a restart (status ${r.status})`,
    );
}

/**
 * Resolves like `work`, or rejects with Interrupted as soon as `signal` aborts: start-up, verify, resets and
 * cool-downs take minutes and take no signal of their own, so Ctrl-C must not wait for them. The work goes on in
 * the background until the loop's cleanup stops the target it is talking to.
 */
function interruptible<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Interrupted(String(signal.reason)));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Interrupted(String(signal.reason)));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

function unitPlannedSeconds(s: PlannedScenario, cooldown: number): number {
  return s.steps.reduce((a, st) => a + st.seconds + K6_OVERHEAD_SECONDS, 0) + cooldown;
}

export async function execute(ctx: RunnerContext): Promise<number> {
  const { manifest, runDir, driver, targets, scenarios, log } = ctx;
  const hooks: Hooks = {
    runK6,
    verify: verifyTarget,
    reset,
    smoke,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    ...ctx.hooks,
  };
  const o = manifest.options;
  const warmup = durationSeconds(o.warmup);
  const cooldown = durationSeconds(o.cooldown);
  const session: Session = {
    startedAt: new Date().toISOString(),
    endedAt: null,
    status: 'running',
    reason: null,
  };
  manifest.sessions.push(session);
  manifest.status = 'running';
  manifest.reason = null;
  const saveManifest = () => {
    manifest.updatedAt = new Date().toISOString();
    writeJsonAtomic(join(runDir, 'manifest.json'), manifest);
  };
  saveManifest();

  const cellDir = (t: string, s: string) => join(runDir, t, s);
  const done = (t: string, s: string, i: number) => existsSync(join(cellDir(t, s), runFileName(i, 'run')));

  // Plan, for the ETA: every unit not yet done, a start per target and run when several targets alternate.
  let planned = 0;
  for (let i = 1; i <= o.runs; i++)
    for (const t of targets)
      for (const s of scenarios)
        if (!done(t.name, s.entry.name, i)) planned += unitPlannedSeconds(s, cooldown) + warmup;
  planned += targets.length > 1 ? o.runs * targets.length * STARTUP_SECONDS : STARTUP_SECONDS;
  const progress = ctx.progressOut ? new Progress(planned, ctx.progressOut, false) : new Progress(planned);

  let interrupted: NodeJS.Signals | null = null;
  let stopK6: ((s: NodeJS.Signals) => void) | null = null;
  const abort = new AbortController();
  const wait = <T>(work: Promise<T>) => interruptible(work, abort.signal);
  const onSignal = (sig: NodeJS.Signals) => {
    if (interrupted) {
      progress.line(`${sig} again: stopping k6 now`);
      stopK6?.('SIGKILL');
      return;
    }
    interrupted = sig;
    progress.line(
      `${sig}: stopping after cleanup — results so far are kept (resume with --resume ${manifest.runId})`,
    );
    stopK6?.('SIGINT');
    abort.abort(`interrupted by ${sig}`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const check = () => {
    if (interrupted) throw new Interrupted(`interrupted by ${interrupted}`);
  };

  const up = new Set<string>();
  // 09: which targets are up with their internal hops through the latency injector.
  const upInjected = new Map<string, boolean>();
  const hops = scenarios.some((s) => s.injected)
    ? new HopInjection(ctx.lab, { paths: ctx.lab.paths, env: process.env, log })
    : null;
  const hopEnv = async (t: LabTarget, injected: boolean) => {
    upInjected.set(t.name, injected);
    return injected && hops ? await hops.envFor(t.profile) : {};
  };
  const verified = new Set<string>();
  const warmedByTarget = new Map<string, Set<string>>();
  let exitCode = 0;
  const failedTargets = new Map<string, string>();
  try {
    for (let i = 1; i <= o.runs; i++) {
      for (const t of targets) {
        if (failedTargets.has(t.name)) continue;
        // Scenarios with injected hop latency last: the target restarts once, with its hops through proxies.
        const todo = scenarios
          .filter((s) => !done(t.name, s.entry.name, i))
          .sort((a, b) => Number(a.injected ?? false) - Number(b.injected ?? false));
        if (todo.length === 0) continue;
        check();
        try {
          // Only one target runs during a measurement.
          for (const other of targets) {
            if (other.name !== t.name && up.has(other.name)) {
              await wait(driver.down(other));
              up.delete(other.name);
            }
          }
          // Warm-ups are per start of a target: a fresh process needs one per scenario, a running one does not.
          if (!warmedByTarget.has(t.name) || !up.has(t.name)) warmedByTarget.set(t.name, new Set());
          const warmed = warmedByTarget.get(t.name)!;
          if (!up.has(t.name)) {
            progress.line(`${t.name}: starting (${driver.mode})`);
            // Counted as up from here: if Ctrl-C interrupts the start, the cleanup stops what did start.
            up.add(t.name);
            try {
              await wait(driver.up(t, await hopEnv(t, todo[0]!.injected ?? false)));
            } catch (e) {
              if (e instanceof Interrupted) throw e;
              up.delete(t.name);
              throw new TargetFailure(`${t.name} did not start: ${(e as Error).message}`);
            }
            check();
            const info = manifest.targets[t.name]!;
            info.budget = driver.budget(t);
            if (!verified.has(t.name)) {
              progress.line(`${t.name}: verifying against the oracle before timing anything…`);
              const report: VerifyReport = await wait(
                hooks.verify({
                  baseUrl: t.url,
                  adminToken: ctx.adminToken,
                  seed: o.seed,
                  scale: o.scale,
                }),
              );
              info.verify = {
                ok: report.ok,
                total: report.total,
                failed: report.failed,
                at: report.startedAt,
                durationMs: report.durationMs,
              };
              writeJsonAtomic(join(runDir, t.name, 'verify.json'), {
                ...info.verify,
                failures: report.checks.filter((c) => !c.pass),
              });
              saveManifest();
              if (!report.ok) {
                const first = report.checks.find((c) => !c.pass);
                throw new TargetFailure(
                  `${t.name} fails the verify suite (${report.failed} of ${report.total} checks): not timing it. ` +
                    `First: ${first ? `${first.request}: ${first.detail}` : 'no check ran (unreachable?)'} ` +
                    `— details in ${join(runDir, t.name, 'verify.json')}`,
                );
              }
              progress.line(
                `${t.name}: verify passed (${report.total} checks, ${(report.durationMs / 1000).toFixed(1)} s)`,
              );
              verified.add(t.name);
            } else await wait(hooks.smoke(t.url, ctx.dataFile));
          }
          for (const s of todo) {
            check();
            if ((upInjected.get(t.name) ?? false) !== (s.injected ?? false)) {
              progress.line(
                `${t.name}: restarting with internal hops ${s.injected ? 'through' : 'without'} the latency injector`,
              );
              await driver.down(t);
              try {
                await driver.up(t, await hopEnv(t, s.injected ?? false));
              } catch (e) {
                throw new TargetFailure(`${t.name} did not start: ${(e as Error).message}`);
              }
              warmed.clear();
              await hooks.smoke(t.url, ctx.dataFile);
            }
            const name = s.entry.name;
            const dir = cellDir(t.name, name);
            mkdirSync(dir, { recursive: true });
            const env = (step: PlannedStep, duration: string): Record<string, string> => ({
              LAB_BASE_URL: t.url,
              LAB_DATA: ctx.dataFile,
              LAB_ADMIN_TOKEN: ctx.adminToken,
              LAB_STEP: step.label,
              LAB_VUS: String(step.vus),
              ...(step.rate !== null ? { LAB_RATE: String(step.rate) } : {}),
              LAB_DURATION: duration,
            });
            // --monitor: remote write to Prometheus, tagged with what this k6 run is.
            const streamed = (step: PlannedStep, phase: 'warmup' | 'measure') => {
              if (!ctx.monitor) return { extraArgs: [] as string[], env: {} as Record<string, string> };
              const m = ctx.monitor.k6({
                target: t.name,
                scenario: s.entry.profile.name,
                step: step.label,
                run: i,
                phase,
              });
              return { extraArgs: m.args, env: m.env };
            };
            if (warmup > 0 && !warmed.has(name)) {
              const step = s.steps[0]!;
              if (typeof step.latencyMs === 'number' && hops) await wait(hops.setLatency(step.latencyMs));
              await wait(hooks.reset(t.url, ctx.adminToken));
              progress.begin(`${name} · ${t.name} · warm-up (not counted)`, warmup);
              const file = join(dir, '.warmup.json');
              const ws = streamed(step, 'warmup');
              const w = await hooks.runK6({
                lab: ctx.lab,
                k6: ctx.k6.path,
                script: s.entry.file,
                env: { ...env(step, formatDuration(warmup)), ...ws.env },
                extraArgs: ws.extraArgs,
                summaryFile: file,
                loadgenCpuset: ctx.loadgenCpuset,
                onLive: (l) => progress.onLive(l),
                onStart: (stop) => {
                  stopK6 = stop;
                },
              });
              stopK6 = null;
              rmSync(file, { force: true });
              progress.end(
                warmup,
                `${name} · ${t.name} · warm-up done (${w.summary ? 'ok' : `k6 exit ${w.exitCode}`})`,
              );
              check();
              if (!driver.alive(t)) throw new TargetFailure(`${t.name} died during the warm-up of ${name}`);
            }
            warmed.add(name);

            const startedAt = new Date().toISOString();
            const steps: StepResult[] = [];
            const resources: StepResources[] = [];
            const monitoring: MonitoringFile['steps'] = [];
            const k6: Record<string, unknown> = {};
            for (const step of s.steps) {
              check();
              if (typeof step.latencyMs === 'number' && hops) await wait(hops.setLatency(step.latencyMs));
              await wait(hooks.reset(t.url, ctx.adminToken));
              const cg = driver.cgroups();
              const tracker = cg ? new PeakTracker(cg, driver.watched(t)) : null;
              const drift = driftMeter(manifest.targets[t.name]?.budget?.cpuset ?? '1');
              const before = driver.snapshot(t);
              const coreRoot = cg?.version === 1 ? cg.root : null;
              const coresBefore = coreBusySeconds(coreRoot);
              tracker?.start();
              const label = `${name} · ${t.name} · run ${i}/${o.runs}${s.steps.length > 1 ? ` · ${step.label}` : ''}`;
              progress.begin(label, step.seconds);
              const summaryFile = join(dir, `.k6-${String(i).padStart(2, '0')}-${step.label}.json`);
              const ms = streamed(step, 'measure');
              const k6Start = Date.now() / 1000;
              const r = await hooks.runK6({
                lab: ctx.lab,
                k6: ctx.k6.path,
                script: s.entry.file,
                env: { ...env(step, step.duration), ...ms.env },
                extraArgs: ms.extraArgs,
                summaryFile,
                loadgenCpuset: ctx.loadgenCpuset,
                onLive: (l) => progress.onLive(l),
                onStart: (stop) => {
                  stopK6 = stop;
                },
              });
              stopK6 = null;
              const k6End = Date.now() / 1000;
              const peaks = tracker ? tracker.stop() : {};
              const after = driver.snapshot(t);
              const coresAfter = coreBusySeconds(coreRoot);
              rmSync(summaryFile, { force: true });
              check();
              if (!driver.alive(t)) throw new TargetFailure(`${t.name} died during ${label}`);
              if (!r.summary || (r.exitCode !== 0 && r.exitCode !== 99)) {
                throw new RunFailure(
                  `k6 failed during ${label} (exit ${r.exitCode ?? r.signal}):\n  ${r.stderrTail.slice(-8).join('\n  ')}`,
                );
              }
              const metrics = extractMetrics(r.summary);
              const testSeconds = metrics.testRunDurationMs / 1000 || r.wallSeconds;
              const slo =
                s.entry.profile.slo && s.entry.profile.model === 'open'
                  ? judgeSlo(metrics, s.entry.profile.slo.p99Ms)
                  : null;
              steps.push({
                step: step.label,
                vus: step.vus,
                rate: step.rate,
                duration: step.duration,
                k6ExitCode: r.exitCode,
                metrics,
                slo,
              });
              const sut =
                before.total || Object.keys(before.services).length
                  ? sutDelta(before, after, testSeconds, driver.budget(t), peaks, tracker?.method ?? 'none')
                  : null;
              const host = hostNoise(
                coresBefore?.seconds ?? null,
                coresAfter?.seconds ?? null,
                parseCpuset(sut?.budget?.cpuset ?? manifest.targets[t.name]?.budget?.cpuset ?? '1'),
                parseCpuset(ctx.loadgenCpuset),
                r.wallSeconds,
                sut ? sut.cpuSeconds : null,
                r.loadgen.cpuSeconds,
              );
              if (coresBefore) host.method = coresBefore.method;
              resources.push({
                step: step.label,
                wallSeconds: testSeconds,
                sut,
                loadgen: r.loadgen,
                host,
                drift: drift(),
              });
              k6[step.label] = r.summary;
              if (ctx.monitor) {
                // Prometheus's answers for this step; a monitoring failure is recorded, never fatal to the run.
                try {
                  const p = {
                    target: t.name,
                    scenario: s.entry.profile.name,
                    step: step.label,
                    run: i,
                    phase: 'measure' as const,
                  };
                  monitoring.push({ step: step.label, ...(await ctx.monitor.capture(p, k6Start, k6End)) });
                } catch (e) {
                  monitoring.push({ step: step.label, error: (e as Error).message });
                }
              }
              const errs = metrics.failedRequests + metrics.checksFailed;
              progress.end(
                step.seconds + K6_OVERHEAD_SECONDS,
                `${label}: ${Math.round(metrics.rps)} req/s · p50 ${metrics.latencyMs.p50.toFixed(2)} ms · p99 ${metrics.latencyMs.p99.toFixed(2)} ms` +
                  ` · errors ${errs}` +
                  (sut?.cpuShareOfBudget != null
                    ? ` · cpu ${(sut.cpuShareOfBudget * 100).toFixed(0)}% of budget`
                    : '') +
                  (r.loadgen.cpuShare != null ? ` · k6 cpu ${(r.loadgen.cpuShare * 100).toFixed(0)}%` : '') +
                  (slo ? ` · ${slo.pass ? 'SLO met' : `SLO missed (${slo.reasons.join(', ')})`}` : ''),
              );
              if (s.ladder && slo && !slo.pass) {
                const rest = s.steps.slice(s.steps.indexOf(step) + 1);
                progress.skip(rest.reduce((a, x) => a + x.seconds + K6_OVERHEAD_SECONDS, 0));
                break;
              }
            }
            let capacity: RunFile['capacity'] = null;
            if (s.entry.profile.slo && s.entry.profile.model === 'open') {
              const passed = steps.filter(
                (x, idx) => x.slo?.pass && steps.slice(0, idx).every((y) => y.slo?.pass),
              );
              const best = passed[passed.length - 1];
              capacity = {
                rate: best?.rate ?? null,
                step: best?.step ?? null,
                sloP99Ms: s.entry.profile.slo.p99Ms,
              };
            }
            const endedAt = new Date().toISOString();
            const base = {
              schema: SCHEMA_VERSION,
              runId: manifest.runId,
              target: t.name,
              scenario: name,
              run: i,
            };
            const res: ResourcesFile = { ...base, steps: resources };
            writeJsonAtomic(join(dir, runFileName(i, 'resources')), res);
            if (ctx.monitor) {
              const mon: MonitoringFile = { ...base, steps: monitoring };
              writeJsonAtomic(join(dir, monitoringFileName(i)), mon, false);
            }
            const runFile: RunFile = { ...base, startedAt, endedAt, steps, capacity, k6 };
            // The run file last: its presence is what marks the unit done (for --resume).
            writeJsonAtomic(join(dir, runFileName(i, 'run')), runFile);
            saveManifest();
            if (
              cooldown > 0 &&
              !(i === o.runs && t === targets[targets.length - 1] && s === todo[todo.length - 1])
            ) {
              await wait(hooks.sleep(cooldown * 1000));
            }
          }
        } catch (e) {
          if (!(e instanceof TargetFailure)) throw e;
          // This target is not measured any further; the others are.
          failedTargets.set(t.name, e.message);
          progress.line(`${t.name}: ${e.message.split('\n')[0]} — skipping ${t.name} from now on`);
          try {
            await driver.down(t);
          } catch (d) {
            log(`could not stop ${t.name}: ${(d as Error).message}`);
          }
          up.delete(t.name);
        }
      }
    }
    if (failedTargets.size > 0) {
      manifest.status = 'incomplete';
      manifest.reason = [...failedTargets.values()].map((m) => m.split('\n')[0]).join('; ');
      exitCode = 1;
    } else manifest.status = 'complete';
  } catch (e) {
    progress.stop();
    if (e instanceof Interrupted) {
      manifest.status = 'incomplete';
      manifest.reason = e.message;
      exitCode = 130;
    } else {
      manifest.status = 'incomplete';
      manifest.reason = (e as Error).message;
      exitCode = 1;
    }
    log(`run ${manifest.runId} stopped: ${manifest.reason}`);
  } finally {
    progress.stop();
    for (const t of targets) {
      if (up.has(t.name) || exitCode !== 0) {
        try {
          await driver.down(t);
        } catch (e) {
          log(`could not stop ${t.name}: ${(e as Error).message}`);
        }
      }
    }
    try {
      await hops?.stop();
    } catch (e) {
      log(`could not stop the latency injector: ${(e as Error).message}`);
    }
    try {
      await ctx.lab.releaseOneshot('loadgen', 'k6');
    } catch {
      /* k6 may still be exiting; the next run cleans it */
    }
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  session.endedAt = new Date().toISOString();
  session.status = manifest.status;
  session.reason = manifest.reason;
  saveManifest();
  const summary = summarizeRun(runDir);
  writeCellSummaries(runDir, summary);
  const text = writeRunSummary(runDir, manifest, summary);
  log(`\n${text}`);
  if (ctx.monitor) {
    const md = renderMonitoringSummary(runDir, manifest.runId);
    if (md) {
      writeFileAtomic(join(runDir, 'monitoring.md'), md);
      log(
        `monitoring: Prometheus answers stored per run (monitoring-NN.json), summary in ${join(runDir, 'monitoring.md')}`,
      );
    }
  }
  log(
    `${manifest.status === 'complete' ? 'done' : manifest.status.toUpperCase()} in ${clock(progress.elapsed())}: ${runDir}` +
      (manifest.status === 'complete' ? '' : `\nresume with: ./run-benchmark.sh --resume ${manifest.runId}`),
  );
  return exitCode;
}
