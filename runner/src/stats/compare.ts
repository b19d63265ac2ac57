/**
 * Comparing two targets on one metric: the ratio of their means with a 95% confidence interval, and Welch's
 * t-test (unequal variances) for the difference. Runs are the samples.
 *
 * Ratio CI: the delta method on the log of the ratio, se² = s_a²/(n_a·m_a²) + s_b²/(n_b·m_b²), with the
 * Welch–Satterthwaite degrees of freedom of those two terms; the interval is exp(log(m_a/m_b) ± t·se).
 */
import jStat from 'jstat';
import { mean, sampleVariance } from 'simple-statistics';
import { tQuantile } from './describe.js';

export interface Welch {
  t: number;
  df: number;
  /** Two-sided p-value. */
  p: number;
}

export interface Comparison {
  /** mean(a) / mean(b) */
  ratio: number;
  ci95: [number, number] | null;
  welch: Welch | null;
  /** "***" p < 0.001, "**" < 0.01, "*" < 0.05, "" otherwise (no stars, no conclusions). */
  stars: string;
}

function welchDf(va: number, na: number, vb: number, nb: number): number {
  const a = va / na;
  const b = vb / nb;
  return (a + b) ** 2 / (a ** 2 / (na - 1) + b ** 2 / (nb - 1));
}

/** Welch's unequal-variances t-test; null with fewer than 2 samples a side. */
export function welchTest(a: readonly number[], b: readonly number[]): Welch | null {
  if (a.length < 2 || b.length < 2) return null;
  const va = sampleVariance(a as number[]);
  const vb = sampleVariance(b as number[]);
  const diff = mean(a as number[]) - mean(b as number[]);
  const se = Math.sqrt(va / a.length + vb / b.length);
  if (se === 0)
    return {
      t: diff === 0 ? 0 : Math.sign(diff) * Number.POSITIVE_INFINITY,
      df: a.length + b.length - 2,
      p: diff === 0 ? 1 : 0,
    };
  const t = diff / se;
  const df = welchDf(va, a.length, vb, b.length);
  const p = 2 * (1 - jStat.studentt.cdf(Math.abs(t), df));
  return { t, df, p: Math.min(1, Math.max(0, p)) };
}

export function stars(p: number | null | undefined): string {
  if (p === null || p === undefined) return '';
  return p < 0.001 ? '***' : p < 0.01 ? '**' : p < 0.05 ? '*' : '';
}

export function compare(a: readonly number[], b: readonly number[], confidence = 0.95): Comparison | null {
  if (a.length === 0 || b.length === 0) return null;
  const ma = mean(a as number[]);
  const mb = mean(b as number[]);
  if (mb === 0 || ma <= 0 || mb < 0) return null;
  const ratio = ma / mb;
  const welch = welchTest(a, b);
  let ci: [number, number] | null = null;
  if (a.length > 1 && b.length > 1) {
    const va = sampleVariance(a as number[]);
    const vb = sampleVariance(b as number[]);
    const ta = va / (a.length * ma * ma);
    const tb = vb / (b.length * mb * mb);
    const se = Math.sqrt(ta + tb);
    if (se === 0) ci = [ratio, ratio];
    else {
      const df = (ta + tb) ** 2 / (ta ** 2 / (a.length - 1) + tb ** 2 / (b.length - 1));
      const half = tQuantile(confidence, df) * se;
      ci = [Math.exp(Math.log(ratio) - half), Math.exp(Math.log(ratio) + half)];
    }
  }
  return { ratio, ci95: ci, welch, stars: stars(welch?.p) };
}
