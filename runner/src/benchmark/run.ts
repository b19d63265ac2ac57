/**
 * The benchmark loop. For run i = 1..N, for each target (A B C A B C …, so drift hits all alike): bring the
 * target up (alone: the previous one is stopped first when several are measured), verify it against the oracle
 * on its first start (a smoke check on later starts), then for each scenario: reset, warm up once per start
 * (not counted), measure every step with k6 pinned to the load generator's cores, read the target's cgroups
 * before and after, write run-NN.json and resources-NN.json atomically, cool down (cell.ts, measure.ts).
 * --order scenario turns the round inside out: every target up at its start, each scenario measured on all
 * of them before the next.
 *
 * Ctrl-C (or SIGTERM), a target that dies, a k6 that fails: everything written so far stays, the manifest says
 * "incomplete" and why, the stack is brought down, and `--resume <run-id>` carries on where it stopped.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { runK6 } from '../k6/k6.js';
import type { LabTarget } from '../lab/compose.js';
import { writeFileAtomic, writeJsonAtomic } from '../lib/files.js';
import { HopInjection } from '../latency/routing.js';
import { bootId } from '../lib/machine.js';
import { renderMonitoringSummary } from '../report/monitoring-summary.js';
import { writeCellSummaries, writeRunSummary } from '../report/summary-files.js';
import { cellDir, manifestPath, runFileName } from '../results/layout.js';
import { readRunFile } from '../results/read.js';
import { sessionCommits, shortCommit } from '../results/sessions.js';
import type { Session } from '../results/types.js';
import { durationSeconds, type PlannedScenario, warmupSeconds } from '../scenarios/plan.js';
import { summarizeRun } from '../stats/aggregate.js';
import { type VerifyReport, verifyTarget } from '../verify/verify.js';
import { needsInjector, runCell } from './cell.js';
import { type Hooks, K6_OVERHEAD_SECONDS, type Loop, type RunnerContext } from './context.js';
import { Interrupted, interruptible, TargetFailure } from './errors.js';
import { gitInfo } from './manifest.js';
import { clock, Progress } from './progress.js';
import { reset, smoke } from './target-http.js';

const STARTUP_SECONDS = 15;

function unitPlannedSeconds(steps: PlannedScenario['steps'], cooldown: number): number {
  return steps.reduce((a, st) => a + st.seconds + K6_OVERHEAD_SECONDS, 0) + cooldown;
}

/** How many earlier sessions ran on a machine known to differ from `boot` (unknown ids never count). */
export function otherMachines(sessions: readonly Session[], boot: string | undefined): number {
  return boot ? sessions.filter((x) => x.bootId !== undefined && x.bootId !== boot).length : 0;
}

class BenchmarkRun implements Loop {
  readonly hooks: Hooks;
  readonly progress: Progress;
  readonly hops: HopInjection | null;
  readonly warmup: number;
  readonly cooldown: number;
  private readonly session: Session;
  private interrupted: NodeJS.Signals | null = null;
  private stopK6: ((s: NodeJS.Signals) => void) | null = null;
  private readonly abort = new AbortController();
  /** Targets that are up, and whether their internal hops go through the latency injector (09). */
  private readonly up = new Set<string>();
  private readonly upInjected = new Map<string, boolean>();
  /** --order scenario with frozen idle targets: the targets whose processes are stopped right now. */
  private readonly frozen = new Set<string>();
  private readonly verified = new Set<string>();
  /** Targets started once already in this session (their first start is never measured: see bringUp). */
  private readonly primed = new Set<string>();
  private readonly warmedByTarget = new Map<string, Set<string>>();
  private readonly failedTargets = new Map<string, string>();
  /** Steps measured by each ladder run file already read (for the ETA). */
  private readonly ladderLengths = new Map<string, number>();
  private readonly onSignal = (sig: NodeJS.Signals) => this.signal(sig);

  constructor(readonly ctx: RunnerContext) {
    this.hooks = {
      runK6,
      verify: verifyTarget,
      reset,
      smoke,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      ...ctx.hooks,
    };
    const o = ctx.manifest.options;
    this.warmup = durationSeconds(o.warmup);
    this.cooldown = durationSeconds(o.cooldown);
    const boot = bootId();
    this.session = {
      startedAt: new Date().toISOString(),
      endedAt: null,
      status: 'running',
      reason: null,
      ...(boot ? { bootId: boot } : {}),
      git: gitInfo(ctx.root),
    };
    const planned = this.plannedSeconds();
    this.progress = ctx.progressOut ? new Progress(planned, ctx.progressOut, false) : new Progress(planned);
    this.hops = ctx.scenarios.some((s) => s.injected)
      ? new HopInjection(ctx.lab, { paths: ctx.lab.paths, env: process.env, log: ctx.log })
      : null;
  }

  wait<T>(work: Promise<T>): Promise<T> {
    return interruptible(work, this.abort.signal);
  }

  check(): void {
    if (this.interrupted) throw new Interrupted(`interrupted by ${this.interrupted}`);
  }

  setStopK6(stop: ((signal: NodeJS.Signals) => void) | null): void {
    this.stopK6 = stop;
  }

  saveManifest(): void {
    this.ctx.manifest.updatedAt = new Date().toISOString();
    writeJsonAtomic(manifestPath(this.ctx.runDir), this.ctx.manifest);
  }

  private done(t: string, s: string, i: number): boolean {
    return existsSync(join(cellDir(this.ctx.runDir, t, s), runFileName(i, 'run')));
  }

  /** For the ETA: every unit not yet done, and a start per target and run that still has one to do. */
  private plannedSeconds(): number {
    const { manifest, targets, scenarios } = this.ctx;
    let planned = 0;
    let starts = 0;
    for (let i = 1; i <= manifest.options.runs; i++)
      for (const t of targets.filter((x) => !this.failedTargets.has(x.name))) {
        const todo = scenarios.filter((s) => !this.done(t.name, s.entry.name, i));
        if (todo.length > 0) starts++;
        for (const s of todo)
          planned +=
            unitPlannedSeconds(this.expectedSteps(t.name, s), this.cooldown) +
            warmupSeconds(this.warmup, manifest.options.quick, s, {
              seed: manifest.options.seed,
              target: t.name,
              run: i,
            });
      }
    return planned + (targets.length > 1 ? starts : Math.min(starts, 1)) * STARTUP_SECONDS;
  }

  /** A ladder stops at its first missed step: expect as many steps as the longest this cell has run so far. */
  private expectedSteps(t: string, s: PlannedScenario): PlannedScenario['steps'] {
    if (!s.ladder) return s.steps;
    const dir = cellDir(this.ctx.runDir, t, s.entry.name);
    let reached = 0;
    for (let i = 1; i <= this.ctx.manifest.options.runs; i++) {
      if (!this.done(t, s.entry.name, i)) continue;
      // A run file never changes once written: read each once, not at every re-plan.
      const file = join(dir, runFileName(i, 'run'));
      const n = this.ladderLengths.get(file) ?? readRunFile(dir, i).steps.length;
      this.ladderLengths.set(file, n);
      reached = Math.max(reached, n);
    }
    return reached > 0 ? s.steps.slice(0, reached) : s.steps;
  }

  private signal(sig: NodeJS.Signals): void {
    if (this.interrupted) {
      this.progress.line(`${sig} again: stopping k6 now`);
      this.stopK6?.('SIGKILL');
      return;
    }
    this.interrupted = sig;
    this.progress.line(
      `${sig}: stopping after cleanup — results so far are kept (resume with --resume ${this.ctx.manifest.runId})`,
    );
    this.stopK6?.('SIGINT');
    this.abort.abort(`interrupted by ${sig}`);
  }

  async run(): Promise<number> {
    const { manifest } = this.ctx;
    const before = otherMachines(manifest.sessions, this.session.bootId);
    if (before > 0)
      this.progress.line(
        `note: resuming on another machine than ${before} earlier session(s) of this run (boot id differs): ` +
          'its rounds are paired within a machine, but the spread between rounds now includes the machines',
      );
    const earlier = sessionCommits(manifest);
    const code = sessionCommits({ git: manifest.git, sessions: [this.session] })[0];
    if (manifest.sessions.length > 0 && code && !earlier.includes(code))
      this.progress.line(
        `note: resuming at commit ${shortCommit(code)}, not the commit of the earlier session(s) ` +
          `(${earlier.map(shortCommit).join(', ')}): the results page names every commit`,
      );
    manifest.sessions.push(this.session);
    manifest.status = 'running';
    manifest.reason = null;
    this.saveManifest();
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
    let exitCode = 0;
    try {
      exitCode = await this.rounds();
    } catch (e) {
      this.progress.stop();
      manifest.status = 'incomplete';
      manifest.reason = (e as Error).message;
      exitCode = e instanceof Interrupted ? 130 : 1;
      this.ctx.log(`run ${manifest.runId} stopped: ${manifest.reason}`);
    } finally {
      await this.cleanup(exitCode);
    }
    this.finish();
    return exitCode;
  }

  /**
   * Run by run, target by target (or, --order scenario, scenario by scenario); a target that fails is skipped
   * from then on, the others go on.
   */
  private async rounds(): Promise<number> {
    const { manifest, targets } = this.ctx;
    for (let i = 1; i <= manifest.options.runs; i++)
      if (manifest.options.order === 'scenario') await this.scenarioRound(i);
      else for (const t of targets) if (!this.failedTargets.has(t.name)) await this.targetRound(t, i);
    if (this.failedTargets.size === 0) {
      manifest.status = 'complete';
      return 0;
    }
    manifest.status = 'incomplete';
    manifest.reason = [...this.failedTargets.values()].map((m) => m.split('\n')[0]).join('; ');
    return 1;
  }

  private async targetRound(t: LabTarget, i: number): Promise<void> {
    const { scenarios, targets, manifest, runDir } = this.ctx;
    // Scenarios with injected hop latency last: the target restarts once, with its hops through proxies.
    const todo = scenarios
      .filter((s) => !this.done(t.name, s.entry.name, i))
      .sort((a, b) => Number(a.injected ?? false) - Number(b.injected ?? false));
    if (todo.length === 0) return;
    this.check();
    try {
      const warmed = await this.bringUp(t, todo[0]!);
      for (const s of todo) {
        this.check();
        const dir = cellDir(runDir, t.name, s.entry.name);
        mkdirSync(dir, { recursive: true });
        const last =
          i === manifest.options.runs && t === targets[targets.length - 1] && s === todo[todo.length - 1];
        await runCell(this, { target: t, scenario: s, run: i, dir }, warmed, last);
        this.progress.replan(this.plannedSeconds());
      }
    } catch (e) {
      if (!(e instanceof TargetFailure)) throw e;
      await this.dropTarget(t, e);
    }
  }

  /**
   * --order scenario: every target with work in this round restarted and up at once, then each scenario measured
   * on every target back to back — a pair of targets' windows a few minutes apart at most instead of a round's
   * length. The idle targets are frozen (their processes stopped) unless the run says they run: running, their
   * timers, GCs and the tail of their own last window land on the measured target's core (host-busy shows it).
   */
  private async scenarioRound(i: number): Promise<void> {
    const { scenarios, manifest } = this.ctx;
    const live = () =>
      this.ctx.targets.filter(
        (t) => !this.failedTargets.has(t.name) && scenarios.some((s) => !this.done(t.name, s.entry.name, i)),
      );
    const round = live();
    if (round.length === 0) return;
    this.check();
    // Every target restarts for the round; one with nothing left in it (a resume) is not left running idle.
    for (const t of this.ctx.targets) if (this.up.has(t.name)) await this.stop(t);
    for (const t of round) await this.orDrop(t, () => this.bringUp(t, scenarios[0]!, false));
    const freeze = manifest.options.idleTargets === 'frozen';
    if (freeze) for (const t of live()) this.freeze(t);
    for (const s of scenarios)
      for (const t of live()) {
        if (this.done(t.name, s.entry.name, i)) continue;
        const rest = live().filter((x) => x !== t && !this.done(x.name, s.entry.name, i));
        const last =
          i === manifest.options.runs && s === scenarios[scenarios.length - 1] && rest.length === 0;
        this.thaw(t);
        await this.orDrop(t, () => this.cell(t, s, i, last));
        if (freeze) this.freeze(t);
      }
  }

  /** One cell of a scenario-order round; the warm-ups since the target's start are bringUp's record. */
  private async cell(t: LabTarget, s: PlannedScenario, i: number, last: boolean) {
    this.check();
    const dir = cellDir(this.ctx.runDir, t.name, s.entry.name);
    mkdirSync(dir, { recursive: true });
    await runCell(this, { target: t, scenario: s, run: i, dir }, this.warmedByTarget.get(t.name)!, last);
    this.progress.replan(this.plannedSeconds());
  }

  private freeze(t: LabTarget): void {
    if (!this.ctx.driver.freeze || !this.up.has(t.name)) return;
    this.ctx.driver.freeze(t);
    this.frozen.add(t.name);
  }

  /** Every way out of a frozen target (its cell, a stop, the cleanup) lets its processes go on first. */
  private thaw(t: LabTarget): void {
    if (this.frozen.delete(t.name)) this.ctx.driver.thaw?.(t);
  }

  /** `work` on target `t`; a TargetFailure drops `t`, anything else ends the run. */
  private async orDrop(t: LabTarget, work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
    } catch (e) {
      if (!(e instanceof TargetFailure)) throw e;
      await this.dropTarget(t, e);
    }
  }

  private async stop(t: LabTarget): Promise<void> {
    this.thaw(t);
    await this.wait(this.ctx.driver.down(t));
    this.up.delete(t.name);
  }

  /** This target is not measured any further; the others are. */
  private async dropTarget(t: LabTarget, e: TargetFailure): Promise<void> {
    this.failedTargets.set(t.name, e.message);
    this.progress.line(`${t.name}: ${e.message.split('\n')[0]} — skipping ${t.name} from now on`);
    this.thaw(t);
    try {
      await this.ctx.driver.down(t);
    } catch (d) {
      this.ctx.log(`could not stop ${t.name}: ${(d as Error).message}`);
    }
    this.up.delete(t.name);
  }

  private async hopEnv(t: LabTarget, injected: boolean): Promise<Record<string, string>> {
    this.upInjected.set(t.name, injected);
    return injected && this.hops ? await this.hops.envFor(t.profile) : {};
  }

  /**
   * In the default order only one target runs during a measurement (`alone`): the others are stopped. This one is
   * started if it is not up (and verified on its first start, smoke-checked on later ones). Returns the scenarios
   * warmed up since its start.
   */
  private async bringUp(t: LabTarget, first: PlannedScenario, alone = true): Promise<Set<string>> {
    const { driver, targets } = this.ctx;
    if (alone)
      for (const other of targets)
        if (other.name !== t.name && this.up.has(other.name)) await this.stop(other);
    // Warm-ups are per start of a target: a fresh process needs one per scenario, a running one does not.
    if (!this.warmedByTarget.has(t.name) || !this.up.has(t.name)) this.warmedByTarget.set(t.name, new Set());
    const warmed = this.warmedByTarget.get(t.name)!;
    if (this.up.has(t.name)) return warmed;
    this.progress.line(`${t.name}: starting (${driver.mode})`);
    const env = await this.hopEnv(t, needsInjector(first, first.steps[0]!));
    await this.start(t, env);
    if (!this.primed.has(t.name)) {
      // A session's first start of a target may install it and load its dataset (a fresh data dir): a process
      // that seeded is not in the state of later starts (Harper kept its seeding heap: docs/methodology.md).
      this.primed.add(t.name);
      this.progress.line(`${t.name}: restarting once, so that no start that seeded is measured`);
      await this.wait(driver.down(t));
      await this.start(t, env);
    }
    this.ctx.manifest.targets[t.name]!.budget = driver.budget(t);
    if (!this.verified.has(t.name)) await this.verifyOnce(t);
    else await this.wait(this.hooks.smoke(t.url, this.ctx.dataFile));
    return warmed;
  }

  private async start(t: LabTarget, env: Record<string, string>): Promise<void> {
    // Counted as up from here: if Ctrl-C interrupts the start, the cleanup stops what did start.
    this.up.add(t.name);
    try {
      await this.wait(this.ctx.driver.up(t, env));
    } catch (e) {
      if (e instanceof Interrupted) throw e;
      this.up.delete(t.name);
      throw new TargetFailure(`${t.name} did not start: ${(e as Error).message}`);
    }
    this.check();
  }

  /** The verify suite against the oracle, once per run: a target that fails it is never timed. */
  private async verifyOnce(t: LabTarget): Promise<void> {
    const { manifest, runDir, adminToken } = this.ctx;
    const info = manifest.targets[t.name]!;
    this.progress.line(`${t.name}: verifying against the oracle before timing anything…`);
    const o = manifest.options;
    const report: VerifyReport = await this.wait(
      this.hooks.verify({ baseUrl: t.url, adminToken, seed: o.seed, scale: o.scale }),
    );
    info.verify = {
      ok: report.ok,
      total: report.total,
      failed: report.failed,
      at: report.startedAt,
      durationMs: report.durationMs,
    };
    const file = join(runDir, t.name, 'verify.json');
    writeJsonAtomic(file, { ...info.verify, failures: report.checks.filter((c) => !c.pass) });
    this.saveManifest();
    if (!report.ok) {
      const first = report.checks.find((c) => !c.pass);
      throw new TargetFailure(
        `${t.name} fails the verify suite (${report.failed} of ${report.total} checks): not timing it. ` +
          `First: ${first ? `${first.request}: ${first.detail}` : 'no check ran (unreachable?)'} ` +
          `— details in ${file}`,
      );
    }
    this.progress.line(
      `${t.name}: verify passed (${report.total} checks, ${(report.durationMs / 1000).toFixed(1)} s)`,
    );
    this.verified.add(t.name);
  }

  async useInjector(t: LabTarget, injected: boolean): Promise<boolean> {
    if ((this.upInjected.get(t.name) ?? false) === injected) return false;
    const { driver } = this.ctx;
    this.progress.line(
      `${t.name}: restarting with internal hops ${injected ? 'through' : 'without'} the latency injector`,
    );
    await driver.down(t);
    try {
      await driver.up(t, await this.hopEnv(t, injected));
    } catch (e) {
      throw new TargetFailure(`${t.name} did not start: ${(e as Error).message}`);
    }
    this.warmedByTarget.get(t.name)?.clear();
    await this.hooks.smoke(t.url, this.ctx.dataFile);
    return true;
  }

  /** Everything the run started is stopped, whatever happened. */
  private async cleanup(exitCode: number): Promise<void> {
    const { targets, driver, log, lab } = this.ctx;
    this.progress.stop();
    for (const t of targets) {
      if (!this.up.has(t.name) && exitCode === 0) continue;
      this.thaw(t);
      try {
        await driver.down(t);
      } catch (e) {
        log(`could not stop ${t.name}: ${(e as Error).message}`);
      }
    }
    try {
      await this.hops?.stop();
    } catch (e) {
      log(`could not stop the latency injector: ${(e as Error).message}`);
    }
    try {
      await lab.releaseOneshot('loadgen', 'k6');
    } catch {
      /* k6 may still be exiting; the next run cleans it */
    }
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
  }

  /** The session's end in the manifest, the summaries (and monitoring.md), and the closing line. */
  private finish(): void {
    const { manifest, runDir, log, monitor } = this.ctx;
    this.session.endedAt = new Date().toISOString();
    this.session.status = manifest.status;
    this.session.reason = manifest.reason;
    this.saveManifest();
    const summary = summarizeRun(runDir);
    writeCellSummaries(runDir, summary);
    log(`\n${writeRunSummary(runDir, manifest, summary)}`);
    const md = monitor ? renderMonitoringSummary(runDir, manifest.runId) : null;
    if (md) {
      writeFileAtomic(join(runDir, 'monitoring.md'), md);
      log(
        `monitoring: Prometheus answers stored per run (monitoring-NN.json), summary in ${join(runDir, 'monitoring.md')}`,
      );
    }
    const complete = manifest.status === 'complete';
    log(
      `${complete ? 'done' : manifest.status.toUpperCase()} in ${clock(this.progress.elapsed())}: ${runDir}` +
        (complete ? '' : `\nresume with: ./run-benchmark.sh --resume ${manifest.runId}`),
    );
  }
}

/** Runs (or resumes) a benchmark; the exit code: 0 complete, 1 a target or k6 failed, 130 interrupted. */
export function execute(ctx: RunnerContext): Promise<number> {
  return new BenchmarkRun(ctx).run();
}
