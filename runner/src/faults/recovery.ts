/**
 * What a fault did to the load, from the per-request samples (k6-samples.ts) and the fault's timestamps:
 *
 * - during the fault: requests that started between the fault and recovery (the resume of a pause or the
 *   restart's health, or the last failure if later), how many failed, the error rate;
 * - time to first success: for every route, the first successful request that started after the fault; the
 *   slowest route counts (a route the victim never served answers at once, which says nothing);
 * - time to SLO: from the fault to the start of the first window (500 ms, by request start) that begins
 *   HOLD_WINDOWS windows in a row with p99 under the SLO and no failure;
 * - requests lost: failed requests plus dropped iterations after the fault.
 */
import type { K6Samples, RequestSample } from './k6-samples.js';

export const WINDOW_MS = 500;

export interface FaultTimes {
  /** Epoch ms the signal was sent. */
  atMs: number;
  /** Epoch ms the victim was back: SIGCONT, or the restarted process healthy (null: it never came back). */
  backMs: number | null;
}

export interface WindowStat {
  /** Window start relative to the fault, ms (negative before it). */
  tMs: number;
  requests: number;
  failed: number;
  p99Ms: number | null;
}

export interface Recovery {
  requests: number;
  failed: number;
  dropped: number;
  during: { fromMs: number; toMs: number; requests: number; failed: number; errorRate: number };
  timeToFirstSuccessMs: number | null;
  timeToSloMs: number | null;
  requestsLost: number;
  series: WindowStat[];
}

const startOf = (r: RequestSample) => r.endMs - r.durationMs;

export function p99(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.99 * sorted.length) - 1)]!;
}

function firstSuccessMs(reqs: RequestSample[], atMs: number): number | null {
  const firstOk = new Map<string, number>();
  const routes = new Set<string>();
  for (const r of reqs) {
    if (startOf(r) < atMs) continue;
    routes.add(r.route);
    if (r.ok && (firstOk.get(r.route) ?? Infinity) > r.endMs) firstOk.set(r.route, r.endMs);
  }
  if (routes.size === 0) return null;
  let worst = 0;
  for (const route of routes) {
    const t = firstOk.get(route);
    if (t === undefined) return null;
    worst = Math.max(worst, t - atMs);
  }
  return worst;
}

export function windows(reqs: RequestSample[], atMs: number): WindowStat[] {
  if (reqs.length === 0) return [];
  const first = Math.floor((Math.min(...reqs.map(startOf)) - atMs) / WINDOW_MS);
  const last = Math.floor((Math.max(...reqs.map(startOf)) - atMs) / WINDOW_MS);
  const buckets = new Map<number, RequestSample[]>();
  for (const r of reqs) {
    const k = Math.floor((startOf(r) - atMs) / WINDOW_MS);
    buckets.set(k, [...(buckets.get(k) ?? []), r]);
  }
  const out: WindowStat[] = [];
  for (let k = first; k <= last; k++) {
    const b = buckets.get(k) ?? [];
    out.push({
      tMs: k * WINDOW_MS,
      requests: b.length,
      failed: b.filter((r) => !r.ok).length,
      p99Ms: p99(b.map((r) => r.durationMs)),
    });
  }
  return out;
}

/** Windows in a row that must hold the SLO to call it recovered (one noisy window alone does not undo it). */
export const HOLD_WINDOWS = 4;

function timeToSlo(series: WindowStat[], sloP99Ms: number): number | null {
  const good = (w: WindowStat) => w.failed === 0 && (w.p99Ms === null || w.p99Ms <= sloP99Ms);
  const after = series.filter((w) => w.tMs >= 0);
  for (let i = 0; i < after.length; i++) {
    const run = after.slice(i, i + HOLD_WINDOWS);
    if (run.every(good) && (run.length === HOLD_WINDOWS || i + run.length === after.length))
      return after[i]!.tMs;
  }
  return null;
}

export function analyseRecovery(s: K6Samples, fault: FaultTimes, sloP99Ms: number): Recovery {
  const reqs = s.requests;
  const lastFailure = Math.max(
    -Infinity,
    ...reqs.filter((r) => !r.ok && startOf(r) >= fault.atMs).map((r) => r.endMs),
  );
  const toMs = Math.max(fault.backMs ?? fault.atMs, lastFailure);
  const inFault = reqs.filter((r) => startOf(r) >= fault.atMs && startOf(r) <= toMs);
  const failedInFault = inFault.filter((r) => !r.ok).length;
  const series = windows(reqs, fault.atMs);
  const droppedAfter = s.dropped.filter((t) => t >= fault.atMs).length;
  return {
    requests: reqs.length,
    failed: reqs.filter((r) => !r.ok).length,
    dropped: s.dropped.length,
    during: {
      fromMs: 0,
      toMs: toMs - fault.atMs,
      requests: inFault.length,
      failed: failedInFault,
      errorRate: inFault.length === 0 ? 0 : failedInFault / inFault.length,
    },
    timeToFirstSuccessMs: firstSuccessMs(reqs, fault.atMs),
    timeToSloMs: timeToSlo(series, sloP99Ms),
    requestsLost: reqs.filter((r) => !r.ok && startOf(r) >= fault.atMs).length + droppedAfter,
    series,
  };
}
