/**
 * `./run-benchmark.sh … --monitor`: brings the `monitoring` profile up (natively through ./lab, or with Docker
 * Compose), streams every k6 run to Prometheus by remote write (trends as native histograms, tagged with the
 * target, scenario, step, run id, run number and phase), and after each measured step evaluates every query of
 * every provisioned dashboard over the step's time window. The answers are stored beside the run's other files
 * (monitoring-NN.json, rendered into monitoring.md), so a run stays readable after Prometheus is gone.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { LabCompose } from '../lab/compose.js';
import { LabPaths } from '../lab/paths.js';
import { findTool, type ToolContext } from '../lab/tools.js';
import { runStreamed } from '../lib/stream.js';
import type { K6Totals, MonitoringCapture, QueryCapture, SeriesCapture } from '../results/types.js';
import {
  type Dashboard,
  loadDashboards,
  type PanelQuery,
  rateInterval,
  resolveVariables,
  SCRAPE_INTERVAL_SECONDS,
  substitute,
} from './dashboards.js';
import { Prometheus } from './prometheus-api.js';

export const MONITORING_PROFILE = 'monitoring';
/** k6's push interval to Prometheus while monitoring (the output's default is 5 s). */
export const K6_PUSH_INTERVAL = '2s';

/** Prometheus's URL on the host: LAB_PROMETHEUS_URL, else the origin of the prometheus service's native health URL. */
export function prometheusUrl(c: LabCompose, env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env['LAB_PROMETHEUS_URL'];
  if (fromEnv) return fromEnv.replace(/\/+$/, '');
  const h = c.services.get('prometheus')?.native?.health;
  if (!h || !('url' in h))
    throw new Error('docker-compose.yml has no prometheus service with a native health url');
  return new URL(h.url).origin;
}

export interface K6Phase {
  target: string;
  scenario: string;
  step: string;
  run: number;
  phase: 'warmup' | 'measure';
}

/** k6's command-line arguments and environment for streaming one run to Prometheus. */
export function k6RemoteWrite(
  prom: string,
  runId: string,
  p: K6Phase,
): { args: string[]; env: Record<string, string> } {
  // `--tag` replaces the script's own `tags` option (scenarios/lib/profile.ts sets scenario_name and step), so the
  // runner passes those two again, with the same values, next to its own.
  const tags: Record<string, string> = {
    target: p.target,
    scenario_name: p.scenario,
    step: p.step,
    run_id: runId,
    run: String(p.run),
    phase: p.phase,
  };
  return {
    args: [
      '-o',
      'experimental-prometheus-rw',
      ...Object.entries(tags).flatMap(([k, v]) => ['--tag', `${k}=${v}`]),
    ],
    env: {
      K6_PROMETHEUS_RW_SERVER_URL: `${prom}/api/v1/write`,
      K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM: 'true',
      K6_PROMETHEUS_RW_PUSH_INTERVAL: K6_PUSH_INTERVAL,
      K6_PROMETHEUS_RW_STALE_MARKERS: 'true',
    },
  };
}

const finite = (v: number) => Number.isFinite(v);

function summarize(samples: [number, number][]): Omit<SeriesCapture, 'labels' | 'samples'> {
  const v = samples.map((s) => s[1]).filter(finite);
  if (v.length === 0) return { min: null, mean: null, max: null, last: null };
  return {
    min: Math.min(...v),
    mean: v.reduce((a, x) => a + x, 0) / v.length,
    max: Math.max(...v),
    last: v[v.length - 1]!,
  };
}

const promString = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** The series of one measured k6 run (the tags k6RemoteWrite gives it). */
export function k6Selector(runId: string, p: K6Phase): string {
  const tags = {
    target: p.target,
    run_id: runId,
    scenario_name: p.scenario,
    run: String(p.run),
    step: p.step,
    phase: p.phase,
  };
  return Object.entries(tags)
    .map(([k, v]) => `${k}=${promString(v)}`)
    .join(', ');
}

export async function k6Totals(
  prom: Prometheus,
  selector: string,
  end: number,
  window: number,
): Promise<K6Totals> {
  const none: K6Totals = {
    selector,
    at: null,
    requests: null,
    failedRequests: null,
    latencySeconds: { avg: null, p50: null, p90: null, p95: null, p99: null },
  };
  // Raw samples (a range selector leaves k6's end-of-run stale markers out): the last one is the run's total.
  const raw = await prom.query(`k6_http_reqs_total{${selector}}[${window + 60}s]`, end);
  const last = raw.map((s) => s.samples[s.samples.length - 1]).filter((x): x is [number, number] => !!x);
  if (last.length === 0) return none;
  const at = Math.max(...last.map((x) => x[0]));
  const one = async (expr: string) => {
    const r = await prom.query(expr, at);
    const v = r[0]?.samples[0]?.[1];
    return v === undefined || !Number.isFinite(v) ? null : v;
  };
  const h = `sum(k6_http_req_duration_seconds{${selector}})`;
  const count = await one(`histogram_count(${h})`);
  const sum = await one(`histogram_sum(${h})`);
  return {
    selector,
    at,
    requests: last.reduce((a, x) => a + x[1], 0),
    failedRequests: (await one(`sum(k6_http_reqs_total{${selector}, expected_response="false"})`)) ?? 0,
    latencySeconds: {
      avg: count && sum !== null ? sum / count : null,
      p50: await one(`histogram_quantile(0.5, ${h})`),
      p90: await one(`histogram_quantile(0.9, ${h})`),
      p95: await one(`histogram_quantile(0.95, ${h})`),
      p99: await one(`histogram_quantile(0.99, ${h})`),
    },
  };
}

/**
 * Evaluates every query of every dashboard for one target over [start, end] (unix seconds); with `k6` (the
 * measured run's selector), also the run's exact k6 totals.
 */
export async function captureWindow(
  prom: Prometheus,
  dashboards: Dashboard[],
  target: string,
  start: number,
  end: number,
  k6?: string,
): Promise<MonitoringCapture> {
  const step = SCRAPE_INTERVAL_SECONDS;
  const rate = rateInterval(step);
  // "Over the step": the step itself as the range (at least two scrapes, so that a rate has two samples).
  const window = Math.max(Math.ceil(end - start) + 1, 2 * step + 1);
  const from = Math.floor(start / step) * step;
  const to = Math.ceil(end / step) * step;
  const variables: Record<string, Record<string, string[]>> = {};
  const queries: QueryCapture[] = [];
  for (const d of dashboards) {
    let values: Record<string, string[]>;
    try {
      values = await resolveVariables(d, prom, from - window, to, { target: [target] });
    } catch (e) {
      for (const q of d.queries) queries.push(failed(q, (e as Error).message));
      continue;
    }
    variables[d.uid] = values;
    for (const q of d.queries) {
      try {
        const expr = substitute(q.expr, d, values, { rateInterval: rate, interval: step, range: to - from });
        const overExpr = substitute(q.expr, d, values, {
          rateInterval: window,
          interval: step,
          range: window,
        });
        const range = await prom.queryRange(expr, from, to, step);
        const over = await prom.query(overExpr, end);
        queries.push({
          dashboard: d.title,
          panel: q.panel,
          refId: q.refId,
          legend: q.legend,
          template: q.expr,
          expr,
          series: range.map((s) => ({ labels: s.labels, samples: s.samples, ...summarize(s.samples) })),
          overRun: {
            expr: overExpr,
            values: over.flatMap((s) => s.samples.map((x) => ({ labels: s.labels, value: x[1] }))),
          },
          error: null,
        });
      } catch (e) {
        queries.push(failed(q, (e as Error).message));
      }
    }
  }
  return {
    prometheus: prom.url,
    start: new Date(start * 1000).toISOString(),
    end: new Date(end * 1000).toISOString(),
    stepSeconds: step,
    rateIntervalSeconds: rate,
    overRunWindowSeconds: window,
    variables,
    k6: k6 ? await k6Totals(prom, k6, end, window).catch(() => null) : null,
    queries,
  };
}

function failed(q: PanelQuery, error: string): QueryCapture {
  return {
    dashboard: q.dashboard,
    panel: q.panel,
    refId: q.refId,
    legend: q.legend,
    template: q.expr,
    expr: q.expr,
    series: [],
    overRun: { expr: q.expr, values: [] },
    error,
  };
}

/** What the benchmark loop needs from monitoring (a seam: the loop's tests pass a fake). */
export interface RunMonitor {
  k6(p: K6Phase): { args: string[]; env: Record<string, string> };
  /** The stored answers for one measured step (k6 run `p`) over [start, end] (unix seconds). */
  capture(p: K6Phase, start: number, end: number): Promise<MonitoringCapture>;
}

export class Monitor implements RunMonitor {
  readonly prom: Prometheus;
  private readonly dashboards: Dashboard[];
  constructor(
    root: string,
    url: string,
    private readonly runId: string,
  ) {
    this.prom = new Prometheus(url);
    this.dashboards = loadDashboards(root);
  }

  k6(p: K6Phase): { args: string[]; env: Record<string, string> } {
    return k6RemoteWrite(this.prom.url, this.runId, p);
  }

  async capture(p: K6Phase, start: number, end: number): Promise<MonitoringCapture> {
    // The last scrape and k6's last push must have landed: one scrape interval and a bit after the end.
    const settle = end + SCRAPE_INTERVAL_SECONDS + 1.5 - Date.now() / 1000;
    if (settle > 0) await new Promise((r) => setTimeout(r, settle * 1000));
    return captureWindow(this.prom, this.dashboards, p.target, start, end, k6Selector(this.runId, p));
  }
}

async function runChild(
  cmd: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  log: (l: string) => void,
): Promise<void> {
  const r = await runStreamed(cmd, args, { cwd, env, log, keep: 30 });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.code !== 0) throw new Error(`${[cmd, ...args].join(' ')} exited ${r.code}:\n${r.tail.join('\n')}`);
}

/**
 * Brings the monitoring profile up (or finds it up) and waits for Prometheus. Natively through `./lab up
 * monitoring` in a child process (so the services are not children of this long-lived process); with Docker,
 * `docker compose --profile monitoring up -d --wait`. It is left running afterwards, for Grafana and Prometheus.
 */
export async function startMonitoring(o: {
  root: string;
  compose: LabCompose;
  mode: 'docker' | 'native';
  noLimits: boolean;
  env: NodeJS.ProcessEnv;
  runId: string;
  log: (line: string) => void;
}): Promise<{ monitor: Monitor; versions: Record<string, string | null> }> {
  const url = prometheusUrl(o.compose, o.env);
  o.log(`monitoring: bringing up the ${MONITORING_PROFILE} profile (${o.mode}); Prometheus at ${url}`);
  if (o.mode === 'native') {
    const cli = join(o.root, 'runner', 'dist', 'src', 'lab', 'cli.js');
    await runChild(
      process.execPath,
      [cli, 'up', MONITORING_PROFILE, ...(o.noLimits ? ['--no-limits'] : [])],
      o.root,
      o.env,
      o.log,
    );
  } else {
    await runChild(
      'docker',
      ['compose', '--profile', MONITORING_PROFILE, 'up', '-d', '--wait'],
      o.root,
      o.env,
      o.log,
    );
  }
  const monitor = new Monitor(o.root, url, o.runId);
  await monitor.prom.waitReady(60_000);
  const ctx: ToolContext = { paths: new LabPaths(o.root), env: o.env, log: () => undefined };
  const raw = parse(readFileSync(o.compose.file, 'utf8')) as {
    services?: Record<string, { image?: string }>;
  };
  const image = (name: string) => raw.services?.[name]?.image ?? null;
  const versions: Record<string, string | null> = {
    prometheus: await monitor.prom.version(),
    cadvisor: o.mode === 'native' ? safeFind('cadvisor', ctx) : image('cadvisor'),
    ...(o.mode === 'docker' ? { grafana: image('grafana') } : {}),
  };
  o.log(
    `monitoring: Prometheus ${versions['prometheus'] ?? '?'} ready; k6 streams to ${url}/api/v1/write` +
      (o.mode === 'docker' ? '; Grafana: http://127.0.0.1:3300' : ''),
  );
  return { monitor, versions };
}

function safeFind(name: string, ctx: ToolContext): string | null {
  try {
    return findTool(name, ctx)?.version ?? null;
  } catch {
    return null;
  }
}
