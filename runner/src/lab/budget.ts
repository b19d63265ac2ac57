/** Size and CPU-set parsing with the units docker compose accepts. */

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** "2048m", "2g", "512MiB", "1073741824" -> bytes (binary units, as compose's mem_limit). */
export function parseBytes(raw: string | number): number {
  if (typeof raw === 'number') return raw;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([bkmgt]?)(?:i?b)?\s*$/i.exec(raw);
  if (!m) throw new Error(`"${raw}" is not a size (e.g. 2048m, 2g)`);
  const bytes = Number(m[1]) * UNITS[m[2]!.toLowerCase()]!;
  return Math.floor(bytes);
}

export function formatBytes(bytes: number): string {
  if (bytes % 1024 ** 3 === 0) return `${bytes / 1024 ** 3}g`;
  if (bytes % 1024 ** 2 === 0) return `${bytes / 1024 ** 2}m`;
  return `${(bytes / 1024 ** 2).toFixed(1)}m`;
}

/** "0-2,4" -> [0,1,2,4]; throws on anything else. */
export function parseCpuset(raw: string): number[] {
  const cpus = new Set<number>();
  for (const part of raw.split(',')) {
    const m = /^\s*(\d+)(?:-(\d+))?\s*$/.exec(part);
    if (!m) throw new Error(`"${raw}" is not a cpuset (e.g. 1 or 0-3 or 1,3)`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) throw new Error(`"${raw}": range ${part} is reversed`);
    for (let c = a; c <= b; c++) cpus.add(c);
  }
  return [...cpus].sort((x, y) => x - y);
}

/** Canonical form of a cpuset, as the kernel prints it ("0-2,4"). */
export function formatCpuset(cpus: readonly number[]): string {
  const sorted = [...new Set(cpus)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

export function parseCpus(raw: string): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`LAB_CPUS must be a positive number, got "${raw}"`);
  return n;
}
