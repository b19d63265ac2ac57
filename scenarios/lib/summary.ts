/**
 * handleSummary for every scenario. Through the runner (LAB_SUMMARY set): the whole k6 summary as JSON to that
 * file, plus what was run and the per-route breakdown, and one line on stdout; the runner reads the JSON and
 * nothing parses k6's text output. Alone (`k6 run scenarios/03-pdp.ts`): the lab's JSON as one log line, and
 * k6's own end-of-test summary (returning nothing makes k6 print its default one).
 */

import { BASE_URL } from './api.ts';
import { info } from './data.ts';
import { OK_DURATION, type Resolved } from './profile.ts';
import { CHECK_EVERY, CHECK_FIRST } from './sampling.ts';

// k6 has console; @types/k6 does not declare it.
declare const console: { log(...args: unknown[]): void };

interface Values {
  [k: string]: number;
}
interface SummaryData {
  metrics: Record<string, { type: string; contains: string; values: Values }>;
  state: { testRunDurationMs: number };
  [k: string]: unknown;
}

export interface RouteSummary {
  requests: number;
  failed: number;
  checksFailed: number;
  p50: number | null;
  p99: number | null;
}

/** Per route, from the submetrics profile.ts's thresholds() asks k6 to keep (05, 06). */
function routes(metrics: SummaryData['metrics']): Record<string, RouteSummary> {
  const out: Record<string, RouteSummary> = {};
  for (const key of Object.keys(metrics)) {
    const m = /^http_reqs\{name:([^}]+)\}$/.exec(key);
    if (!m) continue;
    const name = m[1]!;
    const d = metrics[`http_req_duration{name:${name},expected_response:true}`]?.values;
    out[name] = {
      requests: metrics[key]!.values['count'] ?? 0,
      failed: metrics[`http_req_failed{name:${name}}`]?.values['passes'] ?? 0,
      checksFailed: metrics[`checks{name:${name}}`]?.values['fails'] ?? 0,
      p50: d?.['p(50)'] ?? null,
      p99: d?.['p(99)'] ?? null,
    };
  }
  return out;
}

/** Failed requests by kind, from the submetrics errors.ts's counter and profile.ts's thresholds keep. */
function errorKinds(metrics: SummaryData['metrics']): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of Object.keys(metrics)) {
    const kind = /^request_errors\{kind:([^}]+)\}$/.exec(key)?.[1];
    const n = kind ? (metrics[key]!.values['count'] ?? 0) : 0;
    if (kind && n > 0) out[kind] = n;
  }
  return out;
}

export function summarize(r: Resolved, data: SummaryData): Record<string, string> | undefined {
  const lab = {
    scenario: r.profile.name,
    step: r.step,
    model: r.model,
    vus: r.vus,
    rate: r.rate,
    duration: r.duration,
    baseUrl: BASE_URL,
    seed: info.seed,
    scale: info.scale,
    sampling: { first: CHECK_FIRST, every: CHECK_EVERY },
    routes: routes(data.metrics),
    errors: errorKinds(data.metrics),
  };
  const file = __ENV['LAB_SUMMARY'];
  if (!file) {
    console.log(`lab summary: ${JSON.stringify(lab)}`);
    return undefined;
  }
  const d = (data.metrics[OK_DURATION] ?? data.metrics['http_req_duration'])?.values ?? {};
  const reqs = data.metrics['http_reqs']?.values ?? {};
  const failed = data.metrics['http_req_failed']?.values ?? {};
  const checks = data.metrics['checks']?.values ?? {};
  const f = (x: number | undefined) => (x === undefined ? '-' : x.toFixed(2));
  const kinds = Object.entries(lab.errors)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  return {
    [file]: JSON.stringify({ lab, ...data }),
    stdout:
      `${r.profile.name} [${r.step}] ${f(reqs['rate'])} req/s  p50 ${f(d['p(50)'])} ms  p99 ${f(d['p(99)'])} ms  ` +
      `failed ${failed['passes'] ?? 0}${kinds ? ` (${kinds})` : ''}  checks failed ${checks['fails'] ?? 0}\n`,
  };
}
