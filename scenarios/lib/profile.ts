/**
 * The one place a scenario's load comes from: its profile file (profiles/NN-name.json), overridden by the
 * runner through environment variables (LAB_VUS, LAB_RATE, LAB_DURATION, LAB_STEP). The runner reads the same
 * files to plan runs and estimate times, so the two never disagree.
 */
import type { Options, Scenario } from 'k6/options';
import { ERROR_SUBMETRICS } from './errors.ts';
import type { Profile } from './profile-types.ts';

export type { Profile, Step } from './profile-types.ts';

/** The percentiles every summary carries (and the report reads). */
export const SUMMARY_TREND_STATS = [
  'avg',
  'min',
  'med',
  'max',
  'p(50)',
  'p(90)',
  'p(95)',
  'p(99)',
  'p(99.9)',
  'count',
];

export const SYSTEM_TAGS = [
  'status',
  'method',
  'name',
  'group',
  'check',
  'error_code',
  'expected_response',
  'scenario',
];

/** Per-request timeout: an answer slower than this is an error, never a latency sample of 60 s. */
export const REQUEST_TIMEOUT = '10s';

function envInt(name: string): number | undefined {
  const raw = __ENV[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
}

export interface Resolved {
  profile: Profile;
  model: 'closed' | 'open';
  step: string;
  vus: number;
  rate: number | null;
  duration: string;
}

/** The profile with the runner's overrides applied: what this k6 process runs. */
export function resolve(profile: Profile): Resolved {
  // The runner names the step and passes its load explicitly; alone, k6 runs the profile's first step.
  const stepLabel = __ENV['LAB_STEP'];
  const step = stepLabel ? profile.steps?.find((s) => s.label === stepLabel) : profile.steps?.[0];
  const vus = envInt('LAB_VUS') ?? step?.vus ?? profile.vus ?? 1;
  const rate = profile.model === 'open' ? (envInt('LAB_RATE') ?? step?.rate ?? profile.rate ?? 1) : null;
  const duration = __ENV['LAB_DURATION'] || profile.duration;
  return { profile, model: profile.model, step: stepLabel || step?.label || 'main', vus, rate, duration };
}

/** Latency is read over successful requests only; failed ones are counted apart (http_req_failed). */
export const OK_DURATION = 'http_req_duration{expected_response:true}';

/**
 * Every scenario's pass/fail, so that a bare `k6 run` exits 99 on a wrong target: not one failed check (a
 * wrong body on a sampled request) and not one failed request (an error status on any request). The runner
 * keeps a run that crossed them (exit 99) and flags its cell `errors`. Per route (05, 06: the `name` tags),
 * empty threshold lists make k6 keep the submetrics, so the summary breaks requests, errors, checks and
 * latency out per route. The same trick keeps one count per kind of failure (errors.ts).
 */
export function thresholds(routes: readonly string[] = []): NonNullable<Options['thresholds']> {
  const t: NonNullable<Options['thresholds']> = {
    checks: ['rate==1'],
    http_req_failed: ['rate==0'],
    [OK_DURATION]: [],
  };
  for (const m of ERROR_SUBMETRICS) t[m] = [];
  for (const name of routes) {
    t[`http_reqs{name:${name}}`] = [];
    t[`http_req_failed{name:${name}}`] = [];
    t[`checks{name:${name}}`] = [];
    t[`http_req_duration{name:${name},expected_response:true}`] = [];
  }
  return t;
}

/** k6 options for a resolved profile: one scenario, full percentiles, tags naming scenario and step. */
export function buildOptions(r: Resolved, routes: readonly string[] = []): Options {
  let scenario: Scenario;
  if (r.model === 'closed') {
    scenario = { executor: 'constant-vus', vus: r.vus, duration: r.duration, gracefulStop: '5s' };
  } else {
    const rate = r.rate ?? 1;
    const maxVUs = r.profile.maxVUs ?? 2000;
    // Enough VUs for every request of a stall of 4x the SLO to be in flight and measured: k6 drops an arrival
    // when no VU is free and starts new VUs only in the background (each runs the init code), so a smaller pool
    // turned a target's brief stall into dropped iterations that no latency percentile would have failed
    // (08 on Harper at 560/s: p99 45.6 ms with a pool of 1.5x, 17 drops; docs/scenarios/08-capacity.md).
    const slo = (r.profile.slo?.p99Ms ?? 100) / 1000;
    const pre = Math.min(maxVUs, Math.max(r.profile.preAllocatedVUs ?? 20, Math.ceil(rate * slo * 4)));
    scenario = {
      executor: 'constant-arrival-rate',
      rate,
      timeUnit: '1s',
      duration: r.duration,
      preAllocatedVUs: pre,
      maxVUs,
      gracefulStop: '5s',
    };
  }
  return {
    scenarios: { main: scenario },
    summaryTrendStats: SUMMARY_TREND_STATS,
    thresholds: thresholds(routes),
    tags: { scenario_name: r.profile.name, step: r.step },
    userAgent: 'lab-k6',
    // Only the tags the summary, thresholds and dashboards read: each tag is work on every metric sample, and
    // `url` (one value per product id) would only multiply series.
    systemTags: SYSTEM_TAGS,
    // The run's own setup/teardown never count: none is used, and handleSummary writes the result file.
    setupTimeout: '30s',
    teardownTimeout: '30s',
  };
}
