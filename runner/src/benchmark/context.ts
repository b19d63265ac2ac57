/** What every step of the benchmark loop is given: the run's context, its seams, and the loop's controls. */
import type { runK6 } from '../k6/k6.js';
import type { LabTarget } from '../lab/compose.js';
import type { Lab } from '../lab/launcher.js';
import type { ToolInfo } from '../lab/tools.js';
import type { HopInjection } from '../latency/routing.js';
import type { RunMonitor } from '../monitoring/monitor.js';
import type { Manifest } from '../results/types.js';
import type { PlannedScenario } from '../scenarios/plan.js';
import type { verifyTarget } from '../verify/verify.js';
import type { Progress } from './progress.js';
import type { TargetDriver } from './targets.js';

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

/** k6's start and stop around a step, beyond its duration (for the ETA). */
export const K6_OVERHEAD_SECONDS = 3;

/** The loop's state shared by its steps. */
export interface Loop {
  ctx: RunnerContext;
  hooks: Hooks;
  progress: Progress;
  /** 09's latency injector (null when no scenario injects). */
  hops: HopInjection | null;
  /** Warm-up and cool-down, in seconds. */
  warmup: number;
  cooldown: number;
  /** Resolves like `work`, or rejects with Interrupted as soon as the run is interrupted. */
  wait<T>(work: Promise<T>): Promise<T>;
  /** Throws Interrupted once a signal came. */
  check(): void;
  /** Writes the manifest (its updatedAt too). */
  saveManifest(): void;
  /**
   * 09: restarts the target with its internal hops through the latency injector (or direct again) when they are
   * not that way already; true when it restarted (a fresh process: warm it up again before measuring).
   */
  useInjector(target: LabTarget, injected: boolean): Promise<boolean>;
  /** The running k6's stop function, for the signal handler (null between k6 runs). */
  setStopK6(stop: ((signal: NodeJS.Signals) => void) | null): void;
}
