/** The files under results/<run-id>/ (schema version 1). Everything the report shows is read from these. */

import type { ReadBack } from '../lab/cgroup.js';
import type { MachineInfo } from '../lib/machine.js';

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
  /**
   * Failed requests by kind (timeout, connect-timeout, refused, reset, http-5xx, http-4xx, other:
   * scenarios/lib/errors.ts), kinds with none left out; absent in files written before kinds were counted.
   */
  errorKinds?: Record<string, number>;
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
  /**
   * LAB_NODE_OPTIONS: Node flags added to every Node target's processes (NODE_OPTIONS in docker-compose.yml);
   * absent when none were.
   */
  nodeOptions?: string;
  /**
   * --order scenario: every target up at once, each scenario measured on every target back to back. Absent:
   * the default order, one target up at a time with all its scenarios.
   */
  order?: 'scenario';
  /**
   * --order scenario: 'frozen' when the idle targets' processes were stopped while another was measured; absent
   * when they ran (the first scenario-order run, 20261208-020832, predates freezing).
   */
  idleTargets?: 'frozen';
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
  /** The machine's boot id (MachineInfo.bootId): a resumed run may have rounds from another machine. */
  bootId?: string;
  /** The checkout this session ran (a resumed run may have rounds from other code; the manifest's git is the first). */
  git?: { commit: string | null; dirty: boolean | null };
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

export type PeakMethod = 'reset-v1' | 'reset-v2' | 'sampled' | 'none';

export interface ServiceResources {
  cpuSeconds: number;
  periods: number;
  throttledPeriods: number;
  peakMemoryBytes: number | null;
}

export interface SutResources {
  /** The budget read back from the kernel (null: no budget, the run is unlimited). */
  budget: ReadBack | null;
  cpuSeconds: number;
  /** cpuSeconds / (wall seconds x budget cores); null without a CPU budget. */
  cpuShareOfBudget: number | null;
  periods: number;
  throttledPeriods: number;
  /** throttled periods / periods. */
  throttledShare: number | null;
  peakMemoryBytes: number | null;
  peakMethod: PeakMethod;
  services: Record<string, ServiceResources>;
}

export interface LoadgenResources {
  /** k6 ran in its own cgroup on LAB_LOADGEN_CPUSET. */
  pinned: boolean;
  cpuset: string | null;
  cores: number;
  cpuSeconds: number | null;
  /** cpuSeconds / (wall x cores of its cpuset): near 1 means k6 itself was the bottleneck. */
  cpuShare: number | null;
  peakMemoryBytes: number | null;
}

export interface StepResources {
  step: string;
  wallSeconds: number;
  sut: SutResources | null;
  loadgen: LoadgenResources;
  /** Other processes on the lab's cores during the run (null where /proc/stat is unreadable). */
  host?: HostNoise;
  /** The machine's speed before the run and the steal time during it (absent in older files). */
  drift?: DriftSample;
}

export interface HostNoise {
  /** CPU time other processes (not the target, not k6) took on the target's cores, as a share of them. */
  sutCoresOtherShare: number | null;
  /** The same on the load generator's cores (k6 excluded). */
  loadgenCoresOtherShare: number | null;
  /** How the cores' busy time was read (absent in files written before the method was recorded: /proc/stat). */
  method?: CoreBusyMethod;
}

/** Where per-core busy time came from: the scheduler's own clock, or /proc/stat's tick samples. */
export type CoreBusyMethod = 'cpuacct' | 'proc-stat';

/** What resources-NN.json keeps per step about the machine's speed. */
export interface DriftSample {
  /** The speed probe's milliseconds right before the step (lower is faster). */
  probeMs: number;
  /** The memory-bound probe's milliseconds right before the step (absent in files written before it existed). */
  memoryProbeMs?: number;
  probePinned: boolean;
  /** Share of all CPU time stolen by the hypervisor during the step (null off Linux). */
  stealShare: number | null;
}

/** results/<run-id>/manifest.json `calibrations[]`: one per session (a --resume measures again). */
export interface Calibration {
  at: string;
  scenario: string;
  vus: number;
  duration: string;
  /** k6's throughput against the null endpoint. */
  rps: number;
  /**
   * The ceiling: rps / k6's CPU share of its cores (requests per second of k6's own CPU). When k6 saturated its
   * core this is rps; when it did not (the null server's core was busy with someone else's work, as on a
   * shared machine), it is what k6 would have sent with its core to itself, not the starved server's rate.
   */
  ceilingRps: number;
  requests: number;
  checksFailed: number;
  /** k6's CPU share of its cores during the calibration (≈ 100%: k6 is the limit by construction). */
  loadgenCpuShare: number | null;
  /** The cores the null server was pinned to (null: taskset missing, not pinned). */
  serverCpuset: string | null;
}

export interface PlannedStep {
  label: string;
  vus: number;
  rate: number | null;
  duration: string;
  seconds: number;
  /** Scenario 09: round-trip latency added to each internal hop during this step (null: hops direct, no injector). */
  latencyMs?: number | null;
}

export interface SeriesCapture {
  labels: Record<string, string>;
  /** [unix seconds, value] every step over the window (NaN where the expression had no defined value). */
  samples: [number, number][];
  min: number | null;
  mean: number | null;
  max: number | null;
  last: number | null;
}

export interface QueryCapture {
  dashboard: string;
  panel: string;
  refId: string;
  legend: string;
  /** The panel's expression as stored in the dashboard. */
  template: string;
  /** As evaluated over the window (variables and $__rate_interval substituted). */
  expr: string;
  series: SeriesCapture[];
  /** Evaluated once at the window's end with the whole window as its range: one value per series for the run. */
  overRun: { expr: string; values: { labels: Record<string, string>; value: number }[] };
  error: string | null;
}

/**
 * The measured k6 run as Prometheus holds it, exactly: its series are its own (tagged with run id, run, step and
 * phase), and cumulative, so their last samples are the whole run — unlike rate()/increase() over the window,
 * which cannot count what a series held at its first sample (k6's first push). Comparable with k6's summary.
 */
export interface K6Totals {
  selector: string;
  /** Timestamp (unix seconds) of the run's last sample in Prometheus, where the totals are read. */
  at: number | null;
  requests: number | null;
  failedRequests: number | null;
  latencySeconds: {
    avg: number | null;
    p50: number | null;
    p90: number | null;
    p95: number | null;
    p99: number | null;
  };
}

export interface MonitoringCapture {
  prometheus: string;
  start: string;
  end: string;
  stepSeconds: number;
  rateIntervalSeconds: number;
  overRunWindowSeconds: number;
  variables: Record<string, Record<string, string[]>>;
  k6: K6Totals | null;
  queries: QueryCapture[];
}

/** results/<run-id>/<target>/<scenario>/monitoring-NN.json */
export interface MonitoringFile {
  schema: number;
  runId: string;
  target: string;
  scenario: string;
  run: number;
  steps: ({ step: string } & (MonitoringCapture | { error: string }))[];
}
