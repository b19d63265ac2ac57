/**
 * handleSummary for every scenario: the whole k6 summary as JSON to LAB_SUMMARY (the runner's run file), plus
 * what was run, and one line on stdout. The runner reads the JSON; nothing parses k6's text output.
 */

import { BASE_URL } from './api.ts';
import { info } from './data.ts';
import type { Resolved } from './profile.ts';

interface Values {
  [k: string]: number;
}
interface SummaryData {
  metrics: Record<string, { type: string; contains: string; values: Values }>;
  state: { testRunDurationMs: number };
  [k: string]: unknown;
}

export function summarize(r: Resolved, data: SummaryData): Record<string, string> {
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
  };
  const out: Record<string, string> = {};
  const file = __ENV['LAB_SUMMARY'];
  if (file) out[file] = JSON.stringify({ lab, ...data });
  const d = data.metrics['http_req_duration']?.values ?? {};
  const reqs = data.metrics['http_reqs']?.values ?? {};
  const failed = data.metrics['http_req_failed']?.values ?? {};
  const checks = data.metrics['checks']?.values ?? {};
  const f = (x: number | undefined) => (x === undefined ? '-' : x.toFixed(2));
  out['stdout'] =
    `${r.profile.name} [${r.step}] ${f(reqs['rate'])} req/s  p50 ${f(d['p(50)'])} ms  p99 ${f(d['p(99)'])} ms  ` +
    `failed ${failed['passes'] ?? 0}  checks failed ${checks['fails'] ?? 0}\n`;
  return out;
}
