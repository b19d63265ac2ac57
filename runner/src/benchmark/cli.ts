#!/usr/bin/env node
/** ./run-benchmark.sh — the benchmark runner's command line (see args.ts for the usage text). */
import { existsSync, mkdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseCpuset } from '../lab/budget.js';
import { budgetFromEnv, type LabTarget, loadCompose } from '../lab/compose.js';
import { Lab } from '../lab/launcher.js';
import { acquireRunLock, RunLockError } from '../lab/run-lock.js';
import { ensureTool, type ToolContext } from '../lab/tools.js';
import { repoRoot } from '../lib/env-file.js';
import { machineInfo } from '../lib/machine.js';
import { type Monitor, startMonitoring } from '../monitoring/monitor.js';
import { PUBLISHED_PAGE } from '../report/run-files.js';
import { type Command, parseCommand, type RunArgs, USAGE } from './args.js';
import { readJson } from './files.js';
import { gitInfo, targetComponents } from './manifest.js';
import { measureCeiling } from '../calibration/session.js';
import { loadScenarios, parseSelector, planScenario, UsageError } from './plan.js';
import { execute } from './run.js';
import { ensureScenarioData } from './scenario-data.js';
import { DockerDriver, dockerAvailable, dockerBudgetProblem, NativeDriver } from './targets.js';
import { type Manifest, type RunOptions, SCHEMA_VERSION } from './types.js';

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

async function run(a: RunArgs): Promise<number> {
  const root = repoRoot();
  const resultsRoot = resolve(root, a.resultsDir ?? 'results');
  let manifest: Manifest;
  let runDir: string;
  const catalogue = loadScenarios(root);
  if (a.resume) {
    const given = (
      [
        'target',
        'selector',
        'runs',
        'duration',
        'vus',
        'rate',
        'warmup',
        'cooldown',
        'scale',
        'runId',
      ] as const
    ).filter((k) => a[k] !== null);
    if (given.length || a.quick)
      throw new UsageError(`--resume reuses the run's own options: drop ${given.join(', ') || '--quick'}`);
    runDir = join(resultsRoot, a.resume);
    if (!existsSync(join(runDir, 'manifest.json')))
      throw new UsageError(`no run "${a.resume}" in ${resultsRoot}`);
    manifest = readJson<Manifest>(join(runDir, 'manifest.json'));
    if (manifest.status === 'complete') {
      err(`run ${a.resume} is already complete`);
      return 0;
    }
  } else {
    manifest = null as unknown as Manifest;
    runDir = '';
  }
  const o: RunOptions | null = a.resume ? manifest.options : null;
  const env: NodeJS.ProcessEnv = { ...process.env };
  const scale = o?.scale ?? a.scale;
  if (scale !== null) env['LAB_SCALE'] = String(scale);
  const noLimits = o?.noLimits ?? a.noLimits;
  if (o && a.mode !== 'auto' && a.mode !== o.mode)
    throw new UsageError(`--resume: the run used --mode ${o.mode}`);
  let mode: 'docker' | 'native' =
    o?.mode ?? (a.mode === 'auto' ? (dockerAvailable() ? 'docker' : 'native') : a.mode);
  if (mode === 'docker' && !dockerAvailable())
    throw new Failure('--mode docker: no Docker engine answers `docker info`');
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
  const overrides = {
    quick,
    ...((o?.duration ?? a.duration) ? { duration: (o?.duration ?? a.duration)! } : {}),
    ...((o?.vus ?? a.vus) ? { vus: (o?.vus ?? a.vus)! } : {}),
    ...((o?.rate ?? a.rate) ? { rate: (o?.rate ?? a.rate)! } : {}),
  };
  const planned = scenarioNames.map((n) =>
    planScenario(
      catalogue.find((c) => c.name === n)!,
      overrides,
    ),
  );
  const seed = Number(compose.env['LAB_SEED'] ?? 42);
  const scaleUsed = Number(compose.env['LAB_SCALE'] ?? 1);
  if (mode === 'native') {
    const why = lab.limitsUnavailable();
    if (why && !noLimits)
      throw new Failure(
        `cannot enforce the budget natively: cgroups are not writable here (${why}). Run as root on Linux, ` +
          'use --mode docker, or pass --no-limits (results are then marked unlimited)',
      );
  }
  const log = (s: string) => err(s);
  try {
    acquireRunLock(
      lab.paths,
      a.resume ? `run ${a.resume}` : `./run-benchmark.sh ${process.argv.slice(2).join(' ')}`,
    );
  } catch (e) {
    if (e instanceof RunLockError) throw new Failure(e.message);
    throw e;
  }
  const toolCtx: ToolContext = { paths: lab.paths, env, log };
  const k6 = await ensureTool('k6', toolCtx);
  const adminToken = compose.env['LAB_ADMIN_TOKEN'] ?? '';
  if (adminToken.length < 8) throw new Failure('LAB_ADMIN_TOKEN is not set (see .env)');
  const dataFile = ensureScenarioData(root, seed, scaleUsed);

  if (!a.resume) {
    const runId = a.runId ?? runIdFor(a.target!, a.selector!);
    runDir = join(resultsRoot, runId);
    if (existsSync(join(runDir, 'manifest.json')))
      throw new UsageError(`results/${runId} exists already (use --resume ${runId})`);
    mkdirSync(runDir, { recursive: true });
    const now = new Date().toISOString();
    const options: RunOptions = {
      targets: targets.map((t) => t.name),
      scenarios: scenarioNames,
      runs: a.runs ?? (quick ? 1 : 10),
      duration: a.duration,
      vus: a.vus,
      rate: a.rate,
      warmup: a.warmup ?? (quick ? '2s' : '10s'),
      cooldown: a.cooldown ?? (quick ? '0s' : '3s'),
      seed,
      scale: scaleUsed,
      mode,
      quick,
      noLimits,
      ...(a.monitor ? { monitor: true } : {}),
    };
    manifest = {
      schema: SCHEMA_VERSION,
      runId,
      status: 'running',
      reason: null,
      createdAt: now,
      updatedAt: now,
      command: `./run-benchmark.sh ${process.argv.slice(2).join(' ')}`,
      options,
      git: gitInfo(root),
      host: machineInfo(),
      versions: { node: process.version, k6: k6.version, 'k6 source': k6.source },
      loadgen: {
        cpuset: lab.budget.loadgenCpuset,
        cores: parseCpuset(lab.budget.loadgenCpuset).length,
        pinned: !lab.limitsUnavailable(),
      },
      targets: Object.fromEntries(
        targets.map((t) => [
          t.name,
          {
            profile: t.profile,
            url: t.url,
            mode,
            budget: null,
            components: targetComponents(root, t, mode, toolCtx),
            verify: null,
          },
        ]),
      ),
      plan: planned.map((p) => ({
        name: p.entry.name,
        title: p.entry.profile.title,
        model: p.entry.profile.model,
        slo: p.entry.profile.slo ?? null,
        steps: p.steps,
      })),
      sessions: [],
    };
  }
  mode = manifest.options.mode;
  let monitor: Monitor | undefined;
  if (manifest.options.monitor || a.monitor) {
    manifest.options.monitor = true;
    const m = await startMonitoring({
      root,
      compose,
      mode,
      noLimits: manifest.options.noLimits,
      env,
      runId: manifest.runId,
      log,
    });
    monitor = m.monitor;
    for (const [k, v] of Object.entries(m.versions)) manifest.versions[k] = v;
  }
  const driver =
    mode === 'docker'
      ? new DockerDriver(root)
      : new NativeDriver(lab, { env, noLimits: manifest.options.noLimits, log });
  err(
    `run ${manifest.runId}: ${manifest.options.targets.join(', ')} × ${manifest.options.scenarios.join(', ')} · ` +
      `${manifest.options.runs} run(s) · ${mode}${manifest.options.quick ? ' · QUICK' : ''} → ${runDir}`,
  );
  const calibration = await measureCeiling({
    lab,
    k6: k6.path,
    dataFile,
    runDir,
    script: catalogue.find((c) => c.id === '03')!,
    quick: manifest.options.quick,
    log: err,
  });
  (manifest.calibrations ??= []).push(calibration);
  const code = await execute({
    root,
    runDir,
    manifest,
    targets,
    scenarios: planned,
    lab,
    driver,
    k6,
    adminToken,
    dataFile,
    loadgenCpuset: lab.budget.loadgenCpuset,
    log,
    ...(monitor ? { monitor } : {}),
  });
  if (monitor)
    err(
      `monitoring stays up (Prometheus ${monitor.prom.url}${mode === 'docker' ? ', Grafana http://127.0.0.1:3300' : ''}): ` +
        (mode === 'docker' ? 'docker compose --profile monitoring down' : './lab down monitoring') +
        ' stops it',
    );
  // The published page (docs/benchmark-results.md) changes only on request: the hint renders this run's page
  // under its own directory, and --publish replaces the published one.
  if (code === 0) {
    const dir = resultsRoot === resolve(root, 'results') ? '' : ` --results-dir ${resultsRoot}`;
    err(
      `report: ./run-benchmark.sh report ${manifest.runId}${dir}   (writes ${relative(root, join(runDir, 'report.md'))}; ` +
        `--publish replaces ${PUBLISHED_PAGE})`,
    );
  }
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
          runId: cmd.runId,
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

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    err(`run-benchmark: ${(e as Error).stack ?? e}`);
    process.exit(1);
  },
);
