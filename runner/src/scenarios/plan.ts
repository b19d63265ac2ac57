/**
 * What to run: the scenario catalogue (scenarios/NN-name.ts with profiles/NN-name.json), selectors
 * ("03", "03+", "01-05", "01,03", "all") and each scenario's steps with the command line's overrides applied.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Prng } from '@lab/contract';
import type { Profile, Step as ProfileStep } from '@lab/scenarios/profile-types';
import type { PlannedStep } from '../results/types.js';

export class UsageError extends Error {}

/** scenarios/profiles/NN-name.json, typed once for k6 and the runner (scenarios/lib/profile-types.ts). */
export type { Profile, Step as ProfileStep } from '@lab/scenarios/profile-types';

export interface ScenarioEntry {
  /** "03" */
  id: string;
  /** "03-pdp" */
  name: string;
  file: string;
  profile: Profile;
}

export interface PlannedScenario {
  entry: ScenarioEntry;
  steps: PlannedStep[];
  /** Open-model ladder: stop at the first step that breaks the SLO. */
  ladder: boolean;
  /** The target runs with its internal hops through the latency injector (09). */
  injected?: boolean;
}

export interface Overrides {
  duration?: string;
  vus?: number;
  rate?: number;
  quick: boolean;
}

/** A whole number of at least 1, as typed: `--runs 3`, never `--runs 3.5`, `--runs 0` or `--runs three`. */
export function positiveInt(option: string, raw: string): number {
  if (!/^[1-9][0-9]*$/.test(raw))
    throw new UsageError(`--${option} must be a positive integer, got "${raw}"`);
  return Number(raw);
}

/** Which start of which target a warm-up follows: the seed of its phase offset (`warmupJitter`). */
export interface WarmupPhase {
  seed: number;
  target: string;
  run: number;
}

/**
 * A scenario's warm-up after each start, in seconds: the run's (`--warmup`), or the profile's `warmup` when that
 * is longer, plus the profile's `warmupJitter` offset for this target and run when `phase` is given. None when the
 * run's is 0; `--quick` keeps the run's short one.
 */
export function warmupSeconds(
  runWarmup: number,
  quick: boolean | undefined,
  s: PlannedScenario,
  phase?: WarmupPhase,
): number {
  const own = s.entry.profile.warmup;
  if (runWarmup === 0 || quick) return runWarmup;
  const base = own ? Math.max(runWarmup, durationSeconds(own)) : runWarmup;
  const jitter = s.entry.profile.warmupJitter;
  return phase && jitter ? base + phaseOffset(phase, durationSeconds(jitter)) : base;
}

/**
 * Whole seconds in [0, max], drawn from the run's seed, the target's name and the run number: the same run
 * command gives the same offsets, and each round draws its own.
 */
export function phaseOffset(p: WarmupPhase, max: number): number {
  let h = 0x811c9dc5;
  for (const c of `${p.target}#${p.run}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return new Prng((p.seed ^ h) >>> 0).int(0, Math.floor(max));
}

/** k6 durations: "20s", "1m30s", "500ms", "2h"; a bare number is seconds. */
export function durationSeconds(raw: string): number {
  if (/^\d+(\.\d+)?$/.test(raw)) return Number(raw);
  let total = 0;
  let matched = '';
  for (const m of raw.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) {
    const n = Number(m[1]);
    total += m[2] === 'h' ? n * 3600 : m[2] === 'm' ? n * 60 : m[2] === 's' ? n : n / 1000;
    matched += m[0];
  }
  if (matched !== raw || raw === '')
    throw new UsageError(`"${raw}" is not a duration (e.g. 30s, 1m30s, 500ms)`);
  return total;
}

/** Canonical k6 duration for a number of seconds. */
export function formatDuration(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)}ms`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds - m * 60);
  return m > 0 ? `${m}m${s > 0 ? `${s}s` : ''}` : `${s}s`;
}

export function loadScenarios(root: string): ScenarioEntry[] {
  const dir = join(root, 'scenarios');
  const out: ScenarioEntry[] = [];
  for (const f of readdirSync(dir).sort()) {
    const m = /^(\d\d)-([a-z0-9-]+)\.ts$/.exec(f);
    if (!m) continue;
    const name = f.slice(0, -3);
    const profileFile = join(dir, 'profiles', `${name}.json`);
    if (!existsSync(profileFile))
      throw new Error(`scenarios/${f} has no profile (scenarios/profiles/${name}.json)`);
    const profile = JSON.parse(readFileSync(profileFile, 'utf8')) as Profile;
    out.push({ id: m[1]!, name, file: join(dir, f), profile });
  }
  return out;
}

/** "03", "03+", "01-05", "01,03", "all" -> scenario names, in catalogue order; UsageError on anything else. */
export function parseSelector(selector: string, catalogue: readonly ScenarioEntry[]): string[] {
  const ids = catalogue.map((s) => s.id);
  const range = `${ids[0]}-${ids[ids.length - 1]}`;
  if (selector === 'all') return catalogue.map((s) => s.name);
  const wanted = new Set<string>();
  const norm = (raw: string): string => {
    if (!/^\d{1,2}$/.test(raw))
      throw new UsageError(`bad selector "${selector}": "${raw}" is not a scenario number`);
    const id = raw.padStart(2, '0');
    if (!ids.includes(id))
      throw new UsageError(`bad selector "${selector}": no scenario ${id} (scenarios: ${range})`);
    return id;
  };
  for (const part of selector.split(',')) {
    const plus = /^(\d{1,2})\+$/.exec(part);
    const range = /^(\d{1,2})-(\d{1,2})$/.exec(part);
    if (plus) {
      const from = norm(plus[1]!);
      for (const id of ids) if (id >= from) wanted.add(id);
    } else if (range) {
      const a = norm(range[1]!);
      const b = norm(range[2]!);
      if (b < a) throw new UsageError(`bad selector "${selector}": range ${part} is reversed`);
      for (const id of ids) if (id >= a && id <= b) wanted.add(id);
    } else {
      wanted.add(norm(part));
    }
  }
  return catalogue.filter((s) => wanted.has(s.id)).map((s) => s.name);
}

/** The steps one measured run of a scenario is made of, with the command line's overrides applied. */
export function planScenario(entry: ScenarioEntry, o: Overrides): PlannedScenario {
  const p = entry.profile;
  const base = o.quick ? { ...p, ...p.quick, steps: p.quick.steps ?? p.steps } : p;
  const duration = o.duration ?? base.duration;
  const seconds = durationSeconds(duration);
  let steps: ProfileStep[];
  // 09's steps are latencies, not loads: --rate (or --vus) sets the load of each of them.
  if (p.injectHopLatency && (o.vus !== undefined || o.rate !== undefined) && base.steps)
    steps = base.steps.map((s) => ({
      ...s,
      ...(o.vus !== undefined ? { vus: o.vus } : {}),
      ...(o.rate !== undefined ? { rate: o.rate } : {}),
    }));
  else if (p.model === 'closed' && o.vus !== undefined) steps = [{ label: `vus-${o.vus}`, vus: o.vus }];
  else if (p.model === 'open' && o.rate !== undefined) steps = [{ label: `rate-${o.rate}`, rate: o.rate }];
  else
    steps = base.steps ?? [{ label: 'main', vus: base.vus ?? 1, ...(base.rate ? { rate: base.rate } : {}) }];
  return {
    entry,
    // A ladder of rates stops at its first missed SLO; 09's steps are latencies at one rate, all measured.
    ladder: p.model === 'open' && steps.length > 1 && !p.injectHopLatency,
    injected: p.injectHopLatency === true,
    steps: steps.map((s) => ({
      label: s.label,
      vus: s.vus ?? base.vus ?? 1,
      rate: p.model === 'open' ? (s.rate ?? base.rate ?? 1) : null,
      duration,
      seconds,
      latencyMs: p.injectHopLatency && s.latencyMs !== null ? (s.latencyMs ?? 0) : null,
    })),
  };
}
