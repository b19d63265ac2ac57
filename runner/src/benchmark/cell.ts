/**
 * One run of one cell (target × scenario): the warm-up when the target was just started, every step of the
 * scenario (a ladder stops at its first missed SLO), then the run's files — the run file last, because its
 * presence is what marks the unit done for --resume — and the cool-down.
 */
import { join } from 'node:path';
import { writeJsonAtomic } from '../lib/files.js';
import { runFileName } from '../results/layout.js';
import {
  type MonitoringFile,
  type PlannedStep,
  type ResourcesFile,
  type RunFile,
  SCHEMA_VERSION,
  type StepResources,
  type StepResult,
} from '../results/types.js';
import type { PlannedScenario } from '../scenarios/plan.js';
import type { Loop } from './context.js';
import { measureStep, type Unit, warmUp } from './measure.js';

/** What the steps of one run produced. */
interface Measured {
  startedAt: string;
  steps: StepResult[];
  resources: StepResources[];
  monitoring: MonitoringFile['steps'];
  k6: Record<string, unknown>;
}

/** 09: whether a step runs with the target's internal hops through the latency injector (not its direct step). */
export function needsInjector(s: PlannedScenario, step: PlannedStep): boolean {
  return (s.injected ?? false) && typeof step.latencyMs === 'number';
}

/**
 * The order of one run's steps. A profile with `alternateSteps` (09) keeps the first step after each start of the
 * target where it is (`direct`; `hop-0ms` after the restart through the injector: the injector's overhead is
 * their difference, so both must follow a start alike) and runs the others as listed on odd runs, reversed on even
 * runs, so that the time since the start — over which a target still gets cheaper — is the same on average for
 * every step instead of growing with the added latency. `alternateSteps: "all"` (07) reverses each start's
 * steps entirely, its first included.
 */
export function stepOrder(s: PlannedScenario, run: number): PlannedStep[] {
  const mode = s.entry.profile.alternateSteps;
  if (!mode || run % 2 === 1) return s.steps;
  const starts: PlannedStep[][] = [];
  for (const step of s.steps) {
    const current = starts.at(-1);
    if (current && needsInjector(s, current[0]!) === needsInjector(s, step)) current.push(step);
    else starts.push([step]);
  }
  return starts.flatMap(([first, ...rest]) =>
    mode === 'all' ? [...rest.reverse(), first!] : [first!, ...rest.reverse()],
  );
}

async function measureSteps(loop: Loop, u: Unit): Promise<Measured> {
  const s = u.scenario;
  const m: Measured = {
    startedAt: new Date().toISOString(),
    steps: [],
    resources: [],
    monitoring: [],
    k6: {},
  };
  const runs = loop.ctx.manifest.options.runs;
  const steps = stepOrder(s, u.run);
  for (const step of steps) {
    loop.check();
    // 09: its direct step and its hop steps need the target started two ways; a restart needs a new warm-up.
    if ((await loop.useInjector(u.target, needsInjector(s, step))) && loop.warmup > 0)
      await warmUp(loop, u, step);
    const label = `${s.entry.name} · ${u.target.name} · run ${u.run}/${runs}${steps.length > 1 ? ` · ${step.label}` : ''}`;
    const out = await measureStep(loop, u, step, label);
    m.steps.push(out.result);
    m.resources.push(out.resources);
    m.k6[step.label] = out.summary;
    if (out.monitoring) m.monitoring.push(out.monitoring);
    const slo = out.result.slo;
    if (s.ladder && slo && !slo.pass) break;
  }
  return m;
}

/** 08: the highest offered rate sustained within the SLO, every lower step sustained too. */
export function capacityOf(s: PlannedScenario, steps: StepResult[]): RunFile['capacity'] {
  const slo = s.entry.profile.slo;
  if (!slo || s.entry.profile.model !== 'open') return null;
  const passed = steps.filter((x, idx) => x.slo?.pass && steps.slice(0, idx).every((y) => y.slo?.pass));
  const best = passed[passed.length - 1];
  return { rate: best?.rate ?? null, step: best?.step ?? null, sloP99Ms: slo.p99Ms };
}

function writeRunFiles(loop: Loop, u: Unit, m: Measured): void {
  const base = {
    schema: SCHEMA_VERSION,
    runId: loop.ctx.manifest.runId,
    target: u.target.name,
    scenario: u.scenario.entry.name,
    run: u.run,
  };
  const res: ResourcesFile = { ...base, steps: m.resources };
  writeJsonAtomic(join(u.dir, runFileName(u.run, 'resources')), res);
  if (loop.ctx.monitor) {
    const mon: MonitoringFile = { ...base, steps: m.monitoring };
    writeJsonAtomic(join(u.dir, runFileName(u.run, 'monitoring')), mon, false);
  }
  const endedAt = new Date().toISOString();
  const capacity = capacityOf(u.scenario, m.steps);
  const runFile: RunFile = { ...base, startedAt: m.startedAt, endedAt, steps: m.steps, capacity, k6: m.k6 };
  // The run file last: its presence is what marks the unit done (for --resume).
  writeJsonAtomic(join(u.dir, runFileName(u.run, 'run')), runFile);
}

/**
 * Measures one run of a cell. `warmed` holds the scenarios already warmed up since the target's last start;
 * `last` skips the cool-down after the run's very last unit.
 */
export async function runCell(loop: Loop, u: Unit, warmed: Set<string>, last: boolean): Promise<void> {
  const name = u.scenario.entry.name;
  const first = u.scenario.steps[0]!;
  // A restart (09's hops through the injector, or direct again) empties `warmed`: the process is new.
  await loop.useInjector(u.target, needsInjector(u.scenario, first));
  if (loop.warmup > 0 && !warmed.has(name)) await warmUp(loop, u, first);
  warmed.add(name);
  const m = await measureSteps(loop, u);
  writeRunFiles(loop, u, m);
  loop.saveManifest();
  if (loop.cooldown > 0 && !last) await loop.wait(loop.hooks.sleep(loop.cooldown * 1000));
}
