/**
 * Paired ratios. Runs are interleaved (A B C A B C …), so round i of A and round i of B ran minutes apart on
 * the same machine in the same state: the machine's drift (neighbours, steal, clock) moves both, and the ratio
 * A_i / B_i cancels most of it. The ratio's mean and 95% CI come from the logs of those per-round ratios
 * (Student t, n − 1 degrees of freedom), i.e. a geometric mean: ratios are multiplicative, and log(A/B) is
 * symmetric where A/B is not.
 */
import { mean, sampleStandardDeviation } from 'simple-statistics';
import { tQuantile } from './describe.js';

export interface PairedRatio {
  /** Rounds with a positive value on both sides. */
  n: number;
  /** exp(mean(log(A_i / B_i))): the geometric mean of the per-round ratios. */
  ratio: number;
  /** 95% CI of that ratio; null with fewer than 2 rounds. */
  ci95: [number, number] | null;
  /**
   * The CI as "ratio ×/÷ (1 + halfWidth)": exp(t·s/√n) − 1 on the log scale, which for narrow intervals is the
   * usual half-width relative to the ratio (±x%); null with fewer than 2 rounds.
   */
  halfWidth: number | null;
  /**
   * Rounds this spread of per-round ratios would need for a CI of ±TARGET_HALF_WIDTH (same standard deviation,
   * Student t with n − 1 df): how many runs a cell needs before the ratio is as precise as the lab wants it; null
   * with fewer than 2 rounds or more than MAX_ROUNDS.
   */
  roundsForTarget: number | null;
}

/** The precision the lab aims for on a ratio between two targets: ±10% at 95%. */
export const TARGET_HALF_WIDTH = 0.1;
const MAX_ROUNDS = 1000;

/** Per-round pairs by run number: `a` and `b` map a run number to its value. */
export function pairedRatio(
  a: ReadonlyMap<number, number | null>,
  b: ReadonlyMap<number, number | null>,
  confidence = 0.95,
): PairedRatio | null {
  const logs: number[] = [];
  for (const [run, x] of a) {
    const y = b.get(run);
    if (x != null && y != null && x > 0 && y > 0) logs.push(Math.log(x / y));
  }
  if (logs.length === 0) return null;
  const m = mean(logs);
  const ratio = Math.exp(m);
  if (logs.length < 2) return { n: logs.length, ratio, ci95: null, halfWidth: null, roundsForTarget: null };
  const sd = sampleStandardDeviation(logs);
  const half = logHalfWidth(sd, logs.length, confidence);
  const ci95: [number, number] = [Math.exp(m - half), Math.exp(m + half)];
  return {
    n: logs.length,
    ratio,
    ci95,
    halfWidth: Math.expm1(half),
    roundsForTarget: roundsFor(sd, TARGET_HALF_WIDTH, confidence),
  };
}

/** The CI half-width on the log scale of a mean of n logs with this standard deviation (Student t, n − 1 df). */
export function logHalfWidth(sd: number, n: number, confidence = 0.95): number {
  return tQuantile(confidence, n - 1) * (sd / Math.sqrt(n));
}

/** The fewest rounds (≥ 2) whose CI half-width at this standard deviation of the logs is within `target`. */
export function roundsFor(sd: number, target: number, confidence = 0.95): number | null {
  const bound = Math.log1p(target);
  for (let n = 2; n <= MAX_ROUNDS; n++) if (logHalfWidth(sd, n, confidence) <= bound) return n;
  return null;
}
