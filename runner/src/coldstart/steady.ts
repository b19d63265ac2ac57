/**
 * When latency after a start has settled: p99 per 1-second window of the prober's samples; the steady p99 is
 * the median of the last three windows' p99; the time to steady p99 is the start of the first window that begins
 * HOLD_WINDOWS windows in a row with p99 within 1.5x of it (at least 1 ms above it: sub-millisecond noise is
 * not a trend).
 */
import { p99 } from '../faults/recovery.js';
import { median } from '../resilience/cells.js';
import type { ProbeSample } from './probe.js';

export const STEADY_WINDOW_MS = 1000;
/** Windows in a row that must stay within the limit: one noisy window on a shared machine is not a trend. */
export const HOLD_WINDOWS = 3;

export interface Steady {
  steadyP99Ms: number | null;
  /** ms since the start timestamp. */
  timeToSteadyMs: number | null;
  windows: { tMs: number; p99Ms: number | null; n: number }[];
}

export function steadyState(samples: ProbeSample[]): Steady {
  if (samples.length === 0) return { steadyP99Ms: null, timeToSteadyMs: null, windows: [] };
  const first = Math.floor(samples[0]!.sentMs / STEADY_WINDOW_MS);
  const last = Math.floor(samples[samples.length - 1]!.sentMs / STEADY_WINDOW_MS);
  const windows: Steady['windows'] = [];
  for (let k = first; k <= last; k++) {
    const w = samples.filter((s) => Math.floor(s.sentMs / STEADY_WINDOW_MS) === k).map((s) => s.latencyMs);
    windows.push({ tMs: k * STEADY_WINDOW_MS, p99Ms: p99(w), n: w.length });
  }
  const tail = windows.slice(-3).map((w) => w.p99Ms);
  const steady = median(tail);
  if (steady === null) return { steadyP99Ms: null, timeToSteadyMs: null, windows };
  const limit = Math.max(steady * 1.5, steady + 1);
  const ok = (w: Steady['windows'][0]) => w.p99Ms === null || w.p99Ms <= limit;
  let since: number | null = null;
  for (let i = 0; i < windows.length && since === null; i++) {
    const run = windows.slice(i, i + HOLD_WINDOWS);
    if (run.every(ok) && (run.length === HOLD_WINDOWS || i + run.length === windows.length))
      since = windows[i]!.tMs;
  }
  return { steadyP99Ms: steady, timeToSteadyMs: since, windows };
}
