/**
 * The command line of ./run-benchmark.sh. Any mistake is a UsageError: the CLI prints one line saying what is
 * wrong and exits 2 (before anything is started).
 */
import { parseArgs } from 'node:util';
import { durationSeconds, positiveInt, UsageError } from '../scenarios/plan.js';

export const USAGE = `usage: ./run-benchmark.sh <target|all> <selector> [options]
       ./run-benchmark.sh --resume <run-id>
       ./run-benchmark.sh report [run-id…] [--publish | --out FILE] [--from-summaries]
       ./run-benchmark.sh note <run-id…> [--kind qna|retrospective|topic] [--title TEXT]
       ./run-benchmark.sh list | data | help

Verifies each target against the oracle, warms it up, then times N k6 runs per scenario under the lab's
CPU/memory budget, with the target's and k6's resources read from the cgroups. Results: results/<run-id>/.

  target       reference, harper, micro, microlith, mono (a comma list), or all (every target whose profile is complete;
               runs are interleaved A B C A B C …)
  selector     scenarios: 03 · 03+ (03 and later) · 01-05 · 01,03 · all

options:
  --runs N          measured runs per scenario (default 10; runs are the statistical samples)
  --duration D      duration of each measured run or step, e.g. 30s, 1m (default: the scenario's profile)
  --vus N           closed-model scenarios: this many VUs (replaces 07's sweep with one step)
  --rate N          open-model scenarios (08): this arrival rate per second (replaces the ladder with one step)
  --warmup D        warm-up per scenario after each start, not counted (default 10s; a profile's
                    own "warmup" when longer: 08 warms up 60 s)
  --cooldown D      pause between runs (default 3s)
  --order O         target (default): a round starts one target at a time and runs all its scenarios on it;
                    scenario: a round starts every target at once (each in its own cgroup, same budget) and
                    measures each scenario on every target back to back, so paired runs are a window apart
  --idle I          with --order scenario: frozen (default: the idle targets' processes are stopped while
                    another is measured, as docker pause does) or running
  --scale N         dataset scale (default LAB_SCALE from .env); targets are started with it
  --mode M          auto (Docker when an engine answers, else native), docker, native (default auto)
  --quick           smoke test: 1 short run per scenario, short warm-up (not a measurement)
  --resume ID       carry on with an interrupted run (its options are reused)
  --run-id ID       name the run directory (default: <utc time>-<target>-<selector>)
  --results-dir D   where run directories go (default results/)
  --no-limits       run without cgroups where they are not writable (results marked unlimited)
  --monitor         bring the monitoring profile up (Prometheus, cAdvisor; Grafana with Docker), stream k6 to
                    Prometheus, and store every dashboard query's answer with each run (docs/monitoring.md)
  -h, --help        this text

report: the page and SVG charts of the given runs (default: the newest complete one), recomputed from their raw
files, written to results/<last run-id>/report.md. --publish writes docs/benchmark-results.md instead (the
published page: commit it with the runs' directories, raw files included); --out FILE anywhere else;
--from-summaries renders from each cell's summary.json when a run's raw files were not kept (the page says so).

exit codes: 0 done · 1 a target failed verify, died, or k6 failed · 2 bad command line · 130 interrupted`;

export interface RunArgs {
  kind: 'run';
  target: string | null;
  selector: string | null;
  runs: number | null;
  duration: string | null;
  vus: number | null;
  rate: number | null;
  warmup: string | null;
  cooldown: string | null;
  order: 'target' | 'scenario' | null;
  idle: 'frozen' | 'running' | null;
  scale: number | null;
  mode: 'auto' | 'docker' | 'native';
  quick: boolean;
  resume: string | null;
  runId: string | null;
  resultsDir: string | null;
  noLimits: boolean;
  monitor: boolean;
}

export type Command =
  | { kind: 'help' }
  | { kind: 'list' }
  | { kind: 'data'; scale: number | null }
  | {
      kind: 'report';
      runIds: string[];
      out: string | 'publish' | null;
      fromSummaries: boolean;
      resultsDir: string | null;
    }
  | {
      kind: 'note';
      runIds: string[];
      noteKind: 'qna' | 'retrospective' | 'topic';
      title: string | null;
      resultsDir: string | null;
    }
  | RunArgs;

function optionalInt(name: string, raw: string | undefined): number | null {
  return raw === undefined ? null : positiveInt(name, raw);
}

/**
 * k6 reads a bare number as milliseconds, so "--duration 10" would run for 10 ms and fail after verify: every
 * duration needs a unit (bare "0" is allowed where zero is), and a measured run must last at least a second.
 */
function duration(name: string, raw: string | undefined, allowZero: boolean): string | null {
  if (raw === undefined) return null;
  const example = `e.g. ${name === 'duration' ? '30s or 1m' : '10s or 0s'}`;
  if (/^\d+(\.\d+)?$/.test(raw) && !(allowZero && Number(raw) === 0))
    throw new UsageError(`--${name} needs a unit (${example}), got "${raw}"`);
  let s: number;
  try {
    s = durationSeconds(raw);
  } catch {
    throw new UsageError(`--${name} must be a duration like ${example.slice(5)}, got "${raw}"`);
  }
  if (s < 0 || (!allowZero && s === 0))
    throw new UsageError(`--${name} must be ${allowZero ? 'zero or more' : 'more than zero'}, got "${raw}"`);
  if (!allowZero && s < 1) throw new UsageError(`--${name} must be at least 1s, got "${raw}"`);
  return raw;
}

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

type Values = Record<string, string | boolean | undefined>;

/** The options and positionals, strictly (an unknown option is a usage error). */
function parseOptions(argv: string[]): { v: Values; pos: string[] } {
  try {
    const parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        runs: { type: 'string' },
        duration: { type: 'string' },
        vus: { type: 'string' },
        rate: { type: 'string' },
        warmup: { type: 'string' },
        cooldown: { type: 'string' },
        order: { type: 'string' },
        idle: { type: 'string' },
        scale: { type: 'string' },
        mode: { type: 'string' },
        quick: { type: 'boolean' },
        resume: { type: 'string' },
        'run-id': { type: 'string' },
        'results-dir': { type: 'string' },
        'no-limits': { type: 'boolean' },
        monitor: { type: 'boolean' },
        out: { type: 'string' },
        publish: { type: 'boolean' },
        'from-summaries': { type: 'boolean' },
        kind: { type: 'string' },
        title: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    return { v: parsed.values as Values, pos: parsed.positionals };
  } catch (e) {
    // node:util's messages are long; keep the first sentence.
    throw new UsageError((e as Error).message.split('\n')[0]!.split('. ')[0]!.replace(/\.$/, ''));
  }
}

const str = (v: Values, k: string) => v[k] as string | undefined;

/** A subcommand accepts only its own options. */
function only(v: Values, cmd: string, allowed: string[]): void {
  for (const k of Object.keys(v))
    if (v[k] !== undefined && !allowed.includes(k)) throw new UsageError(`${cmd} does not take --${k}`);
}

function parseReport(v: Values, pos: string[]): Command {
  only(v, 'report', ['out', 'publish', 'from-summaries', 'results-dir']);
  for (const id of pos.slice(1))
    if (!RUN_ID.test(id)) throw new UsageError(`report: "${id}" is not a run id`);
  if (v['publish'] && v['out'] !== undefined) throw new UsageError('report: --publish or --out, not both');
  return {
    kind: 'report',
    runIds: pos.slice(1),
    out: v['publish'] ? 'publish' : (str(v, 'out') ?? null),
    fromSummaries: v['from-summaries'] === true,
    resultsDir: str(v, 'results-dir') ?? null,
  };
}

function parseNote(v: Values, pos: string[]): Command {
  only(v, 'note', ['kind', 'title', 'results-dir']);
  const runIds = pos.slice(1);
  if (runIds.length === 0) throw new UsageError('note needs a run id: ./run-benchmark.sh note <run-id…>');
  for (const id of runIds) if (!RUN_ID.test(id)) throw new UsageError(`note: "${id}" is not a run id`);
  const kind = str(v, 'kind') ?? 'qna';
  if (kind !== 'qna' && kind !== 'retrospective' && kind !== 'topic')
    throw new UsageError(`--kind must be qna, retrospective or topic, got "${kind}"`);
  return {
    kind: 'note',
    runIds,
    noteKind: kind,
    title: str(v, 'title') ?? null,
    resultsDir: str(v, 'results-dir') ?? null,
  };
}

/** A run's names: --mode, --resume and --run-id, and the target and selector unless it resumes. */
function runNames(v: Values, pos: string[]) {
  for (const k of ['out', 'publish', 'from-summaries', 'kind', 'title'])
    if (v[k] !== undefined) throw new UsageError(`--${k} belongs to report/note`);
  const mode = str(v, 'mode') ?? 'auto';
  if (mode !== 'auto' && mode !== 'docker' && mode !== 'native')
    throw new UsageError(`--mode must be auto, docker or native, got "${mode}"`);
  const resume = str(v, 'resume') ?? null;
  if (resume !== null && !RUN_ID.test(resume)) throw new UsageError(`--resume: "${resume}" is not a run id`);
  const runId = str(v, 'run-id') ?? null;
  if (runId !== null && !RUN_ID.test(runId)) throw new UsageError(`--run-id: "${runId}" is not a valid name`);
  if (resume === null) {
    if (pos.length === 0)
      throw new UsageError('missing target and selector, e.g. ./run-benchmark.sh reference 03');
    if (pos.length === 1)
      throw new UsageError(`missing selector after "${pos[0]}", e.g. ./run-benchmark.sh ${pos[0]} 03`);
  }
  if (pos.length > 2) throw new UsageError(`unexpected argument "${pos[2]}"`);
  return { mode: mode as 'auto' | 'docker' | 'native', resume, runId };
}

function order(raw: string | undefined): RunArgs['order'] {
  if (raw === undefined) return null;
  if (raw !== 'target' && raw !== 'scenario')
    throw new UsageError(`--order must be target or scenario, got "${raw}"`);
  return raw;
}

function idle(raw: string | undefined, orderRaw: string | undefined): RunArgs['idle'] {
  if (raw === undefined) return null;
  if (raw !== 'frozen' && raw !== 'running')
    throw new UsageError(`--idle must be frozen or running, got "${raw}"`);
  if (orderRaw !== 'scenario') throw new UsageError('--idle goes with --order scenario');
  return raw;
}

function parseRun(v: Values, pos: string[]): Command {
  const { mode, resume, runId } = runNames(v, pos);
  const scale = optionalInt('scale', str(v, 'scale'));
  if (scale !== null && scale > 1000) throw new UsageError(`--scale must be at most 1000, got ${scale}`);
  return {
    kind: 'run',
    target: pos[0] ?? null,
    selector: pos[1] ?? null,
    runs: optionalInt('runs', str(v, 'runs')),
    duration: duration('duration', str(v, 'duration'), false),
    vus: optionalInt('vus', str(v, 'vus')),
    rate: optionalInt('rate', str(v, 'rate')),
    warmup: duration('warmup', str(v, 'warmup'), true),
    cooldown: duration('cooldown', str(v, 'cooldown'), true),
    order: order(str(v, 'order')),
    idle: idle(str(v, 'idle'), str(v, 'order')),
    scale,
    mode,
    quick: Boolean(v['quick']),
    resume,
    runId,
    resultsDir: str(v, 'results-dir') ?? null,
    noLimits: Boolean(v['no-limits']),
    monitor: Boolean(v['monitor']),
  };
}

export function parseCommand(argv: string[]): Command {
  const { v, pos } = parseOptions(argv);
  if (v['help'] || pos[0] === 'help') return { kind: 'help' };
  if (pos[0] === 'list') {
    only(v, 'list', []);
    if (pos.length > 1) throw new UsageError(`list: unexpected argument "${pos[1]}"`);
    return { kind: 'list' };
  }
  if (pos[0] === 'data') {
    only(v, 'data', ['scale']);
    if (pos.length > 1) throw new UsageError(`data: unexpected argument "${pos[1]}"`);
    return { kind: 'data', scale: optionalInt('scale', str(v, 'scale')) };
  }
  if (pos[0] === 'report') return parseReport(v, pos);
  if (pos[0] === 'note') return parseNote(v, pos);
  return parseRun(v, pos);
}
