import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { parseCpuset } from '../lab/budget.js';
import type { Lab } from '../lab/launcher.js';
import { isAlive } from '../lab/launcher.js';
import { freePort } from '../lib/net.js';
import { tryReadJson } from '../lib/files.js';
import type { LoadgenResources, RouteMetrics, SloResult, StepMetrics } from '../results/types.js';

export interface Live {
  requests: number;
  rps: number;
  failedRate: number;
  checksRate: number;
}

export interface K6Run {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  wallSeconds: number;
  summary: K6Summary | null;
  loadgen: LoadgenResources;
  stdout: string;
  stderrTail: string[];
}

/**
 * k6 ran to its end: exit 0, or 99 — a threshold crossed. Every scenario's thresholds fail on one error, so a run
 * with errors exits 99; the errors are then a measurement (flagged, or under a fault the very thing measured).
 */
export function k6Completed(r: Pick<K6Run, 'exitCode'>): boolean {
  return r.exitCode === 0 || r.exitCode === 99;
}

export interface K6Summary {
  metrics: Record<string, { type: string; values: Record<string, number> }>;
  state?: { testRunDurationMs?: number };
  [k: string]: unknown;
}

async function poll(port: number): Promise<Live | null> {
  const get = async (m: string) => {
    const r = await fetch(`http://127.0.0.1:${port}/v1/metrics/${m}`, { signal: AbortSignal.timeout(500) });
    if (!r.ok) return null;
    const j = (await r.json()) as { data?: { attributes?: { sample?: Record<string, number> } } };
    return j.data?.attributes?.sample ?? null;
  };
  try {
    const [reqs, failed, checks] = await Promise.all([
      get('http_reqs'),
      get('http_req_failed'),
      get('checks'),
    ]);
    return reqs ? liveOf(reqs, failed, checks) : null;
  } catch {
    return null;
  }
}

type Sample = Record<string, number> | null;

/**
 * The live figures from k6's REST samples. Before the first response k6 reports the rate of its (declared, still
 * empty) `checks` and `http_req_failed` as 0: nothing has failed yet, so the rates are read only once there are
 * requests (a scenario with think time, like 06, has none in its first second).
 */
export function liveOf(reqs: Record<string, number>, failed: Sample, checks: Sample): Live {
  const requests = reqs['count'] ?? 0;
  return {
    requests,
    rps: reqs['rate'] ?? 0,
    failedRate: requests > 0 ? (failed?.['rate'] ?? 0) : 0,
    checksRate: requests > 0 ? (checks?.['rate'] ?? 1) : 1,
  };
}

export interface K6Options {
  lab: Lab;
  k6: string;
  script: string;
  env: Record<string, string>;
  summaryFile: string;
  loadgenCpuset: string;
  /** More `k6 run` arguments before the script (e.g. --monitor's remote-write output and tags). */
  extraArgs?: string[];
  onLive?: (l: Live) => void;
  /** Receives a function that stops k6 (SIGINT: k6 stops and still writes its summary). */
  onStart?: (stop: (signal: NodeJS.Signals) => void) => void;
}

/** k6's command line: a free port for its REST API (live progress), the caller's extra arguments, the script. */
function k6Argv(o: K6Options, port: number): string[] {
  return [
    o.k6,
    'run',
    '--quiet',
    '--no-color',
    '--address',
    `127.0.0.1:${port}`,
    ...(o.extraArgs ?? []),
    o.script,
  ];
}

/** k6's stdout whole, and the last 20 non-empty lines of its stderr (what a failed run is explained with). */
function captureOutput(child: ChildProcess): { stdout: () => string; tail: string[] } {
  let stdout = '';
  const tail: string[] = [];
  child.stdout?.on('data', (b: Buffer) => {
    stdout += b.toString();
  });
  child.stderr?.on('data', (b: Buffer) => {
    for (const line of b.toString().split('\n')) {
      if (!line.trim()) continue;
      tail.push(line);
      if (tail.length > 20) tail.shift();
    }
  });
  return { stdout: () => stdout, tail };
}

/** Where k6's CPU counter stood when the first request was made (null until then). */
type LoadStart = { cpu: number; t: number } | null;

/** k6's CPU, its share of its cores (over the test itself when the start was seen) and peak memory. */
function loadgenResources(
  o: K6Options,
  cgroup: string | null,
  wallSeconds: number,
  start: LoadStart,
): LoadgenResources {
  const cg = o.lab.cgroups;
  const cores = parseCpuset(o.loadgenCpuset).length;
  if (!cgroup || !cg)
    return { pinned: false, cpuset: null, cores, cpuSeconds: null, cpuShare: null, peakMemoryBytes: null };
  const u = cg.readUsage(cgroup);
  const cpuset = cg.readLimits(cgroup).cpuset;
  const n = cpuset ? parseCpuset(cpuset).length : cores;
  const share = start
    ? (u.cpuSeconds - start.cpu) / (((performance.now() - start.t) / 1000) * n)
    : wallSeconds > 0
      ? u.cpuSeconds / (wallSeconds * n)
      : null;
  return {
    pinned: true,
    cpuset,
    cores: n,
    cpuSeconds: u.cpuSeconds,
    cpuShare: share,
    peakMemoryBytes: u.memoryPeakBytes,
  };
}

export async function runK6(o: K6Options): Promise<K6Run> {
  const { lab } = o;
  const cg = lab.cgroups;
  // A k6 cgroup left by a crash would carry its old counters into this run: remove it first.
  const k6Group = lab.cgroupPath('loadgen', 'k6');
  if (cg?.exists(k6Group) && cg.pids(k6Group).filter(isAlive).length === 0)
    await lab.releaseOneshot('loadgen', 'k6');
  const port = await freePort();
  // k6 reads these through __ENV (it includes the process environment by default).
  const env: Record<string, string> = {
    ...o.env,
    K6_NO_USAGE_REPORT: 'true',
    LAB_SUMMARY: o.summaryFile,
    LAB_RUNNER: '1',
  };
  // A summary left by an earlier, interrupted k6 must never be read as this run's.
  rmSync(o.summaryFile, { force: true });
  const t0 = performance.now();
  const { child, cgroup } = await lab.spawnInCgroup('loadgen', 'k6', k6Argv(o, port), { env, stdio: 'pipe' });
  o.onStart?.((signal) => {
    if (child.exitCode === null) child.kill(signal);
  });
  const output = captureOutput(child);
  // k6's CPU is judged over the test itself: initialising 2,000 VUs is busy too, but it is not load.
  let start: LoadStart = null;
  const timer = setInterval(async () => {
    const live = await poll(port);
    if (!live) return;
    if (!start && live.requests > 0 && cgroup && cg?.exists(cgroup))
      start = { cpu: cg.readUsage(cgroup).cpuSeconds, t: performance.now() };
    o.onLive?.(live);
  }, 1000);
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
    (resolve) => {
      child.once('error', () => resolve({ code: null, signal: null }));
      child.once('exit', (c, s) => resolve({ code: c, signal: s }));
    },
  );
  clearInterval(timer);
  const wallSeconds = (performance.now() - t0) / 1000;
  const loadgen = loadgenResources(o, cgroup, wallSeconds, start);
  await lab.releaseOneshot('loadgen', 'k6');
  return {
    exitCode: code,
    signal,
    wallSeconds,
    summary: tryReadJson<K6Summary>(o.summaryFile),
    loadgen,
    stdout: output.stdout(),
    stderrTail: output.tail,
  };
}

/**
 * Latency over successful requests only (failed ones are counted apart); summaries written before the
 * scenarios kept this submetric fall back to every request.
 */
const OK_DURATION = 'http_req_duration{expected_response:true}';

/** Per route (05, 06: the scenarios' `name` tags), from the submetrics their thresholds keep. */
export function extractRoutes(s: K6Summary): Record<string, RouteMetrics> {
  const out: Record<string, RouteMetrics> = {};
  for (const key of Object.keys(s.metrics)) {
    const name = /^http_reqs\{name:([^}]+)\}$/.exec(key)?.[1];
    if (!name) continue;
    const v = (metric: string, k: string): number => s.metrics[metric]?.values[k] ?? 0;
    const d = `http_req_duration{name:${name},expected_response:true}`;
    out[name] = {
      requests: v(key, 'count'),
      failedRequests: v(`http_req_failed{name:${name}}`, 'passes'),
      checksFailed: v(`checks{name:${name}}`, 'fails'),
      p50: v(d, 'p(50)'),
      p99: v(d, 'p(99)'),
    };
  }
  return out;
}

/**
 * Failed requests by kind, from the `request_errors{kind:…}` submetrics the scenarios' thresholds keep
 * (scenarios/lib/errors.ts); kinds with none are left out. Undefined for a summary without them (older scenarios).
 */
export function extractErrorKinds(s: K6Summary): Record<string, number> | undefined {
  let found = false;
  const out: Record<string, number> = {};
  for (const [key, m] of Object.entries(s.metrics)) {
    const kind = /^request_errors\{kind:([^}]+)\}$/.exec(key)?.[1];
    if (!kind) continue;
    found = true;
    const n = m.values['count'] ?? 0;
    if (n > 0) out[kind] = n;
  }
  return found ? out : undefined;
}

/** "timeout 12, http-5xx 3": the kinds of a step's failed requests, most frequent first. */
export function errorKindsText(kinds: Record<string, number> | undefined): string {
  return Object.entries(kinds ?? {})
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
}

/** The runner's view of one k6 summary. */
export function extractMetrics(s: K6Summary): StepMetrics {
  const v = (metric: string, key: string): number => s.metrics[metric]?.values[key] ?? 0;
  const lat = s.metrics[OK_DURATION] ? OK_DURATION : 'http_req_duration';
  const m: StepMetrics = {
    requests: v('http_reqs', 'count'),
    rps: v('http_reqs', 'rate'),
    failedRequests: v('http_req_failed', 'passes'),
    errorRate: v('http_req_failed', 'rate'),
    checksPassed: v('checks', 'passes'),
    checksFailed: v('checks', 'fails'),
    iterations: v('iterations', 'count'),
    droppedIterations: v('dropped_iterations', 'count'),
    latencyMs: {
      avg: v(lat, 'avg'),
      min: v(lat, 'min'),
      p50: v(lat, 'p(50)'),
      p90: v(lat, 'p(90)'),
      p95: v(lat, 'p(95)'),
      p99: v(lat, 'p(99)'),
      p999: v(lat, 'p(99.9)'),
      max: v(lat, 'max'),
    },
    vusMax: v('vus_max', 'value'),
    dataReceivedBytes: v('data_received', 'count'),
    ordersPlaced: v('orders_placed', 'count'),
    stockConflicts: v('stock_conflicts', 'count'),
    testRunDurationMs: s.state?.testRunDurationMs ?? 0,
    routes: extractRoutes(s),
  };
  const kinds = extractErrorKinds(s);
  if (kinds) m.errorKinds = kinds;
  return m;
}

/** 08: a step is sustained when p99 is under the SLO with no failed request or check and nothing dropped. */
export function judgeSlo(m: StepMetrics, p99Ms: number): SloResult {
  const reasons: string[] = [];
  if (m.requests === 0) reasons.push('no request completed');
  if (m.latencyMs.p99 > p99Ms) reasons.push(`p99 ${m.latencyMs.p99.toFixed(1)} ms > ${p99Ms} ms`);
  if (m.failedRequests > 0) {
    const kinds = errorKindsText(m.errorKinds);
    reasons.push(`${m.failedRequests} failed requests${kinds ? ` (${kinds})` : ''}`);
  }
  if (m.checksFailed > 0) reasons.push(`${m.checksFailed} failed checks`);
  if (m.droppedIterations > 0) reasons.push(`${m.droppedIterations} dropped iterations`);
  return { p99Ms, pass: reasons.length === 0, reasons };
}
