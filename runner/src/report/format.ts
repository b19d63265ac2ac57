/** Number formatting shared by every table the lab prints or writes. */
import type { Describe } from '../stats/describe.js';

export function num(v: number | null | undefined, digits?: number): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  const d = digits ?? (Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2);
  return v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
}

/**
 * A ratio with three decimals, or three significant digits below 0.01: a latency ratio of 1/2,500 must not read
 * "0.000".
 */
export function ratioNum(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v) || v === 0 || Math.abs(v) >= 0.01)
    return num(v, 3);
  return Number(v.toPrecision(3)).toLocaleString('en-US', { maximumSignificantDigits: 3 });
}

export function pct(v: number | null | undefined, digits = 1): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : `${(v * 100).toFixed(digits)}%`;
}

/** "12,345 ±1.2%": the median over runs, and the 95% CI half-width of the mean relative to the mean. */
export function withCi(d: Describe | null, digits?: number): string {
  if (!d) return '–';
  if (!d.ci95 || d.mean === 0) return num(d.median, digits);
  const half = (d.ci95[1] - d.ci95[0]) / 2 / Math.abs(d.mean);
  return `${num(d.median, digits)} ±${(half * 100).toFixed(half < 0.1 ? 1 : 0)}%`;
}

export function mdTable(head: string[], rows: string[][], align?: ('l' | 'r')[]): string {
  const a = align ?? head.map((_, i) => (i === 0 ? 'l' : 'r'));
  const esc = (s: string) => s.replaceAll('|', '\\|');
  return [
    `| ${head.map(esc).join(' | ')} |`,
    `|${a.map((x) => (x === 'r' ? '---:' : ':---')).join('|')}|`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}
