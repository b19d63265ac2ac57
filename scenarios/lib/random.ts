/** Draws used by the scenarios. Math.random is fine here: the load is random, the data is not. */

export function int(min: number, max: number): number {
  return min + Math.floor(Math.random() * (max - min + 1));
}

/**
 * A skewed index into a list ordered by popularity: index = floor(n * u^3). The head is hot (the first 10% of
 * the list gets ~46% of draws, the first 1% ~22%) and every item can be drawn: a realistic product page mix,
 * never one id (one id measures one cache line).
 */
export function skewed(n: number): number {
  const u = Math.random();
  return Math.min(n - 1, Math.floor(n * u * u * u));
}

/** Page 1 most often: floor(pages * u^2) + 1. */
export function page(pages: number): number {
  const u = Math.random();
  return Math.min(pages, Math.floor(pages * u * u) + 1);
}

export function pick<T>(items: { length: number; [i: number]: T }): T {
  return items[Math.floor(Math.random() * items.length)]!;
}

export function uniform(min: number, max: number): number {
  return min + Math.random() * (max - min);
}
