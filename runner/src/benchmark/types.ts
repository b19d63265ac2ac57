/** The files under results/<run-id>/ (schema version 1). Everything the report shows is read from these. */

import type { Calibration } from '../calibration/calibrate.js';
import type { ReadBack } from '../lab/cgroup.js';
import type { MachineInfo } from '../lib/machine.js';
import type { PlannedStep } from './plan.js';
import type { StepResources } from './resources.js';

export const SCHEMA_VERSION = 1;

/** What the runner keeps from one k6 summary (the whole summary is kept beside it in the run file). */
export interface StepMetrics {
  requests: number;
  rps: number;
  failedRequests: number;
  errorRate: number;
  checksPassed: number;
  checksFailed: number;
  iterations: number;
  droppedIterations: number;
  latencyMs: {
    avg: number;
    min: number;
    p50: number;
    p90: number;
    p95: number;
    p99: number;
    p999: number;
    max: number;
  };
  vusMax: number;
  dataReceivedBytes: number;
  ordersPlaced: number;
  stockConflicts: number;
  testRunDurationMs: number;
  /** 05, 06: per route (the scenarios' `name` tags); absent in files written before routes were kept. */
  routes?: Record<string, RouteMetrics>;
}

/** One route of a mixed scenario: its requests, errors and failed checks, latency over its successes. */
export interface RouteMetrics {
  requests: number;
  failedRequests: number;
  checksFailed: number;
  p50: number;
  p99: number;
}

export interface SloResult {
  p99Ms: number;
  pass: boolean;
  /** Why a step is not sustained ("p99 61.2 ms > 50 ms", "12 dropped iterations", ...). */
  reasons: string[];
}

export interface StepResult {
  step: string;
  vus: number;
  rate: number | null;
  duration: string;
  k6ExitCode: number | null;
  metrics: StepMetrics;
  slo: SloResult | null;
}

/** results/<run-id>/<target>/<scenario>/run-NN.json */
export interface RunFile {
  schema: number;
  runId: string;
  target: string;
  scenario: string;
  run: number;
  startedAt: string;
  endedAt: string;
  steps: StepResult[];
  /** 08: the highest offered rate sustained within the SLO (null: not even the first step). */
  capacity: { rate: number | null; step: string | null; sloP99Ms: number } | null;
  /** k6's handleSummary JSON per step (aggregates only; no raw samples). */
  k6: Record<string, unknown>;
}

/** results/<run-id>/<target>/<scenario>/resources-NN.json */
export interface ResourcesFile {
  schema: number;
  runId: string;
  target: string;
  scenario: string;
  run: number;
  steps: StepResources[];
}

export interface RunOptions {
  targets: string[];
  scenarios: string[];
  runs: number;
  duration: string | null;
  vus: number | null;
  rate: number | null;
  warmup: string;
  cooldown: string;
  seed: number;
  scale: number;
  mode: 'docker' | 'native';
  quick: boolean;
  noLimits: boolean;
  /** --monitor: k6 streamed to Prometheus, dashboard queries stored per run (monitoring-NN.json). */
  monitor?: boolean;
}

export interface TargetInfo {
  profile: string;
  url: string;
  mode: 'docker' | 'native';
  /** The SUT budget read back from the cgroups once the target was up (null: unlimited). */
  budget: ReadBack | null;
  /** Software behind the target: versions, and which database server actually ran. */
  components: Record<string, string>;
  verify: { ok: boolean; total: number; failed: number; at: string; durationMs: number } | null;
}

export interface Session {
  startedAt: string;
  endedAt: string | null;
  status: 'running' | 'complete' | 'incomplete' | 'failed';
  reason: string | null;
}

/** results/<run-id>/manifest.json */
export interface Manifest {
  schema: number;
  runId: string;
  status: 'running' | 'complete' | 'incomplete' | 'failed';
  reason: string | null;
  createdAt: string;
  updatedAt: string;
  command: string;
  options: RunOptions;
  git: { commit: string | null; dirty: boolean | null };
  host: MachineInfo;
  versions: Record<string, string | null>;
  loadgen: { cpuset: string; cores: number; pinned: boolean };
  targets: Record<string, TargetInfo>;
  plan: {
    name: string;
    title: string;
    model: 'closed' | 'open';
    slo: { p99Ms: number } | null;
    steps: PlannedStep[];
  }[];
  sessions: Session[];
  /** The load generator's ceiling against the null endpoint, measured at the start of each session. */
  calibrations?: Calibration[];
}
