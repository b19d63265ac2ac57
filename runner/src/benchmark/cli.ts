#!/usr/bin/env node
/** ./run-benchmark.sh — the benchmark runner's command line (see args.ts for the usage text). */
import { existsSync, mkdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseCpuset } from '../lab/budget.js';
import { budgetFromEnv, type LabTarget, loadCompose } from '../lab/compose.js';
import { Lab } from '../lab/launcher.js';
import { acquireRunLock, RunLockError } from '../lab/run-lock.js';
import { ensureTool, type ToolContext, type ToolInfo } from '../lab/tools.js';
import { repoRoot } from '../lib/env-file.js';
import { type Monitor, startMonitoring } from '../monitoring/monitor.js';
import { PUBLISHED_PAGE } from '../report/run-files.js';
import { type Command, parseCommand, type RunArgs, USAGE } from './args.js';
import { newBenchmarkManifest } from './manifest.js';
import { measureCeiling } from '../calibration/session.js';
import {
  loadScenarios,
  type PlannedScenario,
  parseSelector,
  planScenario,
  type ScenarioEntry,
  UsageError,
} from '../scenarios/plan.js';
import { execute } from './run.js';
import { ensureScenarioData } from './scenario-data.js';
import { DockerDriver, dockerAvailable, dockerBudgetProblem, NativeDriver } from './targets.js';
import type { Manifest, RunOptions } from '../results/types.js';
import { manifestPath } from '../results/layout.js';
import { describeOrder } from '../results/order.js';
import { readManifest } from '../results/read.js';
import { dropWritesOnClosedStdout } from '../lib/stdout.js';

const err = (s: string) => process.stderr.write(`${s}\n`);

class Failure extends Error {}

function usage(message: string): number {
  err(`run-benchmark: ${message} (./run-benchmark.sh --help)`);
  return 2;
}

function resolveTargets(all: LabTarget[], spec: string): LabTarget[] {
  const available = all.filter((t) => t.available);
  if (spec === 'all') {
    if (available.length === 0)
      throw new UsageError('no target is available yet (none has a complete compose profile)');
    return available;
  }
  const out: LabTarget[] = [];
  for (const name of spec.split(',')) {
    const t = all.find((x) => x.name === name);
    if (!t)
      throw new UsageError(`unknown target "${name}" (targets: ${all.map((x) => x.name).join(', ')}, all)`);
    if (!t.available)
      throw new UsageError(
        `target "${name}" is not available yet: its profile in docker-compose.yml is incomplete`,
      );
    if (!out.includes(t)) out.push(t);
  }
  return out;
}

function runIdFor(target: string, selector: string): string {
  const ts = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const sel = selector.replaceAll('+', 'plus').replaceAll(',', '_');
  return `${ts}-${target.replaceAll(',', '_')}-${sel}`;
}

/** --resume: the run's own manifest and directory; its options are reused, so none may be given again. */
function resumedRun(a: RunArgs, resultsRoot: string): { manifest: Manifest; runDir: string } {
  const keys = [
    'target',
    'selector',
    'runs',
    'duration',
    'vus',
    'rate',
    'warmup',
    'cooldown',
    'order',
    'idle',
    'scale',
    'runId',
  ] as const;
  const given = keys.filter((k) => a[k] !== null);
  if (given.length || a.quick)
    throw new UsageError(`--resume reuses the run's own options: drop ${given.join(', ') || '--quick'}`);
  const runDir = join(resultsRoot, a.resume!);
  if (!existsSync(manifestPath(runDir))) throw new UsageError(`no run "${a.resume}" in ${resultsRoot}`);
  return { manifest: readManifest(runDir), runDir };
}

/** What a run measures and with what: from the arguments, or from the resumed run's options (`o`). */
interface Setup {
  env: NodeJS.ProcessEnv;
  lab: Lab;
  mode: 'docker' | 'native';
  targets: LabTarget[];
  scenarioNames: string[];
  planned: PlannedScenario[];
  quick: boolean;
  noLimits: boolean;
  seed: number;
  scale: number;
  order: 'target' | 'scenario';
  /** --order scenario: whether the idle targets are frozen while another is measured. */
  idle: 'frozen' | 'running';
  /** LAB_NODE_OPTIONS: extra Node flags for every Node target's processes (docker-compose.yml), or "". */
  nodeOptions: string;
  catalogue: ScenarioEntry[];
}

function chooseMode(a: RunArgs, o: RunOptions | null): 'docker' | 'native' {
  if (o && a.mode !== 'auto' && a.mode !== o.mode)
    throw new UsageError(`--resume: the run used --mode ${o.mode}`);
  const mode = o?.mode ?? (a.mode === 'auto' ? (dockerAvailable() ? 'docker' : 'native') : a.mode);
  if (mode === 'docker' && !dockerAvailable())
    throw new Failure('--mode docker: no Docker engine answers `docker info`');
  return mode;
}

/** --order scenario: every target up at once, so only where that was built and measured. */
function orderProblem(mode: 'docker' | 'native', targets: LabTarget[], planned: PlannedScenario[]): void {
  if (targets.length < 2)
    throw new UsageError('--order scenario needs two or more targets (it orders targets)');
  if (mode === 'docker')
    throw new UsageError('--order scenario runs natively only (not tried with Docker): add --mode native');
  const injected = planned.find((p) => p.injected);
  if (injected)
    throw new UsageError(
      `--order scenario cannot run ${injected.entry.name}: its targets restart with their hops through the ` +
        'latency injector mid-round; measure it in the default order',
    );
}

function setUp(root: string, a: RunArgs, o: RunOptions | null): Setup {
  const catalogue = loadScenarios(root);
  const env: NodeJS.ProcessEnv = { ...process.env };
  const scale = o?.scale ?? a.scale;
  if (scale !== null) env['LAB_SCALE'] = String(scale);
  // A resumed run's Node targets start with the run's own flags, whatever this shell says.
  if (o) env['LAB_NODE_OPTIONS'] = o.nodeOptions ?? '';
  const noLimits = o?.noLimits ?? a.noLimits;
  const mode = chooseMode(a, o);
  // With Docker the lab only runs k6 (natively: pinned where cgroups are writable, else unpinned and said so).
  const lab = new Lab({ root, env, noLimits: noLimits || mode === 'docker' });
  const compose = lab.compose;
  if (mode === 'docker') {
    const b = budgetFromEnv(compose.env);
    const problem = dockerBudgetProblem(b.cpus, b.sutCpuset);
    if (problem) throw new UsageError(problem);
  }
  const targets = o
    ? o.targets.map((n) => compose.targets.find((t) => t.name === n)).filter((t): t is LabTarget => !!t)
    : resolveTargets(compose.targets, a.target!);
  const scenarioNames = o ? o.scenarios : parseSelector(a.selector!, catalogue);
  const quick = o?.quick ?? a.quick;
  const duration = o?.duration ?? a.duration;
  const vus = o?.vus ?? a.vus;
  const rate = o?.rate ?? a.rate;
  const overrides = {
    quick,
    ...(duration ? { duration } : {}),
    ...(vus ? { vus } : {}),
    ...(rate ? { rate } : {}),
  };
  const planned = scenarioNames.map((n) =>
    planScenario(
      catalogue.find((c) => c.name === n)!,
      overrides,
    ),
  );
  if (mode === 'native') {
    const why = lab.limitsUnavailable();
    if (why && !noLimits)
      throw new Failure(
        `cannot enforce the budget natively: cgroups are not writable here (${why}). Run as root on Linux, ` +
          'use --mode docker, or pass --no-limits (results are then marked unlimited)',
      );
  }
  const order = o ? (o.order ?? 'target') : (a.order ?? 'target');
  if (order === 'scenario') orderProblem(mode, targets, planned);
  const idle = o ? (o.idleTargets ?? 'running') : (a.idle ?? 'frozen');
  const seed = Number(compose.env['LAB_SEED'] ?? 42);
  const scaleUsed = Number(compose.env['LAB_SCALE'] ?? 1);
  const nodeOptions = (compose.env['LAB_NODE_OPTIONS'] ?? '').trim();
  return {
    env,
    lab,
    mode,
    targets,
    scenarioNames,
    planned,
    quick,
    noLimits,
    seed,
    scale: scaleUsed,
    order,
    idle,
    nodeOptions,
    catalogue,
  };
}

/** A new run's directory and manifest (the run id must be new). */
function createRun(
  root: string,
  resultsRoot: string,
  a: RunArgs,
  s: Setup,
  k6: ToolInfo,
  tools: ToolContext,
) {
  const runId = a.runId ?? runIdFor(a.target!, a.selector!);
  const runDir = join(resultsRoot, runId);
  if (existsSync(manifestPath(runDir)))
    throw new UsageError(`results/${runId} exists already (use --resume ${runId})`);
  mkdirSync(runDir, { recursive: true });
  const options: RunOptions = {
    targets: s.targets.map((t) => t.name),
    scenarios: s.scenarioNames,
    runs: a.runs ?? (s.quick ? 1 : 10),
    duration: a.duration,
    vus: a.vus,
    rate: a.rate,
    warmup: a.warmup ?? (s.quick ? '2s' : '10s'),
    cooldown: a.cooldown ?? (s.quick ? '0s' : '3s'),
    seed: s.seed,
    scale: s.scale,
    mode: s.mode,
    quick: s.quick,
    noLimits: s.noLimits,
    ...(a.monitor ? { monitor: true } : {}),
    ...(s.order === 'scenario' ? { order: 'scenario' as const } : {}),
    ...(s.order === 'scenario' && s.idle === 'frozen' ? { idleTargets: 'frozen' as const } : {}),
    ...(s.nodeOptions ? { nodeOptions: s.nodeOptions } : {}),
  };
  const loadgenCpuset = s.lab.budget.loadgenCpuset;
  const manifest = newBenchmarkManifest({
    root,
    runId,
    command: `./run-benchmark.sh ${process.argv.slice(2).join(' ')}`,
    options,
    targets: s.targets,
    scenarios: s.planned,
    k6,
    loadgen: {
      cpuset: loadgenCpuset,
      cores: parseCpuset(loadgenCpuset).length,
      pinned: !s.lab.limitsUnavailable(),
    },
    tools,
  });
  return { manifest, runDir };
}

/** --monitor: the monitoring profile up, and its versions in the manifest. */
async function monitoring(
  root: string,
  s: Setup,
  manifest: Manifest,
  a: RunArgs,
): Promise<Monitor | undefined> {
  if (!manifest.options.monitor && !a.monitor) return undefined;
  manifest.options.monitor = true;
  const m = await startMonitoring({
    root,
    compose: s.lab.compose,
    mode: manifest.options.mode,
    noLimits: manifest.options.noLimits,
    env: s.env,
    runId: manifest.runId,
    log: err,
  });
  for (const [k, v] of Object.entries(m.versions)) manifest.versions[k] = v;
  return m.monitor;
}

function lockRun(lab: Lab, a: RunArgs): void {
  try {
    acquireRunLock(
      lab.paths,
      a.resume ? `run ${a.resume}` : `./run-benchmark.sh ${process.argv.slice(2).join(' ')}`,
    );
  } catch (e) {
    if (e instanceof RunLockError) throw new Failure(e.message);
    throw e;
  }
}

/** What to do next, printed after a run: stop monitoring, render (or publish) the run's page. */
function afterRun(
  root: string,
  resultsRoot: string,
  runDir: string,
  manifest: Manifest,
  code: number,
  monitor?: Monitor,
) {
  const mode = manifest.options.mode;
  if (monitor)
    err(
      `monitoring stays up (Prometheus ${monitor.prom.url}${mode === 'docker' ? ', Grafana http://127.0.0.1:3300' : ''}): ` +
        (mode === 'docker' ? 'docker compose --profile monitoring down' : './lab down monitoring') +
        ' stops it',
    );
  // The published page (docs/benchmark-results.md) changes only on request: the hint renders this run's page
  // under its own directory, and --publish replaces the published one.
  if (code !== 0) return;
  const dir = resultsRoot === resolve(root, 'results') ? '' : ` --results-dir ${resultsRoot}`;
  err(
    `report: ./run-benchmark.sh report ${manifest.runId}${dir}   (writes ${relative(root, join(runDir, 'report.md'))}; ` +
      `--publish replaces ${PUBLISHED_PAGE})`,
  );
}

async function run(a: RunArgs): Promise<number> {
  const root = repoRoot();
  const resultsRoot = resolve(root, a.resultsDir ?? 'results');
  const prior = a.resume ? resumedRun(a, resultsRoot) : null;
  if (prior?.manifest.status === 'complete') {
    err(`run ${a.resume} is already complete`);
    return 0;
  }
  const s = setUp(root, a, prior?.manifest.options ?? null);
  const { lab } = s;
  lockRun(lab, a);
  const toolCtx: ToolContext = { paths: lab.paths, env: s.env, log: err };
  const k6 = await ensureTool('k6', toolCtx);
  const adminToken = lab.compose.env['LAB_ADMIN_TOKEN'] ?? '';
  if (adminToken.length < 8) throw new Failure('LAB_ADMIN_TOKEN is not set (see .env)');
  const dataFile = ensureScenarioData(root, s.seed, s.scale);
  const { manifest, runDir } = prior ?? createRun(root, resultsRoot, a, s, k6, toolCtx);
  const mode = manifest.options.mode;
  const monitor = await monitoring(root, s, manifest, a);
  const driver =
    mode === 'docker'
      ? new DockerDriver(root)
      : new NativeDriver(lab, { env: s.env, noLimits: manifest.options.noLimits, log: err });
  const o = manifest.options;
  err(
    `run ${manifest.runId}: ${o.targets.join(', ')} × ${o.scenarios.join(', ')} · ` +
      `${o.runs} run(s) · ${mode}${describeOrder(o) ? ` · ${describeOrder(o)}` : ''}` +
      `${o.quick ? ' · QUICK' : ''} → ${runDir}`,
  );
  const calibration = await measureCeiling({
    lab,
    k6: k6.path,
    dataFile,
    runDir,
    script: s.catalogue.find((c) => c.id === '03')!,
    quick: o.quick,
    log: err,
  });
  (manifest.calibrations ??= []).push(calibration);
  const code = await execute({
    root,
    runDir,
    manifest,
    targets: s.targets,
    scenarios: s.planned,
    lab,
    driver,
    k6,
    adminToken,
    dataFile,
    loadgenCpuset: lab.budget.loadgenCpuset,
    log: err,
    ...(monitor ? { monitor } : {}),
  });
  afterRun(root, resultsRoot, runDir, manifest, code, monitor);
  return code;
}

function list(): number {
  const root = repoRoot();
  const compose = loadCompose(root);
  process.stdout.write('targets:\n');
  for (const t of compose.targets)
    process.stdout.write(
      `  ${t.name.padEnd(10)} ${t.url.padEnd(24)} ${t.available ? 'available' : 'not available yet'}\n`,
    );
  process.stdout.write('scenarios:\n');
  for (const s of loadScenarios(root)) {
    const p = s.profile;
    const load = p.steps
      ? p.steps.map((x) => x.label).join(' → ')
      : p.model === 'closed'
        ? `${p.vus} VUs`
        : `${p.rate}/s`;
    process.stdout.write(
      `  ${s.name.padEnd(22)} ${p.model.padEnd(6)} ${load} · ${p.duration}${p.slo ? ` · SLO p99 ≤ ${p.slo.p99Ms} ms` : ''}\n`,
    );
  }
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  let cmd: Command;
  try {
    cmd = parseCommand(argv);
  } catch (e) {
    if (e instanceof UsageError) return usage(e.message);
    throw e;
  }
  try {
    switch (cmd.kind) {
      case 'help':
        process.stdout.write(`${USAGE}\n`);
        return 0;
      case 'list':
        return list();
      case 'data': {
        const root = repoRoot();
        const compose = loadCompose(root);
        const file = ensureScenarioData(
          root,
          Number(compose.env['LAB_SEED'] ?? 42),
          cmd.scale ?? Number(compose.env['LAB_SCALE'] ?? 1),
        );
        process.stdout.write(`${file}\n`);
        return 0;
      }
      case 'report': {
        const root = repoRoot();
        // Loaded on demand: the charting libraries take a moment to import.
        const { renderReport } = await import('../report/report.js');
        const out = await renderReport({
          root,
          resultsRoot: resolve(root, cmd.resultsDir ?? 'results'),
          runIds: cmd.runIds,
          out: cmd.out,
          fromSummaries: cmd.fromSummaries,
        });
        err(`wrote ${relative(root, out.file)} (${out.charts.length} charts) from ${out.runIds.join(', ')}`);
        if (cmd.out === 'publish')
          err(
            `commit it with ${out.runIds.map((r) => `results/${r}/`).join(', ')} (raw files included): ` +
              'the drift test regenerates the page from them',
          );
        else if (cmd.out === null)
          err(
            `publish it (replaces ${PUBLISHED_PAGE}): ./run-benchmark.sh report ${out.runIds.join(' ')} --publish`,
          );
        return 0;
      }
      case 'note': {
        const root = repoRoot();
        const { scaffoldNote } = await import('../notes/note.js');
        const file = scaffoldNote({
          root,
          resultsRoot: resolve(root, cmd.resultsDir ?? 'results'),
          runIds: cmd.runIds,
          kind: cmd.noteKind,
          title: cmd.title,
        });
        process.stdout.write(`${file}\n`);
        return 0;
      }
      case 'run':
        return await run(cmd);
    }
  } catch (e) {
    if (e instanceof UsageError) return usage(e.message);
    err(`run-benchmark: ${(e as Error).message}`);
    return 1;
  }
}

dropWritesOnClosedStdout();
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    err(`run-benchmark: ${(e as Error).stack ?? e}`);
    process.exit(1);
  },
);
