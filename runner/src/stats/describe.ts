/**
 * Statistics over runs. A run is one sample (never a request: the requests of one run are not independent, and
 * treating them as samples makes any difference look significant). Library: simple-statistics for the
 * descriptive part, jstat for Student's t distribution.
 */
import jStat from 'jstat';
import { mean, median, sampleStandardDeviation } from 'simple-statistics';

export interface Describe {
  n: number;
  median: number;
  mean: number;
  /** Sample standard deviation (n - 1); 0 when n < 2. */
  stddev: number;
  /** stddev / mean; null when the mean is 0. */
  cv: number | null;
  /** 95% confidence interval of the mean, t-based over runs; null when n < 2. */
  ci95: [number, number] | null;
  min: number;
  max: number;
}

/** Two-sided Student t quantile for a confidence level (0.95 -> t_{0.975, df}). */
export function tQuantile(confidence: number, df: number): number {
  return jStat.studentt.inv(1 - (1 - confidence) / 2, df);
}

export function describe(values: readonly number[], confidence = 0.95): Describe | null {
  const xs = values.filter((v) => Number.isFinite(v));
  if (xs.length === 0) return null;
  const n = xs.length;
  const m = mean(xs);
  const sd = n > 1 ? sampleStandardDeviation(xs) : 0;
  let ci: [number, number] | null = null;
  if (n > 1) {
    const half = tQuantile(confidence, n - 1) * (sd / Math.sqrt(n));
    ci = [m - half, m + half];
  }
  return {
    n,
    median: median(xs),
    mean: m,
    stddev: sd,
    cv: m === 0 ? null : sd / Math.abs(m),
    ci95: ci,
    min: Math.min(...xs),
    max: Math.max(...xs),
  };
}
