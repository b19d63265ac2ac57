/** Table cells over repetitions, for the resilience tables: medians, ranges, and how many never happened. */

/** Median of known values; null when none is known. */
export function median(xs: (number | null)[]): number | null {
  const s = xs.filter((x): x is number => x !== null).sort((a, b) => a - b);
  if (s.length === 0) return null;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const fmt = (x: number) =>
  x >= 100 || Number.isInteger(x) ? Math.round(x).toLocaleString('en-US') : x.toFixed(1);

/** "median (min–max)", plus ", N never" for repetitions where it did not happen; "never" when none did. */
export function rangeCell(xs: (number | null)[]): string {
  const known = xs.filter((x): x is number => x !== null);
  if (known.length === 0) return 'never';
  const missing = xs.length - known.length;
  const [lo, hi] = [Math.min(...known), Math.max(...known)];
  // One value, or all equal: the median says it all.
  const range = lo !== hi ? ` (${fmt(lo)}–${fmt(hi)})` : '';
  return `${fmt(median(known)!)}${range}${missing ? `, ${missing} never` : ''}`;
}
