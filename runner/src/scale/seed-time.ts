/**
 * Seed time for scenario 12: the profile is stopped, then started with LAB_SCALE=N; every target reloads its
 * dataset when its data dir holds another seed or scale (harper, micro, mono) or generates it at start
 * (reference), so `up`'s duration is the seed time plus the start itself. A small marker remembers the scale
 * this tool last started the profile with: a start at the same scale is not a seed, and is recorded as such.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LabTarget } from '../lab/compose.js';
import { Lab } from '../lab/launcher.js';

export interface SeedTime {
  scale: number;
  /** Scale the data dir held before (from this tool's marker), null when unknown. */
  previousScale: number | null;
  /** Seconds from `up` called to every service healthy. */
  upSeconds: number;
  /** True when the start had to load another dataset (the data dir held another scale). */
  seeded: boolean | null;
}

function markerFile(root: string, profile: string): string {
  return join(root, '.lab', 'scale', `${profile}.json`);
}

function previousScale(root: string, profile: string): number | null {
  const f = markerFile(root, profile);
  if (!existsSync(f)) return null;
  return (JSON.parse(readFileSync(f, 'utf8')) as { scale: number }).scale;
}

/** A Lab whose compose environment carries LAB_SCALE=scale (compose reads it at construction). */
export function labAtScale(root: string, scale: number, log: (l: string) => void): Lab {
  return new Lab({ root, env: { ...process.env, LAB_SCALE: String(scale) }, log });
}

export async function startAtScale(
  root: string,
  target: LabTarget,
  scale: number,
  log: (l: string) => void,
): Promise<SeedTime> {
  const lab = labAtScale(root, scale, log);
  await lab.down(target.profile, { quiet: true });
  const prev = previousScale(root, target.profile);
  const t0 = performance.now();
  await lab.up(target.profile, { timeoutSeconds: 3600 });
  const upSeconds = (performance.now() - t0) / 1000;
  mkdirSync(join(root, '.lab', 'scale'), { recursive: true });
  writeFileSync(markerFile(root, target.profile), JSON.stringify({ scale }));
  return {
    scale,
    previousScale: prev,
    upSeconds,
    seeded: target.name === 'reference' ? true : prev === null ? null : prev !== scale,
  };
}
