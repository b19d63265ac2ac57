/**
 * The shape of scenarios/profiles/NN-name.json: the one definition both sides use, k6 (lib/profile.ts, which
 * applies the runner's overrides) and the runner (runner/src/scenarios/plan.ts, which plans runs from the same
 * files). No k6 import here, so the runner can import it.
 */
export interface Step {
  /** "vus-200", "rate-1000": names a step of a sweep or a capacity ladder. */
  label: string;
  vus?: number;
  rate?: number;
  /**
   * Scenario 09: round-trip latency added to every internal hop of the target during this step, ms; null: the
   * step runs with every hop direct (no injector), the baseline of the injector's own cost.
   */
  latencyMs?: number | null;
}

export interface Profile {
  name: string;
  title: string;
  /** closed: a fixed number of VUs looping (each waits for its answer); open: a fixed arrival rate. */
  model: 'closed' | 'open';
  vus?: number;
  rate?: number;
  duration: string;
  /** Open model: VUs allocated before the start, and the most k6 may use (then iterations are dropped). */
  preAllocatedVUs?: number;
  maxVUs?: number;
  /** Sweeps and ladders: each step is a separate k6 run (07 concurrency, 08 capacity). */
  steps?: Step[];
  /** Think time between the steps of a user journey, seconds (uniform between min and max). */
  thinkTime?: { min: number; max: number };
  /** 08: the service-level objective a rate must meet to count as sustained. */
  slo?: { p99Ms: number };
  /**
   * Scenario 09: start the target with every internal hop (BFF↔services, app↔database) through the latency
   * injector (runner/src/latency), each step setting its `latencyMs`.
   */
  injectHopLatency?: boolean;
  /**
   * Open model: the arrival rate of the warm-up after each start (default: the first measured step's). A low
   * measured rate (09's 20 pages/s) warms up too few pages for a target's hot code to be compiled: in 09's runs of
   * 2026-12-05, micro's CPU per page fell from 17 to 11 ms over the minute after its warm-up.
   */
  warmupRate?: number;
  /**
   * The warm-up after each start lasts at least this long (a k6 duration, "60s"); the run's `--warmup` when longer.
   * `--warmup 0s` still skips it and `--quick` keeps its short one. 08: 10 s left micro in its post-start transient
   * (p99 1.5 s at 10 pages/s, every Node process burning ~4 ms per request), so its ladder ended on the first rung.
   */
  warmup?: string;
  /**
   * The warm-up after each start is lengthened by a whole number of seconds between 0 and this (a k6 duration),
   * drawn from the run's seed, the target and the run number, so that each round's steps fall at a different phase
   * of the target's periodic work. 08, run 20261207-150012: every round restarted the target and timed its ladder
   * identically, so Harper's analytics profiler, restarted every 60 s, stopped the same rungs in every round and
   * its median p99 alternated rung by rung.
   */
  warmupJitter?: string;
  /**
   * Steps after the first of each start run as listed on odd runs and in reverse on even runs, so that no step
   * always comes later after the target's start than another (09's run 20261206-022924, in the listed order: Harper,
   * which has no hop for the latency to change, went from 2.17 to 1.50 ms of CPU per page from 0 to 5 ms).
   * `"all"` reverses the first step too (07: its 20-VU step, always first after the start, carried the start's
   * higher cost in run 20261207-115633; 09 keeps `direct` first because its injector's overhead is measured
   * against it).
   */
  alternateSteps?: boolean | 'all';
  /** Reset the target's state (POST /api/admin/reset) before every measured run. */
  resetBeforeRun?: boolean;
  /** --quick: a short smoke run of the same shape. */
  quick: { duration: string; vus?: number; rate?: number; steps?: Step[] };
}
